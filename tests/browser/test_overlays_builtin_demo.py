"""The demo article with generic handling only (no site config, no consent platform rules)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from PIL import Image, ImageChops
from playwright.async_api import Browser, Page

from capture.browser.screenshot import page_size
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.overlays.gating import detect_gating
from capture.overlays.generic import clear_generic
from capture.overlays.log import InterventionLog
from tests.browser.builtin_overlays import VIEWPORT, open_browser, scrolls, viewport_shot

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

OVERLAYS = ("#ijr-cookie-consent", ".mfp-wrap", ".mfp-bg", "#ijr-regwall")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async for launched in open_browser():
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with demo_site() as started:
        yield started


async def load(page: Page, site: LocalSite) -> None:
    """Open the demo article and wait for its share counts to be filled in."""
    await page.goto(site.url(DEMO_ARTICLE_PATH), wait_until="load")
    await page.wait_for_function(
        "() => document.querySelector('[data-stat=shares]').textContent.trim() === '503'"
    )


async def member_view(browser: Browser, site: LocalSite) -> tuple[Image.Image, tuple[int, int]]:
    """Return what a member who answered the banner sees: the window and the page size."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    await context.add_cookies(
        [
            {"name": name, "value": value, "url": site.base_url}
            for name, value in (("ijr_consent", "accepted"), ("ijr_member", "1"))
        ]
    )
    page = await context.new_page()
    try:
        await load(page, site)
        return await viewport_shot(page), await page_size(page)
    finally:
        await context.close()


async def walled_page(browser: Browser, site: LocalSite) -> Page:
    """Return the demo article with its banner, login popup and registration wall up."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = await context.new_page()
    await load(page, site)
    for selector in ("#ijr-cookie-consent", ".mfp-wrap", "#ijr-regwall"):
        await page.wait_for_selector(selector, state="visible")
    return page


def changed_share(first: Image.Image, second: Image.Image) -> float:
    """Return the share of pixels that differ between two same-size images."""
    mask = ImageChops.difference(first, second).convert("L").point(lambda v: 255 if v else 0)
    return mask.histogram()[255] / (first.width * first.height)


async def test_generic_handling_alone_clears_the_demo_as_a_member_sees_it(
    browser: Browser, site: LocalSite
) -> None:
    member, member_size = await member_view(browser, site)
    page = await walled_page(browser, site)
    try:
        walled = await viewport_shot(page)
        assert changed_share(walled, member) > 0.3  # the overlays cover most of the window
        log = InterventionLog(lambda: datetime.now(UTC))
        assert await clear_generic(page, log) == []
        assert await detect_gating(page) is None
        cleared = await viewport_shot(page)
        assert changed_share(cleared, member) < 0.002, log.entries
        assert await page_size(page) == member_size
        assert await scrolls(page)
        for selector in OVERLAYS:
            assert await page.locator(selector).count() == 0 or not await page.is_visible(selector)
        done = {(e.action, e.rule, e.selector) for e in log.entries if e.ok}
        assert ("click", "generic:consent", "#ijr-cookie-consent") in done
        assert ("press", "generic:modal", "div.mfp-wrap.mfp-ready") in done
        assert ("remove", "generic:wall", "#ijr-regwall") in done
        assert ("unlock_scroll", "generic:scroll_lock", "html, body") in done
        assert "ijr_consent=accepted" in await page.evaluate("document.cookie")
    finally:
        await page.context.close()
