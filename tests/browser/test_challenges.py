"""Every vendor's challenge, imitated (tests/browser/challenge_site.py), is failed with its reason
and vendor after a bounded wait; a challenge that clears itself gives the content, complete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import pytest_asyncio

from capture.api import capture_urls
from capture.browser.pagecheck import CHALLENGE_WAIT_S, read_facts
from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.models import CaptureResult, CaptureState
from capture.options import CaptureOptions, Viewport
from tests.browser.challenge_site import CHALLENGES, CLEARED_TEXT, CLEARING, challenge_proxy

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def proxy() -> Iterator[LocalSite]:
    """Yield the challenge site, the browser's proxy."""
    with challenge_proxy() as site:
        yield site


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def results(
    shared_renderer: ChromiumRenderer, proxy: LocalSite, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, CaptureResult]:
    """Return the result of every challenge page and the clearing one, captured in one run."""
    options = CaptureOptions(viewport=Viewport(800, 600), proxy=proxy.base_url, timeout_s=45)
    urls = [challenge.url for challenge in CHALLENGES] + [CLEARING]
    run = await capture_urls(
        urls,
        output=tmp_path_factory.mktemp("challenges"),
        options=options,
        renderer=shared_renderer,
        concurrency=4,
    )
    return {result.url: result for result in run.results}


def capture_json(result: CaptureResult) -> dict[str, Any]:
    """Return the capture's capture.json."""
    data: dict[str, Any] = json.loads((result.folder / "capture.json").read_text("utf-8"))
    return data


def page_check(result: CaptureResult) -> dict[str, Any]:
    """Return the detail of the capture's page-check step."""
    step = next(s for s in capture_json(result)["steps"] if s["name"] == "page-check")
    detail: dict[str, Any] = step.get("detail") or {}
    return detail


@pytest.mark.parametrize("challenge", CHALLENGES, ids=[c.vendor for c in CHALLENGES])
async def test_each_vendor_s_challenge_is_failed_with_its_reason_and_vendor(
    results: dict[str, CaptureResult], challenge: Any
) -> None:
    result = results[challenge.url]
    assert result.state is CaptureState.FAILED
    assert result.reason == "challenge"
    assert result.verdict is not None and result.verdict.vendor == challenge.vendor
    waited = page_check(result)
    assert waited["challenge"] == challenge.vendor
    assert waited["cleared"] is False
    assert waited["waited_s"] <= CHALLENGE_WAIT_S + 1
    # What the site served is kept: the challenge page is in the WARC and its screenshot taken.
    assert (result.folder / "page.warc.gz").stat().st_size > 0
    assert (result.folder / "screenshot.png").is_file()


async def test_a_challenge_that_clears_itself_gives_the_content_complete(
    results: dict[str, CaptureResult],
) -> None:
    result = results[CLEARING]
    assert (result.state, result.reason, result.status) == (CaptureState.COMPLETE, None, 200)
    waited = page_check(result)
    assert (waited["challenge"], waited["cleared"], waited["ended"]) == (
        "Cloudflare",
        True,
        "cleared",
    )
    assert 0.5 <= waited["waited_s"] < 10
    assert CLEARED_TEXT in (result.folder / "dom.html").read_text("utf-8")


async def test_the_wait_on_a_challenge_that_does_nothing_ends_early(
    results: dict[str, CaptureResult],
) -> None:
    waits = [page_check(results[c.url]) for c in CHALLENGES]
    assert all(wait["ended"] in ("idle", "time") for wait in waits)
    assert any(wait["ended"] == "idle" for wait in waits)


FORMS = (
    "<!doctype html><title>Ferry</title><article><p>The ferry timetable changes on Monday.</p>"
    '</article><div style="display:none"><input type="password" name="theme-login"></div>'
    '<div style="visibility:hidden"><input type="password" name="dropdown"></div>'
    '<iframe src="about:blank" style="display:none"></iframe>'
    '<form><input type="password" name="shown"></form>'
    '<iframe src="about:blank#shown" width="300" height="200"></iframe>'
)


async def test_the_page_facts_count_only_visible_password_fields_and_frames(
    shared_renderer: ChromiumRenderer,
) -> None:
    page = await shared_renderer.browser.new_page()
    try:
        await page.set_content(FORMS)
        facts = await read_facts(page)
    finally:
        await page.close()
    assert (facts.password_fields, facts.articles) == (1, 1)
    assert facts.frames == ("about:blank#shown",)
