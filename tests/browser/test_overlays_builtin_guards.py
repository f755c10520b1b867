"""What is not an overlay is left alone: no intervention, the same pixels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from PIL import ImageChops
from playwright.async_api import Browser

from capture.demo.localsite import LocalSite
from tests.browser.builtin_overlays import (
    CASES,
    FIXTURES,
    clear_builtin,
    open_browser,
    open_case,
    screenshot,
    text_complete,
)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

GUARDS = [name for name, case in CASES.items() if case.guard]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async for launched in open_browser():
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite(FIXTURES) as started:
        yield started


async def test_every_guard_of_the_issue_has_a_fixture() -> None:
    assert set(GUARDS) == {
        "sticky-header",
        "floating-button",
        "video-dock",
        "app-scroller",
        "main-layer",
        "carousel",
        "cookie-recipe",
        "hidden-own",
        "clamp-own",
        "shadow-widgets",
    }


@pytest.mark.parametrize("name", GUARDS)
async def test_page_furniture_is_untouched(browser: Browser, site: LocalSite, name: str) -> None:
    page = await open_case(browser, site, CASES[name])
    try:
        before = await screenshot(page)
        dom_before = await page.content()
        outcome = await clear_builtin(page)
        after = await screenshot(page)
        assert outcome.log.entries == [], outcome.summary()
        assert outcome.failures == []
        assert outcome.gated is None
        assert before.size == after.size
        assert ImageChops.difference(before, after).getbbox() is None
        assert await page.content() == dom_before
        assert await text_complete(page)
    finally:
        await page.context.close()


async def test_the_app_keeps_scrolling_its_inner_container(
    browser: Browser, site: LocalSite
) -> None:
    page = await open_case(browser, site, CASES["app-scroller"])
    try:
        await clear_builtin(page)
        moved = await page.evaluate(
            "() => { const pane = document.getElementById('pane'); pane.scrollTop = 100;"
            " return pane.scrollTop; }"
        )
        assert moved == 100
        assert await page.evaluate("getComputedStyle(document.body).overflow") == "hidden"
    finally:
        await page.context.close()
