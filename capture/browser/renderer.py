"""The renderer: one running Chromium, a fresh context per capture (the steps are in pagerun)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.browser import netguard, printing
from capture.browser.launch import choose_browser, launch
from capture.browser.pagerun import PageRun
from capture.browser.recorder import Clock, ExchangeSink, utc_now
from capture.browser.settings import PageHook, RenderSettings
from capture.browser.spare import SparePage
from capture.models import (
    BrowserInfo,
    CaptureRequest,
    PageCapture,
)
from capture.output.files import sha256_file

if TYPE_CHECKING:
    from playwright.async_api import Browser

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
    ) -> None:
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
        return await printing.print_html(self.browser, html)


@asynccontextmanager
async def open_renderer(browser_path: str | None = None) -> AsyncIterator[ChromiumRenderer]:
    """Yield a renderer on a freshly launched Chromium; the browser closes on exit."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        choice = choose_browser(playwright, browser_path)
        # The binary's hash (for the provenance record) is taken while the browser starts.
        hashing = asyncio.ensure_future(asyncio.to_thread(sha256_file, Path(choice.executable)))
        try:
            browser = await launch(playwright, choice)
        except BaseException:
            await asyncio.gather(hashing, return_exceptions=True)  # its outcome is taken
            raise
        try:
            context = await browser.new_context()
            page = await context.new_page()
            user_agent, pdf_viewer = await page.evaluate(
                "[navigator.userAgent, navigator.pdfViewerEnabled === true]"
            )
            await context.close()
            info = BrowserInfo(
                executable=choice.executable,
                version=browser.version,
                source=choice.source,
                playwright_version=_playwright_version(),
                user_agent=user_agent,
                sha256=await hashing,
                pdf_viewer=pdf_viewer,
            )
            spare = SparePage(browser)
            try:
                yield ChromiumRenderer(browser, info, spare=spare)
            finally:
                await spare.close()
        finally:
            await asyncio.gather(hashing, return_exceptions=True)  # when the probe failed first
            await browser.close()


__all__ = ["ChromiumRenderer", "open_renderer"]
