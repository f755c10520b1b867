"""Logging in by hand: a person logs in to a browser, and its storage state becomes the session.

With a display, the browser shows a window. Without one (a server reached over SSH), a small
page on 127.0.0.1 shows the browser's screen (a screenshot every few hundred milliseconds) and
passes the person's clicks, keys, pasted text and scrolling through to it. The page's address
carries a random token: another user of the machine cannot drive the browser. The session is
saved once the page shows the site config's `logged_in` selector (or its login's `success`), or
when the person says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.browser.launch import choose_browser, launch
from capture.errors import UsageError
from capture.login.signin import PAGE_TIMEOUT_S, context_options
from capture.options import CaptureOptions

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

    from capture.config.site import SiteConfig

log = logging.getLogger(__name__)

WAIT_FOR_PERSON_S = 900.0
"""How long a person has to log in."""

Say = Callable[[str], None]

CONTROL_PAGE = Path(__file__).with_name("control.html")
"""The page a person logs in through: the browser's screen, their clicks and keys sent back."""


def done_sign(site: SiteConfig) -> str:
    """Return the selector that shows the person is logged in, or raise UsageError."""
    sign = site.logged_in or (site.login.success if site.login else None)
    if sign is None:
        raise UsageError(
            f"The site config {site.source or site.name} does not say how a logged-in page "
            "looks. Add `logged_in: <selector>` to it, so the session is saved once you are in"
        )
    return sign


class ScreenServer:
    """The page on 127.0.0.1 that shows a browser page and passes clicks and keys to it."""

    def __init__(self, page: Page, port: int = 0) -> None:
        self.page = page
        self.port = port
        self.token = secrets.token_urlsafe(16)
        self.done = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._lock = asyncio.Lock()

    @property
    def url(self) -> str:
        """Return the control page's address (with its token)."""
        return f"http://127.0.0.1:{self.port}/{self.token}/"

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[ScreenServer]:
        """Serve until the block ends."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, path, body = await _read_request(reader)
            status, kind, data = await self._answer(method, path, body)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(data)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + data)
            await writer.drain()
        except (ValueError, ConnectionError, asyncio.IncompleteReadError) as exc:
            log.debug("bad request to the login page", extra={"error": str(exc)})
        finally:
            writer.close()

    async def _answer(self, method: str, path: str, body: bytes) -> tuple[str, str, bytes]:
        prefix = f"/{self.token}/"
        if not path.startswith(prefix):
            return "404 Not Found", "text/plain", b"not here\n"
        route = path.removeprefix(prefix).partition("?")[0]
        if method == "GET" and route == "":
            return "200 OK", "text/html; charset=utf-8", CONTROL_PAGE.read_bytes()
        if method == "GET" and route == "screen.png":
            async with self._lock:
                return "200 OK", "image/png", await self.page.screenshot(type="png")
        if method == "POST":
            data = json.loads(body or b"{}")
            async with self._lock:
                await self._act(route, data)
            return "200 OK", "application/json", b"{}"
        return "404 Not Found", "text/plain", b"not here\n"

    async def _act(self, route: str, data: dict[str, Any]) -> None:
        from playwright.async_api import Error as PlaywrightError

        try:
            if route == "click":
                await self.page.mouse.click(float(data["x"]), float(data["y"]))
            elif route == "type":
                await self.page.keyboard.type(str(data["text"]))
            elif route == "key":
                await self.page.keyboard.press(str(data["key"]))
            elif route == "wheel":
                await self.page.mouse.wheel(float(data["dx"]), float(data["dy"]))
            elif route == "done":
                self.done.set()
        except PlaywrightError as exc:  # an unknown key name, a page navigating away
            log.info("could not pass an input to the browser", extra={"error": str(exc)})


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await asyncio.wait_for(reader.readexactly(length), timeout=10) if length else b""
    return method, path, body


async def interactive_session(
    browser: Browser,
    site: SiteConfig,
    url: str,
    *,
    visible: bool,
    stop: asyncio.Event,
    say: Say,
    port: int = 0,
    ready: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Return the storage state once a person has logged in to url in browser.

    visible: the browser shows its own window; else the page of a ScreenServer on port
    (`ready` gets its address). Raises UsageError when the person did not log in in time.
    """
    sign = done_sign(site)
    options = CaptureOptions()
    context = await browser.new_context(**context_options(site, options))
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_S * 1000)
        signed = page.locator(sign).first

        def logged_in() -> Any:
            return signed.wait_for(state="visible", timeout=WAIT_FOR_PERSON_S * 1000)

        if visible:
            say(f"Log in in the browser window; the session is saved once {sign} appears.")
            await _first_of(logged_in(), stop.wait())
        else:
            async with ScreenServer(page, port).serving() as server:
                say(
                    f"Open {server.url} (over SSH: ssh -L {server.port}:127.0.0.1:"
                    f"{server.port} HOST) and log in; the session is saved once {sign} appears."
                )
                if ready is not None:
                    ready(server.url)
                await _first_of(logged_in(), stop.wait(), server.done.wait())
        if stop.is_set():
            raise UsageError("Stopped before logging in: no session was saved.")
        return dict(await context.storage_state())
    finally:
        await context.close()


async def _first_of(*waits: Any) -> None:
    """Wait until the first of waits ends; cancel the others. A timeout becomes UsageError."""
    from playwright.async_api import Error as PlaywrightError

    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and isinstance(task.exception(), PlaywrightError | TimeoutError):
            raise UsageError(
                "No session was saved: the browser was closed, or no login came within "
                f"{WAIT_FOR_PERSON_S:g} s. Try again."
            )


async def launch_and_log_in(
    site: SiteConfig,
    url: str,
    *,
    browser_path: str | None,
    visible: bool,
    port: int,
    stop: asyncio.Event,
    say: Say,
) -> dict[str, Any]:
    """Return the storage state of a login by hand, in a Chromium launched for it."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        choice = choose_browser(playwright, browser_path)
        # The headless shell has no window to show: the person then gets the page instead.
        visible = visible and "headless" not in choice.executable
        browser = await launch(playwright, choice, headless=not visible)
        try:
            return await interactive_session(
                browser, site, url, visible=visible, stop=stop, say=say, port=port
            )
        finally:
            await browser.close()
