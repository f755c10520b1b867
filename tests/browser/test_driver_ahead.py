"""Playwright's driver and Chromium started ahead (`capture URL` starts them while its modules
load): renderers opened inside use them, and what nobody took is closed when the block ends."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError

from capture.browser import launch as browsers
from capture.browser.launch import (
    choose_browser,
    driver_ahead,
    launch,
    launch_ahead,
    launched_ahead,
    playwright_driver,
)
from capture.browser.renderer import open_renderer
from capture.errors import BrowserNotFoundError

pytestmark = pytest.mark.browser

PATH = os.environ.get("CAPTURE_BROWSER")


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[Browser]:
    """Return the browsers launched from now on (ahead or by open_renderer), as they launch."""
    browsers_launched: list[Browser] = []

    async def counted(*args: Any, **kwargs: Any) -> Browser:
        browser = await launch(*args, **kwargs)
        browsers_launched.append(browser)
        return browser

    monkeypatch.setattr(browsers, "launch", counted)
    return browsers_launched


async def test_renderers_inside_use_the_driver_started_ahead_which_stops_after() -> None:
    async with driver_ahead():
        async with playwright_driver() as first, playwright_driver() as second:
            assert first is second
            browser = await launch(first, choose_browser(first, PATH))
            assert browser.is_connected()
            await browser.close()
        async with open_renderer(PATH) as renderer:
            assert renderer.browser.is_connected()
    with pytest.raises(PlaywrightError, match="has been closed"):  # stopped: it launches no more
        await first.chromium.launch(executable_path=renderer.info.executable)


async def test_without_a_driver_ahead_each_renderer_starts_its_own() -> None:
    async with playwright_driver() as first, playwright_driver() as second:
        assert first is not second


async def test_the_renderer_takes_the_browser_launched_ahead_once(launched: list[Browser]) -> None:
    async with driver_ahead():
        launch_ahead(PATH)
        async with open_renderer(PATH) as renderer:
            assert launched == [renderer.browser]
            assert renderer.info.user_agent and renderer.info.sha256
        async with open_renderer(PATH) as again:  # taken: the next renderer launches its own
            assert launched == [renderer.browser, again.browser]
        assert not renderer.browser.is_connected()  # the renderer closed what it took


async def test_a_browser_launched_ahead_that_nobody_takes_is_closed_at_the_end(
    launched: list[Browser],
) -> None:
    async with driver_ahead():
        launch_ahead(PATH)
        assert await launched_ahead("/another/browser") is None  # launched for another path
        async with playwright_driver() as playwright:
            pass
    assert len(launched) == 1
    assert not launched[0].is_connected()
    with pytest.raises(PlaywrightError, match="has been closed"):
        await playwright.chromium.launch(executable_path=launched[0].browser_type.executable_path)


async def test_outside_a_driver_ahead_nothing_is_launched_ahead(launched: list[Browser]) -> None:
    launch_ahead(PATH)

    assert await launched_ahead(PATH) is None
    assert launched == []


async def test_a_browser_that_cannot_launch_ahead_fails_where_it_is_taken() -> None:
    async with driver_ahead():
        launch_ahead("/no/such/browser")
        with pytest.raises(BrowserNotFoundError, match="/no/such/browser"):
            async with open_renderer("/no/such/browser"):
                pass  # pragma: no cover - never reached
    async with driver_ahead():
        launch_ahead("/no/such/browser")  # nobody takes it: its failure is nobody's error
