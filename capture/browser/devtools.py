"""The per-page DevTools (CDP) session: how responses came, certificates, bodies never read,
and the files a built-in viewer takes over.

Playwright's network events do not carry the protocol (h2, h3), the TLS version and cipher, the
certificate chain, the bodies of requests the page never read, or the bytes of a PDF the browser
shows in its viewer; Chromium's DevTools protocol does. This module owns that session;
`recorder` asks it. It also serializes the rendered DOM (`rendered_dom`) in a world of our own.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from capture.browser.background import Background
from capture.exchanges import TlsDetails
from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page

log = logging.getLogger(__name__)

VIEWER_TYPES = ("application/pdf", "application/x-pdf")
"""Types Chromium shows in a built-in viewer (its PDF viewer) rather than in the page."""

DOCUMENT_RESPONSES = {"patterns": [{"resourceType": "Document", "requestStage": "Response"}]}
"""Fetch interception of every document response of the page's own target, once its headers
came: a viewer document's bytes are read there, before the viewer takes them over."""

VIEWER_READ_MAX_BYTES = 16 * 1024 * 1024
"""The largest declared size read while its response is paused: the navigation waits until the
whole body came. A larger file, or one of unknown length, comes from the viewer's stream."""


def tls_details(raw: dict[str, object] | None) -> TlsDetails | None:
    """Return TlsDetails from Playwright's security details, or None for plain HTTP."""
    if not raw:
        return None

    def when(key: str) -> datetime | None:
        value = raw.get(key)
        return datetime.fromtimestamp(float(value), UTC) if isinstance(value, int | float) else None

    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value) if value else None

    return TlsDetails(
        protocol=text("protocol"),
        issuer=text("issuer"),
        subject=text("subjectName"),
        valid_from=when("validFrom"),
        valid_to=when("validTo"),
    )


@dataclass(frozen=True, slots=True)
class Connection:
    """How one response came: the protocol (ALPN id) and the TLS version and cipher."""

    protocol: str | None = None
    tls_version: str | None = None
    tls_cipher: str | None = None


