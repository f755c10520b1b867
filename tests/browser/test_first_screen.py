"""viewport.png and thumbnail.webp are made from the final shot while the browser finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture import images
from capture.localsite import LocalSite
from capture.models import CaptureOptions, CaptureRequest, Exchange
from capture.render import ChromiumRenderer

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
