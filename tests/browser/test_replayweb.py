"""A run's WACZ opened as users open one: ReplayWeb.page, in a real Chromium, shows the article.

The demo article is captured into a run folder, packed as a WACZ with its index in each form
(plain `index.cdx`, and `index.cdx.gz` with `index.idx` as large runs get), and each is opened in
ReplayWeb.page served from its npm package on 127.0.0.1. The article's text must appear in the
replayed page, which lives in an iframe inside the viewer's iframe, behind shadow roots.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import pytest

from capture import paths
from capture.api import capture_urls
from capture.browser import launch as browser
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.errors import BrowserNotFoundError
from capture.output.cdxj import IndexLayout
from capture.output.wacz import write_wacz
from tests.replayweb import PAGE, REPLAYWEB_VERSION, ReplayWebSite, embed_page, replayweb_dir

pytestmark = pytest.mark.browser

REPLAY_TIMEOUT_S = 60.0
LAYOUTS = {
    "plain": IndexLayout(),
    "compressed": IndexLayout(plain_max_lines=1, block_lines=4),
}
NOT_FOUND = "Archived Page Not Found"


@dataclass(frozen=True)
class Packed:
    """The demo article's run: its URL, a sentence of its article, and its WACZ by index form."""

    url: str
    sentence: str
    waczs: dict[str, Path]


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def replayweb() -> Path:
    """Return ReplayWeb.page's package folder (checked first: no capture when it is missing)."""
    package = replayweb_dir()
    if package is None:
        _skip_or_fail(
            f"ReplayWeb.page is not installed: run `make setup-test` (it unpacks the "
            f"replaywebpage@{REPLAYWEB_VERSION} npm package into .replayweb/)"
        )
    return package


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packed]:
    """Capture the demo article and pack the run twice, once per index layout."""
    output = tmp_path_factory.mktemp("archives")
    with demo_site() as demo:
        url = demo.url(DEMO_ARTICLE_PATH)
        try:
            result = asyncio.run(
                capture_urls([url], output=output, browser_path=os.environ.get("CAPTURE_BROWSER"))
            )
        except BrowserNotFoundError as exc:
            _skip_or_fail(f"no browser: {exc}")
    (folder,) = (result.folder / "captures").iterdir()
    article = json.loads((folder / paths.ARTICLE_JSON).read_text(encoding="utf-8"))
    # A whole sentence from the middle of the article: body text, not the title.
    paragraphs = [p for p in article["text"].split("\n\n") if len(p) > 80]
    sentence = " ".join(paragraphs[len(paragraphs) // 2].split(". ")[0].split())
    waczs = {
        name: write_wacz(
            result.folder,
            result.folder / f"{name}.wacz",
            title="demo",
            clock=lambda: datetime.now(UTC),
            index_layout=layout,
        )
        for name, layout in LAYOUTS.items()
    }
    yield Packed(url, sentence, waczs)


@dataclass(frozen=True)
class Replay:
    """What ReplayWeb.page showed: each frame's text, the requests served, the seconds taken."""

    texts: dict[str, str]
    requests: list[str]
    elapsed_s: float

    def shows(self, text: str) -> bool:
        """Return True when some frame shows text."""
        return any(text in shown for shown in self.texts.values())


@pytest.mark.parametrize("form", list(LAYOUTS))
async def test_replayweb_page_replays_the_article_from_the_run_wacz(
    replayweb: Path, packed: Packed, form: str
) -> None:
    wacz = packed.waczs[form]
    with zipfile.ZipFile(wacz) as package:
        names = package.namelist()
    assert ("indexes/index.idx" in names) == (form == "compressed"), names
    replay = await _replay(replayweb, wacz, packed)
    assert replay.shows(packed.sentence), (
        f"{packed.sentence!r} not replayed within {REPLAY_TIMEOUT_S:.0f} s; "
        f"frames: {replay.texts}; requests: {replay.requests}"
    )
    assert not replay.shows(NOT_FOUND)
    print(f"ReplayWeb.page showed the article ({form} index) after {replay.elapsed_s:.1f} s")


async def test_a_gzipped_index_without_its_idx_is_what_replayweb_page_cannot_read(
    replayweb: Path, packed: Packed, tmp_path: Path
) -> None:
    """The control: the index as capture wrote it before, shown as not found by the same harness."""
    old = _with_gzip_only_index(packed.waczs["plain"], tmp_path / "old.wacz")
    replay = await _replay(replayweb, old, packed)
    assert replay.shows(NOT_FOUND), f"frames: {replay.texts}; requests: {replay.requests}"
    assert not replay.shows(packed.sentence)


def _with_gzip_only_index(source: Path, target: Path) -> Path:
    """Copy a WACZ, its plain index turned into a lone `index.cdx.gz` (datapackage updated)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        index = gzip.compress(old.read("indexes/index.cdx"), mtime=0)
        manifest = json.loads(old.read("datapackage.json"))
        for resource in manifest["resources"]:
            if resource["path"] == "indexes/index.cdx":
                resource.update(path="indexes/index.cdx.gz", name="index.cdx.gz", bytes=len(index))
                resource["hash"] = "sha256:" + hashlib.sha256(index).hexdigest()
        new.writestr("indexes/index.cdx.gz", index)
        new.writestr("datapackage.json", json.dumps(manifest))
        for info in old.infolist():
            if info.filename not in ("indexes/index.cdx", "datapackage.json"):
                new.writestr(info, old.read(info))
    return target


async def _replay(package: Path, wacz: Path, packed: Packed) -> Replay:
    """Open the article from wacz in ReplayWeb.page (from package) in a fresh Chromium.

    Return what it showed.
    """
    from playwright.async_api import async_playwright

    page_html = embed_page(f"/{wacz.name}", packed.url)
    with ReplayWebSite(package, {wacz.name: wacz}, page_html) as site:
        async with async_playwright() as playwright:
            try:
                choice = browser.choose_browser(playwright, os.environ.get("CAPTURE_BROWSER"))
            except BrowserNotFoundError as exc:
                _skip_or_fail(f"no browser: {exc}")
            # Not capture's own context: captures block service workers, ReplayWeb.page needs one.
            chromium = await browser.launch(playwright, choice)
            try:
                context = await chromium.new_context(service_workers="allow")
                page = await context.new_page()
                started = time.monotonic()
                await page.goto(site.base_url + PAGE, wait_until="load")
                # ReplayWeb.page opens its iframe once its service worker is registered, not yet
                # active: on a first visit that navigation can miss the worker and reach the
                # server. Load the page again once the worker is active, as a user would reload.
                await page.wait_for_function(_WORKER_ACTIVE, timeout=REPLAY_TIMEOUT_S * 1000)
                await page.reload(wait_until="load")
                texts = await _replayed_texts(page, packed.sentence)
                elapsed_s = time.monotonic() - started
            finally:
                await chromium.close()
    return Replay(texts, list(site.requests), elapsed_s)


_WORKER_ACTIVE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration("/replay/");
  return Boolean(registration && registration.active && registration.active.state === "activated");
}"""
"""True once ReplayWeb.page's service worker controls its scope `replay/`."""

_DEEP_TEXT = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) parts.push(child.textContent);
      else if (!["SCRIPT", "STYLE"].includes(child.nodeName)) walk(child);
    }
  };
  walk(document.body || document);
  return parts.join(" ").replace(/\\s+/g, " ");
}"""
"""Returns a frame's text, shadow roots included, with runs of white space as one space."""


async def _replayed_texts(page: Any, sentence: str) -> dict[str, str]:
    """Return each frame's text once one shows sentence or "not found", or when time is up."""
    deadline = time.monotonic() + REPLAY_TIMEOUT_S
    texts: dict[str, str] = {}
    while True:
        texts = {}
        for frame in page.frames:
            try:
                texts[frame.url] = await frame.evaluate(_DEEP_TEXT)
            except Exception as exc:  # a frame navigating away while read: read it next round
                texts[frame.url] = f"<unreadable: {type(exc).__name__}>"
        shown = " ".join(texts.values())
        if sentence in shown or NOT_FOUND in shown or time.monotonic() > deadline:
            return texts
        await asyncio.sleep(0.25)
