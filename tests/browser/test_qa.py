"""`capture qa`: a capture replays from its own WARC, offline, and looks as it was captured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.options import CaptureOptions
from capture.output.files import sha256_file
from capture.qa.check import QA_JSON, QA_SCREENSHOT, qa_capture
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

OPTIONS = CaptureOptions(timeout_s=30)

CORE_PAGES = (
    "/",
    "/landing.html",
    "/encoded.html",
    "/frames.html",
    "/lazy.html",
    "/tall.html",
    "/xhr.html",
    "/unread.html",
    "/hop/1",
)
"""The core fixture pages that render a page (redirects land on one)."""


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalSite]:
    """Yield the bundled demo site (banners, a login modal and a wall on timers)."""
    with demo_site() as site:
        yield site


@pytest.mark.parametrize("path", CORE_PAGES)
async def test_fixture_page_replays_pixel_for_pixel_without_the_server(
    shared_renderer: ChromiumRenderer,
    site: LocalSite,
    other_origin: LocalSite,
    path: str,
    tmp_path: Path,
) -> None:
    captured = await capture_one(site.url(path), shared_renderer, tmp_path, OPTIONS)
    site.clear_requests()
    other_origin.clear_requests()

    result = await qa_capture(captured.folder, shared_renderer)

    assert site.requests == () and other_origin.requests == ()
    assert result.error is None
    assert result.pixels is not None and result.pixels.identical_share >= 0.99
    assert result.pixels.reference_size == result.pixels.replay_size
    assert result.text_similarity is not None and result.text_similarity >= 0.99
    assert result.not_in_warc == () and result.failed_in_replay == ()
    assert result.served_from_warc >= 1
    assert result.compared_with == "screenshot.png"


async def test_qa_json_is_written_beside_capture_json_and_bound_to_it(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/"), shared_renderer, tmp_path, OPTIONS)
    before = (captured.folder / "capture.json").read_bytes()

    await qa_capture(captured.folder, shared_renderer)

    document = json.loads((captured.folder / QA_JSON).read_text())
    assert (captured.folder / "capture.json").read_bytes() == before
    assert document["capture_json_sha256"] == "sha256:" + sha256_file(
        captured.folder / "capture.json"
    )
    assert document["passed"] is True
    assert document["pixels"]["compared_with"] == "screenshot.png"
    assert document["pixels"]["identical_share"] == 1.0
    assert document["replay_screenshot"] == QA_SCREENSHOT
    assert (captured.folder / QA_SCREENSHOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_resource_missing_from_the_warc_fails_in_replay(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # The script 404s at capture time: the WARC holds the 404, which is what replay serves.
    # A request the WARC never saw is refused and listed instead.
    captured = await capture_one(site.url("/missing.html"), shared_renderer, tmp_path, OPTIONS)

    result = await qa_capture(captured.folder, shared_renderer)

    assert result.pixels is not None and result.pixels.identical_share == 1.0
    assert [f["url"] for f in result.failed_in_replay] == [site.url("/gone/script.js")]


async def test_page_changed_by_the_capture_is_compared_as_served(
    shared_renderer: ChromiumRenderer, demo: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(demo.url(DEMO_ARTICLE_PATH), shared_renderer, tmp_path, OPTIONS)
    assert captured.document["interventions"]
    demo.clear_requests()

    result = await qa_capture(captured.folder, shared_renderer)

    assert demo.requests == ()
    assert result.compared_with == "screenshot-as-served.png"
    assert result.pixels is not None and result.pixels.identical_share >= 0.99
    assert result.text_similarity is not None and result.text_similarity >= 0.99
