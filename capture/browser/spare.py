"""A fresh context and page made ahead, while the last capture finishes.

Opening a page starts a renderer process: about 40 ms of a 0.3 s capture on this machine, paid
again by every capture. After a capture's browser work ends (its files are still being written),
the next capture's context and page are made in the background with the same options, so the
next capture starts on a page already open. Each capture still gets a context nothing has used:
a spare is never navigated before it is taken, and one made with other options is closed, not
taken.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import TYPE_CHECKING, Any

from capture.browser.background import Background

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

log = logging.getLogger(__name__)

CLOSE_S = 5.0
"""How long closing the spare may take when the renderer closes."""


async def open_page(browser: Browser, options: dict[str, Any]) -> tuple[BrowserContext, Page]:
    """Return a new context made with options and its first page."""
    context = await browser.new_context(**options)
    try:
        return context, await context.new_page()
    except BaseException:
        await context.close()
        raise


class SparePage:
    """At most one context and page made ahead, for the next capture with the same options."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._next: asyncio.Task[tuple[BrowserContext, Page]] | None = None
        self._key = ""
        self._closing = Background()
        self._crashed: weakref.WeakSet[Page] = weakref.WeakSet()
        self.taken = 0
        """How many captures started on a spare (tests read it)."""

    async def take(self, options: dict[str, Any]) -> tuple[BrowserContext, Page]:
        """Return the spare when it was made with options and is still open, else a new one."""
        ready, self._next = self._next, None
        if ready is not None and self._key != _key(options):
            self._closing.spawn(_close_when_made(ready))
        elif ready is not None:
            try:
                context, page = await ready
            except Exception:  # The browser went away meanwhile (logged): make one now.
                pass
            else:
                if not page.is_closed() and page not in self._crashed:
                    self.taken += 1
                    return context, page
                await _close(context)
        return await open_page(self._browser, options)

    def make(self, options: dict[str, Any]) -> None:
        """Start making a context and page with options, unless one is being made already.

        Options that name a file read when the context is made (a saved session) get none: the
        file may change before the next capture starts."""
        if self._next is not None or not self._browser.is_connected():
            return
        if "storage_state" in options:
            return
        self._key = _key(options)
        self._next = asyncio.ensure_future(self._open(options))
        self._next.add_done_callback(_log_failure)

    async def _open(self, options: dict[str, Any]) -> tuple[BrowserContext, Page]:
        context, page = await open_page(self._browser, options)
        page.on("crash", self._crashed.add)  # a crashed page is not closed: never take it
        return context, page

    async def close(self) -> None:
        """Close the spare, made or being made (before its browser closes)."""
        ready, self._next = self._next, None
        if ready is not None:
            self._closing.spawn(_close_when_made(ready))
        if self._closing.tasks:  # bounded: a browser that hangs is closed (killed) next
            await asyncio.wait(set(self._closing.tasks), timeout=CLOSE_S)

    async def made(self) -> None:
        """Wait until the spare being made is made (or failed): a measurement that must not
        overlap its making waits here first."""
        if self._next is not None:
            await asyncio.wait({self._next})


def _key(options: dict[str, Any]) -> str:
    return json.dumps(options, sort_keys=True, default=repr)


async def _close_when_made(ready: asyncio.Task[tuple[BrowserContext, Page]]) -> None:
    try:
        context, _ = await ready
    except Exception:  # Never made (already logged): nothing to close.
        return
    await _close(context)


async def _close(context: BrowserContext) -> None:
    try:
        await context.close()
    except Exception as exc:  # Its browser is gone: so is the context.
        log.info("spare context not closed", extra={"error": str(exc)})


def _log_failure(task: asyncio.Task[tuple[BrowserContext, Page]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("spare page not made", extra={"error": str(task.exception())})
