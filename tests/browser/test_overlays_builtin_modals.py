"""Modals, walls and locks without a site config: the generic pass clears them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from capture.demo.localsite import LocalSite
from tests.browser.builtin_overlays import (
    CASES,
    FIXTURES,
    Case,
    assert_cleared,
    clear_builtin,
    colour_pixels,
    open_browser,
    open_case,
    run_case,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

MODALS = ["delayed-modal", "scroll-modal", "dialog", "age-gate", "clamped"]
"""Cases checked by assert_cleared alone; the others below check more on the same run."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async for launched in open_browser():
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite(FIXTURES) as started:
        yield started


@pytest.mark.parametrize("name", MODALS)
async def test_overlay_is_cleared_from_the_pixels_and_the_article_reads_whole(
    browser: Browser, site: LocalSite, name: str
) -> None:
    cleared = await run_case(browser, site, CASES[name])
    try:
        await assert_cleared(cleared)
    finally:
        await cleared.outcome.page.context.close()


async def test_the_blurred_article_is_sharp_again(browser: Browser, site: LocalSite) -> None:
    case = CASES["blurred"]
    assert case.marker is not None
    cleared = await run_case(browser, site, case)
    try:
        await assert_cleared(cleared)
        # A 40x40 square of one colour in the article: blur smears it, so few exact pixels.
        assert colour_pixels(cleared.after, case.marker) >= 1500
        assert colour_pixels(cleared.before, case.marker) < 1000
    finally:
        await cleared.outcome.page.context.close()


async def test_a_wall_that_closes_only_on_escape_is_closed_not_removed(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["escape-wall"])
    try:
        await assert_cleared(cleared)
        actions = [(e.action, e.detail, e.ok) for e in cleared.outcome.log.entries]
        assert actions == [("press", "Escape", True)]
    finally:
        await cleared.outcome.page.context.close()


async def test_a_close_link_that_leaves_the_page_is_not_followed(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["fixed-body"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        assert page.url.endswith("/fixed-body.html")
        assert not any(r.path == "/subscribe" for r in site.requests)
        # The lock kept the reader 400 px down the page; unlocking keeps them there.
        assert await page.evaluate("scrollY") == 400
    finally:
        await page.context.close()


async def test_a_returning_wall_is_removed_each_time_it_comes_back(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["returning-wall"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        removes = [e for e in cleared.outcome.log.entries if e.action == "remove" and e.ok]
        assert len(removes) == 3
        assert await page.evaluate("window.comebacks") == 2
    finally:
        await page.context.close()


async def test_a_wall_that_always_comes_back_is_a_failure_with_a_reason(
    browser: Browser, site: LocalSite
) -> None:
    case = CASES["returning-wall"]
    forever = Case(name="forever", page=case.page + "?forever=1", wait_for=case.wait_for)
    page = await open_case(browser, site, forever)
    try:
        outcome = await clear_builtin(page)
        assert len(outcome.failures) == 1
        assert "#return-wall" in outcome.failures[0]
        assert "site config" in outcome.failures[0]
        removes = [e for e in outcome.log.entries if e.action == "remove"]
        assert len(removes) == 3  # the cap: max_rounds
        assert colour_pixels(await screenshot(page), (255, 90, 0)) > 0
    finally:
        await page.context.close()
