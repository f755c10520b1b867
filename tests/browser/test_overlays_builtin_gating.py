"""Walls the capture cannot clear are reported as gated, never as a clean capture."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from capture.demo.localsite import LocalSite
from tests.browser.builtin_overlays import CASES, FIXTURES, clear_builtin, open_browser, open_case

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async for launched in open_browser():
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite(FIXTURES) as started:
        yield started


async def test_publisher_declared_gating_is_reported_with_the_remedy(
    browser: Browser, site: LocalSite
) -> None:
    page = await open_case(browser, site, CASES["gated-jsonld"])
    try:
        outcome = await clear_builtin(page)
        assert outcome.gated is not None
        assert "isAccessibleForFree" in outcome.gated
        assert ".paywalled" in outcome.gated
        assert "Log in with a site config" in outcome.gated
        assert outcome.log.entries == []  # nothing to clear: the text is not in the page
    finally:
        await page.context.close()


async def test_a_server_side_wall_is_reported_as_gated(browser: Browser, site: LocalSite) -> None:
    page = await open_case(browser, site, CASES["server-wall"])
    try:
        outcome = await clear_builtin(page)
        assert outcome.gated is not None
        assert "teaser" in outcome.gated
        assert "Log in with a site config" in outcome.gated
    finally:
        await page.context.close()
