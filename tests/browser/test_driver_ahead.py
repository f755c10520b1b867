"""Playwright's driver started ahead (`capture URL` starts it while its modules load): every
renderer opened inside uses that one driver, and it stops when the block ends."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Error as PlaywrightError

from capture.browser import choose_browser, driver_ahead, launch, playwright_driver
from capture.render import open_renderer

pytestmark = pytest.mark.browser


async def test_renderers_inside_use_the_driver_started_ahead_which_stops_after() -> None:
    async with driver_ahead():
        async with playwright_driver() as first, playwright_driver() as second:
            assert first is second
            browser = await launch(first, choose_browser(first, os.environ.get("CAPTURE_BROWSER")))
            assert browser.is_connected()
            await browser.close()
        async with open_renderer(os.environ.get("CAPTURE_BROWSER")) as renderer:
            assert renderer.browser.is_connected()
    with pytest.raises(PlaywrightError, match="has been closed"):  # stopped: it launches no more
        await first.chromium.launch(executable_path=renderer.info.executable)


async def test_without_a_driver_ahead_each_renderer_starts_its_own() -> None:
    async with playwright_driver() as first, playwright_driver() as second:
        assert first is not second
