"""viewport.png and thumbnail.webp are made from the final shot while the browser finishes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from capture.browser import screenshot
from capture.browser.pagerun import PageRun
from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.exchanges import Exchange
from capture.models import CaptureRequest, FirstScreen
from capture.options import CaptureOptions
from capture.output import images

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_the_renderer_hands_over_the_first_screen_files_made_from_its_shot(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    exchanges: list[Exchange] = []
    request = CaptureRequest(site.url("/tall.html"), tmp_path, CaptureOptions())

    page = await shared_renderer.render(request, exchanges.append)

    assert page.screenshot is not None and page.screenshot.first_screen is not None
    made = images.first_screen_files(page.screenshot.png, request.options.viewport.height)
    assert page.screenshot.first_screen == made


async def test_files_not_wanted_are_not_made(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    options = CaptureOptions(outputs=frozenset({"screenshot", "dom"}))
    request = CaptureRequest(site.url("/index.html"), tmp_path, options)

    page = await shared_renderer.render(request, lambda exchange: None)

    assert page.screenshot is not None and page.screenshot.first_screen is None


async def test_a_page_that_fails_after_its_shot_leaves_no_first_screen_pending(
    shared_renderer: ChromiumRenderer,
    site: LocalSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[asyncio.Future[FirstScreen]] = []
    start = screenshot.first_screen_later

    def slow(png: bytes, height_px: int, **wanted: bool) -> FirstScreen:
        time.sleep(1.0)  # still at work when the page fails
        return images.first_screen_files(png, height_px, **wanted)

    def recorded(*args: Any, **kwargs: Any) -> asyncio.Future[FirstScreen]:
        made.append(start(*args, **kwargs))
        return made[-1]

    async def broken(self: PageRun, page: Any) -> None:
        raise RuntimeError("the browser went away")

    monkeypatch.setattr(images, "first_screen_files", slow)
    monkeypatch.setattr(screenshot, "first_screen_later", recorded)
    monkeypatch.setattr(PageRun, "_wind_down", broken)
    request = CaptureRequest(site.url("/index.html"), tmp_path, CaptureOptions())

    with pytest.raises(RuntimeError):
        await shared_renderer.render(request, lambda exchange: None)

    [future] = made
    assert future.cancelled()
