"""One Chromium for many captures, relaunched when it dies (or, in a worker, when it has aged)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Protocol

from capture.browser.printing import Printer
from capture.browser.recorder import ExchangeSink
from capture.errors import PrintError
from capture.models import BrowserInfo, CaptureRequest, PageCapture

log = logging.getLogger(__name__)


class _Browser(Protocol):
    def is_connected(self) -> bool: ...


class BrowserRenderer(Protocol):
    """A renderer on one running browser (`ChromiumRenderer`)."""

    @property
    def info(self) -> BrowserInfo:
        """The browser's version and executable, as capture.json records them."""
        ...

    @property
    def browser(self) -> _Browser: ...

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what the browser saw of request.url."""
        ...


Launch = Callable[[], AbstractAsyncContextManager[BrowserRenderer]]
"""Starts a browser; leaving the context closes it (`capture.browser.renderer.open_renderer`)."""


class RecyclingRenderer:
    """A Renderer that keeps one browser and launches a new one when needed.

    Before each capture: a browser that has disconnected (crashed, killed) is replaced, and so
    is one that has rendered `restart_after` pages (long-lived browsers grow). Each capture still
    gets a fresh context from the renderer underneath.
    """

    def __init__(self, launch: Launch, restart_after: int = 200) -> None:
        self._launch = launch
        self.restart_after = max(1, restart_after)
        self._stack: AsyncExitStack | None = None
        self._current: BrowserRenderer | None = None
        self.renders = 0
        self.launches = 0
        self.info = BrowserInfo(executable="", version="", source="", playwright_version="")
        self._relaunching = asyncio.Lock()

    async def ready(self) -> BrowserRenderer:
        """Return a live browser's renderer, launching or relaunching one when needed.

        Concurrent captures that find the browser dead wait for one relaunch, not one each.
        """
        async with self._relaunching:
            return await self._ready()

    async def _ready(self) -> BrowserRenderer:
        current = self._current
        if current is not None and current.browser.is_connected():
            if self.renders < self.restart_after:
                return current
            log.info("restarting the browser", extra={"renders": self.renders})
        elif current is not None:
            log.warning("the browser disconnected; launching another")
        await self.close()
        stack = AsyncExitStack()
        self._current = await stack.enter_async_context(self._launch())
        self._stack = stack
        self.renders = 0
        self.launches += 1
        self.info = self._current.info
        return self._current

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what a live browser saw of request.url."""
        renderer = await self.ready()
        self.renders += 1
        return await renderer.render(request, sink)

    def printer(self) -> Printer | None:
        """Return self when the browsers it launches can print (a fake's cannot), else None."""
        current = self._current
        return self if current is None or isinstance(current, Printer) else None

    async def print_html(self, html: str) -> bytes:
        """Return html printed to PDF by the current browser; raise PrintError when it cannot.

        A browser that died meanwhile is not relaunched for a print: the next capture does it.
        """
        current = self._current
        if current is None or not current.browser.is_connected():
            raise PrintError("Could not print to PDF (the browser is gone).")
        if not isinstance(current, Printer):
            raise PrintError("Could not print to PDF (this renderer has no printer).")
        return await current.print_html(html)

    async def close(self) -> None:
        """Close the browser (a dead one's leftovers too); the next capture launches another."""
        stack, self._stack, self._current = self._stack, None, None
        if stack is None:
            return
        try:
            await stack.aclose()
        except Exception as exc:  # A crashed browser may fail to close; it is gone either way.
            log.warning("closing the browser failed", extra={"error": str(exc)})
