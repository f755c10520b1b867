"""Consent banners without a site config: platforms through autoconsent, the rest generically."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from capture.demo.localsite import LocalSite
from capture.overlays.consent import clear_consent, rules_for, rules_present
from capture.overlays.log import InterventionLog
from tests.browser.builtin_overlays import (
    CASES,
    FIXTURES,
    assert_cleared,
    open_browser,
    open_case,
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


@pytest.mark.parametrize("name", ["cookie-bar", "consent-modal", "german-banner", "cookiebot"])
async def test_consent_banner_is_accepted_and_gone_from_the_screenshot(
    browser: Browser, site: LocalSite, name: str
) -> None:
    cleared = await run_case(browser, site, CASES[name])
    try:
        await assert_cleared(cleared)
    finally:
        await cleared.outcome.page.context.close()


@pytest.mark.parametrize(
    ("name", "rule", "selector"),
    [
        ("onetrust", "builtin:Onetrust", "#onetrust-reject-all-handler"),
        (
            "cookiebot",
            "builtin:Cybotcookiebot",
            "#CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll",
        ),
        ("german-banner", "generic:consent", "#cookie-hinweis"),
        ("cookie-bar", "generic:consent", "#cookie-bar"),
    ],
)
async def test_a_reject_run_refuses_cookies(
    browser: Browser, site: LocalSite, name: str, rule: str, selector: str
) -> None:
    case = CASES[name]
    cleared = await run_case(browser, site, case, choice="reject")
    page = cleared.outcome.page
    try:
        assert await page.evaluate("window.consentChoice") == "reject"
        assert case.colour is not None
        assert cleared.outcome.failures == []
        entries = [e for e in cleared.outcome.log.entries if e.rule == rule and e.ok]
        assert [e.selector for e in entries] == [selector], cleared.outcome.summary()
    finally:
        await page.context.close()


async def test_a_platform_banner_is_logged_with_the_platform_rule(
    browser: Browser, site: LocalSite
) -> None:
    cleared = await run_case(browser, site, CASES["onetrust"])
    try:
        await assert_cleared(cleared)
        [entry] = cleared.outcome.log.entries
        assert (entry.action, entry.rule, entry.ok) == ("click", "builtin:Onetrust", True)
        assert entry.selector == "#onetrust-accept-btn-handler"
        assert entry.frame is None
        assert cleared.outcome.consent_handled
    finally:
        await cleared.outcome.page.context.close()


async def test_a_page_without_a_consent_platform_costs_well_under_a_second(
    browser: Browser, site: LocalSite
) -> None:
    page = await open_case(browser, site, CASES["sticky-header"])
    try:
        log = InterventionLog(lambda: datetime.now(UTC))
        started = time.perf_counter()
        handled = await clear_consent(page, "accept", log)
        elapsed = time.perf_counter() - started
        assert not handled
        assert log.entries == []
        assert elapsed < 1.0, elapsed
    finally:
        await page.context.close()


COMPLIANZ_PAGE = """<!doctype html><html><head><title>Harbour news</title></head><body>
<article><h1>Harbour news</h1><p>The council met on Tuesday.</p></article>
<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner"
  style="position:fixed;bottom:0;left:0;right:0;padding:2em;background:#eee">
  <p>We use cookies.</p>
  <button class="cmplz-btn cmplz-accept" onclick="this.closest('.cmplz-cookiebanner').remove();
    window.consentChoice = 'accept'">Accept</button>
  <button class="cmplz-btn cmplz-deny" onclick="this.closest('.cmplz-cookiebanner').remove();
    window.consentChoice = 'reject'">Deny</button>
</div></div></body></html>"""


async def test_a_banner_known_by_a_json_rule_is_answered_from_the_few_rules_sent(
    browser: Browser,
) -> None:
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(COMPLIANZ_PAGE)
        every = rules_for(page.url, main_frame=True, choice="accept")
        sent = await rules_present(page.main_frame, every)
        assert "Complianz banner" in {rule["name"] for rule in sent}
        assert len(sent) < len(every) / 5  # only rules whose first selector is on the page

        log = InterventionLog(lambda: datetime.now(UTC))
        assert await clear_consent(page, "accept", log)
        assert await page.evaluate("window.consentChoice") == "accept"
        [entry] = log.entries
        assert (entry.rule, entry.ok) == ("builtin:Complianz banner", True)
    finally:
        await context.close()