def connection(response: dict[str, Any]) -> Connection:
    """Return the Connection of a CDP `Network.Response` (protocol, securityDetails)."""
    security = response.get("securityDetails")
    security = security if isinstance(security, dict) else {}

    def text(data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        return str(value) if value else None

    protocol = text(response, "protocol")
    return Connection(
        # Chromium says "blob", "data" or "unknown" for what did not cross the network.
        protocol=protocol if protocol in ("http/1.0", "http/1.1", "h2", "h3") else None,
        tls_version=text(security, "protocol"),
        tls_cipher=text(security, "cipher"),
    )


class BufferedBodies:
    """Reads, over CDP, what Chromium holds of bodies the page never read, and of files the
    browser shows in a viewer.

    Chromium reports a body finished only once the page consumes it, so a fire-and-forget
    `fetch()` (a view counter, a beacon) never gets `requestfinished` and Playwright never hands
    over its body. `Network.streamResourceContent` returns the bytes buffered so far.

    A PDF document's body, as Playwright sees it, is the viewer's placeholder page; the viewer
    reads the file from a stream of its own, and on a busy machine that stream can end aborted
    with its bytes gone (though the viewer shows the file). So each document's response is
    paused once its headers came, and a viewer type's body is read there, off the network,
    before it goes on to the viewer.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._session: CDPSession | None = None
        self._paused = Background()
        self.connections: dict[str, Connection] = {}
        """How the latest response for each URL came: protocol and TLS, from CDP."""
        self._viewer_bodies: dict[tuple[str, str], bytes] = {}

    async def watch(self, context: BrowserContext, page: Page, *, viewer: bool) -> None:
        """Start noting the CDP request ids of page's requests, and (when the browser has a
        viewer) taking the bytes of its viewer documents (its own target, not OOPIFs)."""
        session = await context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._note)
        session.on("Network.responseReceived", self._note_response)
        await session.send("Network.enable")
        self._session = session
        if viewer:  # Pausing documents costs a round trip each: only where it serves.
            session.on(
                "Fetch.requestPaused",
                lambda event: self._paused.spawn(self._take_viewer_body(session, event)),
            )
            await session.send("Fetch.enable", DOCUMENT_RESPONSES)

    def _note(self, event: dict[str, Any]) -> None:
        request = event["request"]
        self._ids[(request["method"], request["url"])] = event["requestId"]
        redirect = event.get("redirectResponse")
        if isinstance(redirect, dict):  # A redirect's response comes only with the next hop.
            self._note_connection(redirect)

    def _note_response(self, event: dict[str, Any]) -> None:
        response = event.get("response")
        if isinstance(response, dict):
            self._note_connection(response)

    def _note_connection(self, response: dict[str, Any]) -> None:
        url = response.get("url")
        if isinstance(url, str):
            self.connections[url] = connection(response)

    async def _take_viewer_body(self, session: CDPSession, event: dict[str, Any]) -> None:
        """Keep the bytes of a document a viewer takes over; let every response go on."""
        request_id = event["requestId"]
        try:
            if is_viewer_document(event):
                reply = await session.send("Fetch.getResponseBody", {"requestId": request_id})
                request = event["request"]
                self._viewer_bodies[(request["method"], request["url"])] = _body(reply)
        except Exception as exc:  # The viewer's own stream remains (see recorder).
            log.info("viewer document not read", extra={"error": str(exc)})
        finally:
            try:
                await session.send("Fetch.continueRequest", {"requestId": request_id})
            except Exception as exc:  # The page or its context is gone.
                log.info("document response not continued", extra={"error": str(exc)})

    def viewer_body(self, method: str, url: str) -> bytes | None:
        """Return (once) the bytes of the viewer document of method and url, or None."""
        return self._viewer_bodies.pop((method, url), None)

    def holds_viewer_body(self, url: str) -> bool:
        """Return True while bytes of a viewer document at url wait for their document."""
        return any(held == url for _, held in self._viewer_bodies)

    async def finish(self, timeout_s: float) -> None:
        """Wait (at most timeout_s) for the paused responses being read and continued."""
        if self._paused.tasks:
            await asyncio.wait(set(self._paused.tasks), timeout=timeout_s)

    async def certificate_chain(self, origin: str) -> tuple[bytes, ...]:
        """Return the DER certificates (leaf first) Chromium holds for origin, or ()."""
        if self._session is None:
            return ()
        reply = await self._session.send("Network.getCertificate", {"origin": origin})
        return tuple(base64.b64decode(item) for item in reply.get("tableNames") or ())

    async def read(self, method: str, url: str) -> bytes | None:
        """Return the bytes buffered for the latest request of method and url, or None."""
        request_id = self._ids.get((method, url))
        if self._session is None or request_id is None:
            return None
        reply = await self._session.send("Network.streamResourceContent", {"requestId": request_id})
        return base64.b64decode(reply.get("bufferedData", ""))


def is_viewer_document(paused: dict[str, Any]) -> bool:
    """Return True when a response paused by `Fetch` is a file Chromium shows in a viewer."""
    status = paused.get("responseStatusCode")
    if not isinstance(status, int) or not 200 <= status < 300 or paused.get("responseErrorReason"):
        return False
    headers = paused.get("responseHeaders") or []

    def header(name: str) -> str:
        return next((h.get("value", "") for h in headers if h.get("name", "").lower() == name), "")

    if header("content-disposition").strip().lower().startswith("attachment"):
        return False  # A download: its bytes come with the download (see recorder).
    length = header("content-length").strip()
    if not length.isdigit() or int(length) > VIEWER_READ_MAX_BYTES:
        return False  # The navigation would wait for all of it, for as long as it takes.
    return header("content-type").split(";")[0].strip().lower() in VIEWER_TYPES


def _body(reply: dict[str, Any]) -> bytes:
    body = reply.get("body", "")
    return base64.b64decode(body) if reply.get("base64Encoded") else body.encode()


DOM_WORLD = "capture-dom"


async def rendered_dom(session: CDPSession) -> str:
    """Return the main frame's DOM, serialized as `page.content()` does, in an isolated world
    of our own: the page's scripts cannot change how it reads, and no Playwright helper script
    has to be compiled into a world first (about 15 ms a page)."""
    tree = await session.send("Page.getFrameTree")
    world = await session.send(
        "Page.createIsolatedWorld",
        {"frameId": tree["frameTree"]["frame"]["id"], "worldName": DOM_WORLD},
    )
    result = await session.send(
        "Runtime.evaluate",
        {
            "expression": page_script("serialize-dom.js"),  # as page.content() serializes it
            "contextId": world["executionContextId"],
            "returnByValue": True,
        },
    )
    value = result.get("result", {}).get("value")
    if "exceptionDetails" in result or not isinstance(value, str):
        raise ValueError(f"the DOM could not be serialized: {result.get('exceptionDetails')}")
    return value
