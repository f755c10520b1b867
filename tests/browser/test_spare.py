"""Captures in a row start on a context and page made ahead (capture.browser.spare), still fresh."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest
from capture.options import CaptureOptions, Viewport
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PAGE = b"""<!doctype html><html><head><title>Visit</title></head><body><p id="p">first visit</p>
<script>
if (document.cookie.includes("seen=1") || localStorage.getItem("seen")) {
  document.getElementById("p").textContent = "seen before";
}
document.cookie = "seen=1; path=/; max-age=3600";
localStorage.setItem("seen", "1");
</script></body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    def page(request: SiteRequest) -> Reply:
        return Reply(headers=(("Content-Type", "text/html; charset=utf-8"),), body=PAGE)

    with LocalSite(routes={"/visit": page}) as site:
        yield site


async def test_the_next_capture_starts_on_a_spare_that_nothing_has_used(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    spare = shared_renderer.spare
    assert spare is not None
    url = site.url("/visit")
    first = await capture_one(url, shared_renderer, tmp_path / "first")
    taken = spare.taken

    second = await capture_one(url, shared_renderer, tmp_path / "second")

    assert spare.taken == taken + 1
    for captured in (first, second):
        assert captured.document["state"] == "complete"
        request = captured.of_type("request", url)[0]
        assert "Cookie" not in request.warc_headers  # (WARC headers never hold it either)
        assert b"Cookie:" not in request.payload
        dom = (captured.folder / "dom.html").read_text()
        assert '<p id="p">first visit</p>' in dom  # no cookie, no storage from the first


async def test_a_capture_with_other_options_gets_a_context_of_its_own(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    spare = shared_renderer.spare
    assert spare is not None
    url = site.url("/visit")
    await capture_one(url, shared_renderer, tmp_path / "wide")  # leaves a spare at 1280 px
    taken = spare.taken
    narrow = CaptureOptions(viewport=Viewport(width=480, height=800))

    captured = await capture_one(url, shared_renderer, tmp_path / "narrow", narrow)

    assert spare.taken == taken
    assert captured.document["state"] == "complete"
    assert captured.document["viewport"] == "480x800"
    for _ in range(50):  # the spare made for other options is closed, not kept
        if len(shared_renderer.browser.contexts) <= 1:
            break
        await asyncio.sleep(0.1)
    assert len(shared_renderer.browser.contexts) <= 1  # at most the spare for the next one
