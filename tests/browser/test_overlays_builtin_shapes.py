"""Shapes real publishers use that the generic pass clears: a consent dialog in a shadow root,
text a paywall script hid, a height clamp under a box, cookie bars a site wrote itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from capture.demo.localsite import LocalSite
from tests.browser.builtin_overlays import (
    CASES,
    FIXTURES,
    assert_cleared,
    open_browser,
    run_case,
)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async for launched in open_browser():
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite(FIXTURES) as started:
        yield started


async def test_a_consent_dialog_in_a_shadow_root_is_answered(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["shadow-consent"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        entry = next(e for e in cleared.outcome.log.entries if e.rule == "generic:consent")
        assert "accept all" in entry.detail
        assert await page.evaluate("document.querySelector('privacy-prompt')") is None
    finally:
        await page.context.close()


async def test_a_consent_dialog_in_a_shadow_root_is_rejected_when_asked(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["shadow-consent"], choice="reject")
    try:
        assert await cleared.outcome.page.evaluate("window.consentChoice") == "reject"
    finally:
        await cleared.outcome.page.context.close()


async def test_a_consent_banner_in_a_same_origin_frame_is_answered(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["frame-consent"])
    try:
        await assert_cleared(cleared)
        [entry] = cleared.outcome.log.entries
        assert entry.selector == "#consent-frame" and "accept all" in entry.detail
    finally:
        await cleared.outcome.page.context.close()


async def test_text_a_paywall_script_hid_is_revealed_and_its_box_removed(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["paywall-hidden"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        [entry] = [e for e in cleared.outcome.log.entries if e.action == "reveal"]
        assert entry.ok and entry.elements == 1
        assert ".tp-hidden" in entry.detail and "[data-paywall]" in entry.detail
        assert "display: none" in entry.detail and ".tp-offer" in entry.detail
        assert await page.evaluate("document.querySelector('.tp-offer')") is None
        text = await page.evaluate("document.body.innerText")
        assert "Residents of the lower town" in text
    finally:
        await page.context.close()


async def test_a_height_clamp_under_a_continue_reading_box_is_lifted(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["clamp-box"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        [entry] = [e for e in cleared.outcome.log.entries if e.action == "unclamp"]
        assert "box removed: div.continue" in entry.detail
        assert "fade: #story > div.fade-out" in entry.detail
        assert await page.evaluate("document.querySelector('.fade-out')") is None
    finally:
        await page.context.close()


async def test_a_french_cookie_bar_in_the_flow_is_cleared_and_its_neighbour_kept(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["cookie-fr"])
    page = cleared.outcome.page
    try:
        await assert_cleared(cleared)
        log = [(e.action, e.rule, e.ok) for e in cleared.outcome.log.entries]
        # "Fermer" changed nothing on this page: logged as not working, then the bar removed.
        assert log == [("click", "generic:consent", False), ("remove", "generic:consent", True)]
        assert "fermer" in cleared.outcome.log.entries[0].detail
        assert "nothing visible changed" in cleared.outcome.log.entries[0].detail
        assert await page.evaluate("document.querySelector('.cookies .notice') !== null")
        assert page.url.endswith("cookie-fr.html") or page.url.endswith("cookie-fr.html#")
    finally:
        await page.context.close()


async def test_a_spanish_cookie_bar_with_only_cerrar_is_closed(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["cookie-es"])
    try:
        await assert_cleared(cleared)
    finally:
        await cleared.outcome.page.context.close()
