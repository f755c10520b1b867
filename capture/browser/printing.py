"""Printing to PDF with the capture's own Chromium: provenance.pdf and the page's own print.

A clerk files a PDF: `provenance.pdf` is provenance.html as the same browser prints it, made in
a fresh context that runs no script and reaches no network (the page is self-contained);
`page.pdf` (`--pdf`) is the captured page itself, printed as it stood on screen after the
interventions, before its context closes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from capture.browser.background import Background
from capture.errors import PrintError
from capture.steps import SYSTEM_CLOCK, MonotonicClock

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

log = logging.getLogger(__name__)

PRINT_TIMEOUT_S = 30.0
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "print_background": True,
    "margin": {"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
}
"""One paper for every print: A4 with backgrounds, as a court file expects."""


@runtime_checkable
class Printer(Protocol):
    """A renderer that can also print HTML to PDF with its browser (`ChromiumRenderer`)."""

    async def print_html(self, html: str) -> bytes:
        """Return html printed to PDF; raise PrintError when the browser cannot."""
        ...


async def open_print_page(browser: Browser) -> Page:
    """Return the page of a fresh scriptless, offline context, for one `print_html`."""
    context = await _new_context(browser)
    try:
        return await context.new_page()
    except BaseException:
        await context.close()
        raise


async def print_html(
    browser: Browser,
    html: str,
    *,
    timeout_s: float = PRINT_TIMEOUT_S,
    page: Page | None = None,
    clock: MonotonicClock = SYSTEM_CLOCK,
) -> bytes:
    """Return a self-contained HTML page printed to PDF in a fresh scriptless, offline context.

    `page` is one `open_print_page` made ahead, nothing loaded in it since (its context is
    closed after the print); without it, one is made now.
    Raises PrintError when the browser fails or takes longer than timeout_s.
    """
    from playwright.async_api import Error as PlaywrightError

    try:
        async with clock.timeout(timeout_s):
            context = page.context if page is not None else await _new_context(browser)
            try:
                page = page or await context.new_page()
                await page.set_content(html, wait_until="load")
                return await page.pdf(**PDF_OPTIONS)
            finally:
                await context.close()
    except (PlaywrightError, TimeoutError) as exc:
        raise PrintError(
            f"Could not print to PDF ({_reason(exc)}). The browser may have crashed; "
            "capture the page again."
        ) from exc


async def _new_context(browser: Browser) -> BrowserContext:
    """Return a scriptless, offline context; when the wait for it is given up (a timeout),
    the context the browser makes anyway is closed as soon as it exists."""
    making = asyncio.ensure_future(browser.new_context(java_script_enabled=False, offline=True))
    try:
        return await asyncio.shield(making)
    except asyncio.CancelledError:
        making.add_done_callback(_close_made)
        raise


_CLOSING = Background()
"""The closes of contexts made after their print was given up."""


def _close_made(making: asyncio.Future[BrowserContext]) -> None:
    if making.cancelled() or making.exception() is not None:
        return
    _CLOSING.spawn(_close_quietly(making.result()))


async def _close_quietly(context: BrowserContext) -> None:
    from playwright.async_api import Error as PlaywrightError

    try:
        await context.close()
    except PlaywrightError as exc:  # the browser went away meanwhile: nothing is left open
        log.info("late print context not closed", extra={"error": str(exc)})


async def print_page(page: Page, *, timeout_s: float = PRINT_TIMEOUT_S) -> bytes:
    """Return the page printed to PDF as it stands on screen (screen media, backgrounds).

    Raises PrintError when the browser fails or takes longer than timeout_s.
    """
    from playwright.async_api import Error as PlaywrightError

    try:
        async with asyncio.timeout(timeout_s):
            await page.emulate_media(media="screen")
            return await page.pdf(**PDF_OPTIONS)
    except (PlaywrightError, TimeoutError) as exc:
        raise PrintError(f"Could not print the page to PDF ({_reason(exc)}).") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text or f"no answer within {PRINT_TIMEOUT_S:g} s"
