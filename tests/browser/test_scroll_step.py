"""The scroll step: lazy images below the fold get recorded; a page that fits is not scrolled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.options import CaptureOptions
from capture.page import looking, scrolling
from tests.browser.captured import Captured, capture_one
from tests.browser.core_site import CORE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

LAZY_IMAGES = (
    "/img/native-lazy.png",
    "/img/observed.png",
    "/img/observed-middle.png",
    "/img/scrolled.png",
)
LATE_IMAGE = "/img/observed.png"


def scroll_step(captured: Captured) -> dict[str, Any]:
    """Return the capture's scroll step from capture.json."""
    step: dict[str, Any] = next(s for s in captured.document["steps"] if s["name"] == "scroll")
    return step


async def test_lazy_images_below_the_fold_are_recorded(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/lazy.html"), shared_renderer, tmp_path)

    for path in LAZY_IMAGES:
        assert captured.response(site.url(path)).payload == (CORE_DIR / path[1:]).read_bytes()
    scroll = scroll_step(captured)
    # One step per window height, despite the page's `scroll-behavior: smooth`.
    assert 1 < scroll["detail"]["steps"] <= 17


async def test_without_scrolling_lazy_images_are_not_loaded(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # The control: proves the fixture's images really are lazy.
    captured = await capture_one(
        site.url("/lazy.html"), shared_renderer, tmp_path, CaptureOptions(scroll=False)
    )

    assert captured.uris() & {site.url(path) for path in LAZY_IMAGES} == set()


async def test_page_that_fits_the_viewport_is_not_scrolled(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/index.html"), shared_renderer, tmp_path)

    scroll = scroll_step(captured)
    assert scroll["state"] == "ok"
    # Not scrolled, only settled: one look at the page found nothing pending.
    detail = {"steps": 0, "network_quiet": True, "timers_waited_s": 0.0, "looks": 1, "reacts": []}
    assert scroll["detail"] == detail


async def test_tall_page_with_nothing_that_answers_a_scroll_is_not_scrolled(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/tall.html"), shared_renderer, tmp_path)

    scroll = scroll_step(captured)
    assert scroll["detail"]["steps"] == 0
    assert scroll["detail"]["reacts"] == []


async def test_what_answers_a_scroll_is_recorded(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/lazy.html"), shared_renderer, tmp_path)

    scroll = scroll_step(captured)
    reacts = ["lazy-loading", "intersection-observer", "scroll-listener"]
    assert scroll["detail"]["reacts"] == reacts


async def test_a_scroll_listener_added_after_load_gets_the_page_scrolled(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/late-listener.html"), shared_renderer, tmp_path)

    late = "/img/late-listener.png"
    assert captured.response(site.url(late)).payload == (CORE_DIR / late[1:]).read_bytes()
    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["scroll-listener"]
    assert scroll["detail"]["steps"] >= 1


async def test_content_that_arrives_after_load_is_scrolled_through_too(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/late-lazy.html"), shared_renderer, tmp_path)

    assert (
        captured.response(site.url(LATE_IMAGE)).payload == (CORE_DIR / LATE_IMAGE[1:]).read_bytes()
    )
    scroll = scroll_step(captured)
    assert scroll["detail"]["steps"] >= 1


def loaded(captured: Captured, site: LocalSite, paths: list[str]) -> list[str]:
    """Return which of paths the capture recorded."""
    uris = captured.uris()
    return [path for path in paths if site.url(path) in uris]


EIGHT = [f"/img/debounced.png?n={n}" for n in range(8)]


@pytest.mark.parametrize("path", ["/debounced.html", "/throttled.html"])
async def test_a_loader_that_answers_scrolling_on_a_timer_gets_every_position(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path, path: str
) -> None:
    # Each image is loaded only while it is in the window, by a listener that waits 20 ms for
    # scrolling to pause, or handles one event per 200 ms: each step waits for its answer.
    captured = await capture_one(site.url(path), shared_renderer, tmp_path)

    assert loaded(captured, site, EIGHT) == EIGHT
    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["scroll-listener"]


async def test_an_observer_set_up_after_the_first_scroll_gets_a_second_one(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/late-observer.html"), shared_renderer, tmp_path)

    assert loaded(captured, site, ["/img/late-observed.png"]) == ["/img/late-observed.png"]
    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["lazy-loading", "intersection-observer"]


async def test_a_frame_below_the_first_screen_gets_the_page_scrolled(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/frame-below.html"), shared_renderer, tmp_path)

    assert loaded(captured, site, ["/img/frame-lazy.png"]) == ["/img/frame-lazy.png"]
    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["frame-below-the-fold"]
    assert scroll["detail"]["steps"] >= 1


async def test_a_lazy_image_inside_a_web_component_gets_the_page_scrolled(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/shadow-lazy.html"), shared_renderer, tmp_path)

    assert loaded(captured, site, ["/img/shadow-lazy.png"]) == ["/img/shadow-lazy.png"]
    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["lazy-loading"]


async def test_a_patient_scroll_stops_waiting_after_its_patience_and_reaches_the_bottom(
    shared_renderer: ChromiumRenderer,
    site: LocalSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Waiting about 0.25 s at each of the 25 steps would take the scroll past its time limit.
    monkeypatch.setattr(scrolling, "PATIENCE_MS", 500)
    monkeypatch.setattr(looking, "SCROLL_LIMIT_S", 4.0)
    captured = await capture_one(site.url("/busy-scroll.html"), shared_renderer, tmp_path)

    assert scroll_step(captured)["detail"]["steps"] >= 24  # the bottom, not the time limit


async def test_a_listener_added_after_the_scroll_does_not_get_a_second_one(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/analytics.html"), shared_renderer, tmp_path)

    scroll = scroll_step(captured)
    assert scroll["detail"]["reacts"] == ["lazy-loading", "scroll-listener"]
    assert scroll["detail"]["steps"] <= 5  # one scroll through 4,000 px in 800 px steps
