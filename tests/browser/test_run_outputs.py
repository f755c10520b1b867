"""What a run leaves: index.html opened in Chromium; the run WACZ validated and replayed in pywb.

One run captures the demo article, a page with a hostile title, and a URL that refuses
connections; the report and the WACZ are then built from that run folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from capture import paths
from capture.api import capture_urls
from capture.browser import launch as browser
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.errors import BrowserNotFoundError
from capture.evidence.waczfixity import verify_wacz
from capture.output.wacz import write_wacz
from capture.run.report import write_report
from tests.pywb import pywb_bin

pytestmark = pytest.mark.browser

RUNS_DIR = Path(__file__).resolve().parents[1] / "sites" / "runs"
HOSTILE_TITLE = '<img src=x onerror="window.pwned=1"> Hostile & "quoted" title'


@dataclass(frozen=True)
class Run:
    """A finished run folder with its report and WACZ, and the URLs it captured."""

    folder: Path
    report: Path
    wacz: Path
    demo_url: str
    hostile_url: str
    refused_url: str


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Capture three URLs into one run folder, then write its index.html and WACZ."""
    output = tmp_path_factory.mktemp("archives")
    # A socket bound but not listening: connecting to it is refused at once.
    with demo_site() as demo, LocalSite(RUNS_DIR) as pages, socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        urls = [
            demo.url(DEMO_ARTICLE_PATH),
            pages.url("/hostile.html"),
            f"http://127.0.0.1:{closed.getsockname()[1]}/refused",
        ]
        try:
            result = asyncio.run(
                capture_urls(
                    urls,
                    output=output,
                    browser_path=os.environ.get("CAPTURE_BROWSER"),
                    concurrency=3,
                )
            )
        except BrowserNotFoundError as exc:
            _skip_or_fail(f"no browser: {exc}")
        report = write_report(result.folder, title="outputs", started_at=None, ended_at=None)
        wacz = write_wacz(
            result.folder, result.folder / "outputs.wacz", title="outputs",
            clock=lambda: datetime.now(UTC),
        )  # fmt: skip
        yield Run(result.folder, report, wacz, *urls)


def _states(run: Run) -> dict[str, str]:
    states = {}
    for document in run.folder.glob(f"captures/*/{paths.CAPTURE_JSON}"):
        data = json.loads(document.read_text(encoding="utf-8"))
        states[data["url"]] = data["state"]
    return states


async def test_report_opens_with_every_thumbnail_and_link_working_offline(run: Run) -> None:
    from playwright.async_api import async_playwright

    assert _states(run) == {
        run.demo_url: "complete", run.hostile_url: "complete", run.refused_url: "failed"
    }  # fmt: skip
    requests: list[str] = []
    dialogs: list[str] = []
    async with async_playwright() as playwright:
        try:
            choice = browser.choose_browser(playwright, os.environ.get("CAPTURE_BROWSER"))
        except BrowserNotFoundError as exc:
            _skip_or_fail(f"no browser: {exc}")
        chromium = await browser.launch(playwright, choice)
        try:
            page = await chromium.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            await page.goto(run.report.as_uri(), wait_until="load")
            widths = await page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            first_card = await page.inner_text("article.card >> nth=0")
            titles = await page.eval_on_selector_all("h3", "els => els.map(e => e.textContent)")
            pwned = await page.evaluate("window.pwned")
        finally:
            await chromium.close()

    assert len(widths) == 2 and all(width > 0 for width in widths)  # the failed one has none
    assert requests and all(url.startswith("file://") for url in requests), requests
    local = [href for href in hrefs if href.startswith("file://")]
    assert len(local) >= 2 * 8  # thumbnail + 7 files for each complete capture
    assert _missing(local) == []
    assert {href for href in hrefs if not href.startswith("file://")} <= {
        run.demo_url, run.hostile_url
    }  # fmt: skip
    assert "failed" in first_card and "ERR_CONNECTION_REFUSED" in first_card
    assert HOSTILE_TITLE in titles
    assert pwned is None and dialogs == []


def _missing(file_urls: list[str]) -> list[str]:
    return [url for url in file_urls if not Path(url2pathname(urlsplit(url).path)).is_file()]


def test_the_run_wacz_verifies_and_passes_wacz_validate(run: Run) -> None:
    assert verify_wacz(run.wacz) == []
    if importlib.util.find_spec("wacz") is None:
        _skip_or_fail("the wacz package is not installed (pip install wacz==0.6.0)")
    runner = "import sys; from wacz.main import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", runner, "validate", "-f", str(run.wacz)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    pages = _pages(run.wacz)
    assert [page["url"] for page in pages] == sorted(
        [run.demo_url, run.hostile_url], key=paths.slug
    )
    assert HOSTILE_TITLE in [page["title"] for page in pages]


def _pages(wacz: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("pages/pages.jsonl").decode().splitlines()
    return [json.loads(line) for line in lines[1:]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"wayback exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    pytest.fail(f"wayback did not listen on {port} within {timeout_s} s")


@pytest.fixture
def wayback(run: Run, tmp_path: Path) -> Iterator[str]:
    """Yield the base URL of a pywb serving the run WACZ as collection `coll`."""
    folder = pywb_bin()
    if folder is None:
        _skip_or_fail("pywb is not installed: run `make setup` (it builds .venv-pywb)")
        return
    manager = str(folder / "wb-manager")
    for command in (["init", "coll"], ["add", "--unpack-wacz", "coll", str(run.wacz)]):
        subprocess.run([manager, *command], cwd=tmp_path, check=True, capture_output=True)
    port = _free_port()
    with (tmp_path / "wayback.log").open("wb") as log:
        process = subprocess.Popen(
            [str(folder / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_for_port(port, process, timeout_s=30)
            yield f"http://127.0.0.1:{port}/coll"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_pywb_replays_each_page_from_the_wacz_byte_for_byte(run: Run, wayback: str) -> None:
    for page in _pages(run.wacz):
        stamp = page["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        replayed = _get(f"{wayback}/{stamp}id_/{page['url']}")
        assert replayed == _get(page["url"]), page["url"]
        folder = run.folder / "captures" / page["id"]
        screenshot = _get(f"{wayback}/{stamp}id_/urn:screenshot:{page['url']}")
        assert screenshot == (folder / paths.SCREENSHOT).read_bytes()
