"""The renderer: one running Chromium, a fresh context per capture (the steps are in pagerun)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from capture.browser import netguard, printing
from capture.browser.launch import launch_chosen, launched_ahead, playwright_driver
from capture.browser.pagerun import PageRun
from capture.browser.recorder import ExchangeSink
from capture.browser.settings import PageHook, RenderSettings
from capture.browser.spare import SparePage
from capture.models import (
    BrowserInfo,
    CaptureRequest,
    PageCapture,
)
from capture.steps import Clock, utc_now

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

log = logging.getLogger(__name__)


def _playwright_version() -> str:
    from importlib.metadata import version

    return version("playwright")


"""Prepares a fresh context and its page before navigation (replay installs its routes here)."""


class ChromiumRenderer:
    """Renders pages in one running Chromium, one fresh context per capture."""

    def __init__(
        self,
        browser: Browser,
        info: BrowserInfo,
        clock: Clock = utc_now,
        *,
        prepare: PageHook | None = None,
        context_options: dict[str, Any] | None = None,
        address_policy: netguard.AddressPolicy | None = None,
        first_shot_at_s: float | None = None,
        spare: SparePage | None = None,
        print_page: Page | None = None,
    ) -> None:
        self._print_page = print_page
        """The first print's page, made at launch (the browser's facts were read in it)."""
        self.settings = RenderSettings(
            browser,
            info,
            clock,
            prepare=prepare,
            context_options=dict(context_options or {}),
            address_policy=address_policy,
            first_shot_at_s=first_shot_at_s,
            spare=spare,
        )

    @property
    def browser(self) -> Browser:
        """The running Chromium."""
        return self.settings.browser

    @property
    def info(self) -> BrowserInfo:
        """The browser's version and executable, as capture.json records them."""
        return self.settings.info

    @property
    def spare(self) -> SparePage | None:
        """The next capture's context and page, made while the last one's files are written."""
        return self.settings.spare

    def replaying(
        self,
        prepare: PageHook,
        context_options: dict[str, Any],
        *,
        first_shot_at_s: float | None = None,
    ) -> ChromiumRenderer:
        """Return a renderer on the same browser that runs prepare on each page before it
        navigates, its contexts made with context_options (capture.qa.check serves a WARC this way),
        shooting first no earlier than first_shot_at_s after navigation starts."""
        settings = self.settings
        return ChromiumRenderer(
            settings.browser,
            settings.info,
            settings.clock,
            prepare=prepare,
            context_options=context_options,
            address_policy=settings.address_policy,
            first_shot_at_s=first_shot_at_s,
        )

    def with_address_policy(self, policy: netguard.AddressPolicy) -> ChromiumRenderer:
        """Return a renderer on the same browser that judges addresses by policy (tests)."""
        settings = self.settings
        return ChromiumRenderer(
            settings.browser,
            settings.info,
            settings.clock,
            prepare=settings.prepare,
            context_options=dict(settings.context_options),
            address_policy=policy,
        )

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what the browser saw of request.url; exchanges go to sink as they finish."""
        page_run = PageRun(self.settings, request, sink)
        page = await page_run.run()
        if self.spare is not None and page_run.context_options is not None:
            self.spare.make(page_run.context_options)
        return page

    async def print_html(self, html: str) -> bytes:
        """Return html printed to PDF by this browser (provenance.pdf); raise PrintError."""
        page, self._print_page = self._print_page, None
        fresh = page if page is not None and not page.is_closed() else None
        return await printing.print_html(self.browser, html, page=fresh)


@asynccontextmanager
async def open_renderer(
    browser_path: str | None = None, *, spares: bool = True
) -> AsyncIterator[ChromiumRenderer]:
    """Yield a renderer on a freshly launched Chromium (the one `launch_ahead` launched, when
    there is one); the browser closes on exit.

    With `spares`, each capture's successor gets a page made ahead (`SparePage`); a run of one
    page has no successor to make one for."""
    async with playwright_driver() as playwright:
        launched = await launched_ahead(browser_path) or await launch_chosen(
            playwright, browser_path
        )
        browser, choice = launched.browser, launched.choice
        try:
            # The browser's facts are read in the first print's page (scriptless pages still
            # answer DevTools): one page opened, not one for the facts and one to print in.
            user_agent, pdf_viewer = await launched.print_page.evaluate(
                "[navigator.userAgent, navigator.pdfViewerEnabled === true]"
            )
            info = BrowserInfo(
                executable=choice.executable,
                version=browser.version,
                source=choice.source,
                playwright_version=_playwright_version(),
                user_agent=user_agent,
                sha256=launched.sha256,
                pdf_viewer=pdf_viewer,
            )
            spare = SparePage(browser) if spares else None
            try:
                yield ChromiumRenderer(browser, info, spare=spare, print_page=launched.print_page)
            finally:
                if spare is not None:
                    await spare.close()
        finally:
            await browser.close()


__all__ = ["ChromiumRenderer", "open_renderer"]
