"""Recording a page's HTTP exchanges from Playwright's network events.

With `capture.browser.wire`, which reads them, this is the only module that touches Playwright's
Request and Response objects. Another recording strategy (a recording proxy, raw CDP) would replace
these two and nothing else: the rest of the pipeline sees only `Exchange` values handed to a sink
as each exchange finishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from capture.browser.background import Background
from capture.browser.devtools import VIEWER_TYPES, BufferedBodies, Connection
from capture.browser.viewerfiles import ViewerFiles, with_body
from capture.browser.wire import (
    PDF_VIEWER_ORIGIN,
    content_type_of,
    failure_of,
    frame_url,
    header_value,
    http_request,
    http_response,
    inside_viewer,
    is_recordable,
)
from capture.exchanges import Exchange, FailedRequest, HttpResponse
from capture.models import TrafficSummary
from capture.page.activity import NetworkActivity
from capture.sessions.redaction import LoginBarrier
from capture.steps import SYSTEM_CLOCK, Clock, MonotonicClock, utc_now

if TYPE_CHECKING:
    from playwright.async_api import (
        BrowserContext,
        Download,
        Page,
        Request,
        Response,
    )

log = logging.getLogger(__name__)

ExchangeSink = Callable[[Exchange], None]
SALVAGE_S = 2.0
"""How long reading one unread body over CDP may take."""

CODE_TYPES = frozenset({"script", "document"})
"""Resource types that run code the page has not yet run when they arrive: a script compiles
off the main thread before it runs, and a frame's document parses and loads its own."""


class Recorder:
    """Turns a browser context's network events into Exchanges handed to a sink.

    Exchanges reach the sink as their bodies are read, in no fixed order, except that none
    passes a login in flight (a request whose body carries one of `credentials`): see
    `capture.redaction.LoginBarrier`.
    """

    def __init__(
        self,
        sink: ExchangeSink,
        clock: Clock = utc_now,
        *,
        credentials: Sequence[str] = (),
        monotonic: MonotonicClock = SYSTEM_CLOCK,
    ) -> None:
        self._sink = sink
        self._clock = clock
        self._logins = LoginBarrier(credentials, self._store)
        self._started: dict[Request, datetime] = {}
        self._tasks = Background()
        self._download_held: dict[str, Exchange] = {}
        """Navigations that turned into downloads: the body comes from the download."""
        self._downloaded: dict[str, bytes] = {}
        """Downloaded files not yet matched with their navigation's response."""
        self.download_documents: dict[str, HttpResponse] = {}
        """Navigations that turned into downloads, by URL: the server's answer (no body)."""
        self._failed: list[FailedRequest] = []
        self.lost_files: list[str] = []
        """URLs of documents shown in a viewer or downloaded whose real body never came."""
        self._waiting: set[Request] = set()
        """Requests with no response yet: they (and PDF bodies not yet streamed) keep it busy."""
        self._streaming: dict[Request, float] = {}
        """Requests whose headers came (on the monotonic clock) but whose body has not finished (or
        is never read)."""
        self._salvaged: set[Request] = set()
        self._stopped = False
        """Set by drain(): events after it come from the context closing and are not traffic."""
        self._buffered = BufferedBodies()
        self._viewer = ViewerFiles(
            self._emit_late, self._file_lost, self._buffered.holds_viewer_body
        )
        """PDF documents shown in the viewer, matched with the viewer's streams of their bytes."""
        self.network = NetworkActivity(self._busy, self._arriving, monotonic)
        """The network's last events; waits for quiet (see `capture.page.settle`)."""
        self.exchanges = 0
        self.bytes = 0

    def attach(self, context: BrowserContext) -> None:
        """Start listening to context's network events (every page and frame in it)."""
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfinished", self._on_finished)
        context.on("requestfailed", self._on_failed)

    async def watch_page(self, context: BrowserContext, page: Page, *, viewer: bool) -> None:
        """Also follow page over CDP, to save bodies it never reads and, when the browser has
        a PDF viewer, the bytes of the PDFs it shows (see BufferedBodies)."""
        try:
            await self._buffered.watch(context, page, viewer=viewer)
        except Exception as exc:  # Without it only unread bodies are lost, as failures.
            log.info("no CDP session for unread bodies", extra={"error": str(exc)})

    # -- events -------------------------------------------------------------------------------

    def _on_request(self, request: Request) -> None:
        if self._stopped:
            return
        self._started[request] = self._clock()
        self._waiting.add(request)
        if self._logins.watching:  # reads the body only when there is a login to see
            self._logins.started(request, request.post_data_buffer)
        self._touch()

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request in self._waiting:
            self._waiting.discard(request)
            self._streaming[request] = self.network.clock.now()
        self._touch()

    def _on_finished(self, request: Request) -> None:
        self._note_code(request)
        if not self._stopped:
            self._touch()
            self._tasks.spawn(self._finish(request))

    def _on_failed(self, request: Request) -> None:
        self._note_code(request)
        if not self._stopped:
            self._touch()
            self._tasks.spawn(self._fail(request))

    def _note_code(self, request: Request) -> None:
        if request.resource_type in CODE_TYPES:
            self.network.code_arrived()

    def _touch(self) -> None:
        self.network.touch()

    def _settle(self, request: Request) -> None:
        """Done with request (its body read): the network was active when it ended, not now."""
        self._waiting.discard(request)
        self._streaming.pop(request, None)
        self.network.wake()
        self._logins.ended(request)

    async def _finish(self, request: Request) -> None:
        try:
            if request.url.startswith(PDF_VIEWER_ORIGIN):
                if request.resource_type == "other":  # the stream; the rest is the viewer's UI
                    await self._viewer_stream(request)
                return
            if not is_recordable(request.url) or inside_viewer(request):
                return
            if request in self._salvaged:  # read late, after drain already saved its body
                return
            exchange = await self._exchange(request)
            if exchange is None:
                return
            content_type = content_type_of(exchange.response.headers)
            if exchange.resource_type == "document" and content_type in VIEWER_TYPES:
                # The body we got is the viewer's placeholder: the real one was read off the
                # network (our own target's documents), or follows as the viewer's stream.
                body = self._buffered.viewer_body(request.method, request.url)
                if body is None:
                    self._viewer.document(exchange)
                    return
                exchange = self._viewer.read_off_network(exchange, body)
            self._emit(exchange)
        except Exception as exc:  # One broken exchange must never stop the capture.
            log.warning("exchange not recorded", extra={"url": request.url, "error": str(exc)})
        finally:
            self._settle(request)

    async def _fail(self, request: Request) -> None:
        try:
            if request.url.startswith(PDF_VIEWER_ORIGIN) and request.resource_type == "other":
                self._viewer.stream(frame_url(request), None)
                return
            if not is_recordable(request.url):
                return
            exchange = await self._exchange(request)
            if exchange is None:
                self._failed.append(failure_of(request, request.failure or "failed"))
            elif exchange.resource_type == "document":
                # A navigation that turns into a download is aborted once its headers came:
                # the download hands over the body, before or after this point.
                self._download_held.setdefault(request.url, exchange)
                self.download_documents.setdefault(request.url, exchange.response)
                self._match_download(request.url)
            else:
                # Chromium aborts error responses it will not use (a 404 script): the status
                # and headers are still what the server said.
                self._emit(exchange)
                if exchange.response.status < 400:
                    self._failed.append(failure_of(request, request.failure or "failed"))
        except Exception as exc:
            log.warning("failure not recorded", extra={"url": request.url, "error": str(exc)})
        finally:
            self._settle(request)

    async def _exchange(self, request: Request) -> Exchange | None:
        response = await request.response()
        if response is None:
            return None
        return Exchange(
            request=await http_request(request),
            response=await self._http_response(response),
            started_at=self._started.get(request) or self._clock(),
            resource_type=request.resource_type,
        )

    async def _http_response(self, response: Response, body: bytes | None = None) -> HttpResponse:
        if body is None:
            body = await self._body(response)
        return await http_response(response, body, await self._connection(response))

    async def _connection(self, response: Response) -> Connection:
        """Return how response came; frames in other processes have no CDP facts, so their
        TLS version comes from Playwright and their HTTP protocol stays unknown."""
        seen = self._buffered.connections.get(response.url)
        if seen is not None or not response.url.startswith("https:"):
            return seen or Connection()
        details = await response.security_details()
        return Connection(tls_version=details.get("protocol") if details else None)

    async def certificate_chain(self, url: str) -> tuple[bytes, ...]:
        """Return the certificate chain (DER, leaf first) of url's origin as Chromium saw it.

        It is the chain of the page's own connection, not fetched again; () for plain HTTP or
        when Chromium no longer holds it.
        """
        parts = urlsplit(url)
        if parts.scheme != "https":
            return ()
        try:
            return await self._buffered.certificate_chain(f"{parts.scheme}://{parts.netloc}")
        except Exception as exc:  # An old Chromium, or a page that is gone.
            log.info("no certificate chain", extra={"url": url, "error": str(exc)})
            return ()

    async def _body(self, response: Response) -> bytes:
        body = b""
        if not 300 <= response.status < 400:
            try:
                body = await response.body()
            except Exception as exc:  # Evicted or unavailable bodies are recorded empty.
                log.info(
                    "response body unavailable", extra={"url": response.url, "error": str(exc)}
                )
        return body

    # -- the PDF viewer and downloads --------------------------------------------------------

    async def _viewer_stream(self, request: Request) -> None:
        """Hand the viewer's stream to its document (see `capture.browser.viewerfiles`)."""
        url, body = frame_url(request), None
        if not self._viewer.needless(url):
            # The stream's own headers never arrive (headers_array() hangs): take its body.
            response = await request.response()
            try:
                body = await response.body() if response else None
            except Exception as exc:  # Gone with its page: as good as aborted.
                log.info("viewer stream unreadable", extra={"url": request.url, "error": str(exc)})
        self._viewer.stream(url, body)

    def _file_lost(self, exchange: Exchange, error: str) -> None:
        """Note a file whose real body never came: never record a placeholder page as its body."""
        self.lost_files.append(exchange.request.url)
        self._failed.append(
            FailedRequest(
                url=exchange.request.url,
                method=exchange.request.method,
                error=error,
                resource_type=exchange.resource_type,
            )
        )

    def record_download(self, download: Download, path: Path | None) -> None:
        """Attach a downloaded file's bytes to the navigation that became the download."""
        if path is not None:
            self._downloaded[download.url] = path.read_bytes()
            self._match_download(download.url)

    def _match_download(self, url: str) -> None:
        if url in self._download_held and url in self._downloaded:
            exchange = self._download_held.pop(url)
            self._emit(with_body(exchange, self._downloaded.pop(url)))

    def _emit(self, exchange: Exchange) -> None:
        self._logins.pass_on(exchange)  # now, or after the login in flight (see LoginBarrier)

    def _store(self, exchange: Exchange) -> None:
        self._sink(exchange)  # Counted only once stored: a refused write is not recorded.
        self.exchanges += 1
        self.bytes += len(exchange.response.body)

    def _emit_late(self, exchange: Exchange) -> None:
        """Record an exchange completed after its request ended (a viewer stream's bytes)."""
        self._touch()
        self._emit(exchange)

    # -- waiting ------------------------------------------------------------------------------

    def _busy(self) -> bool:
        """Requests waiting for an answer keep the network busy. A body still arriving after
        its headers does not (some are never read): it holds the quiet a while instead."""
        return bool(self._waiting or self._viewer.waiting)

    def _arriving(self) -> float | None:
        """When the newest body still arriving had its headers; bodies hold the quiet a while
        (`capture.page.activity.BODY_HOLD_S`)."""
        return max(self._streaming.values(), default=None)

    async def drain(self, timeout_s: float, body_grace_s: float) -> int:
        """Wait for bodies being read; return how many were abandoned.

        Bodies all on the wire but never read by the page are saved at once; others still
        arriving get body_grace_s, then keep what came. Exchanges being written get timeout_s.
        """
        for request in list(self._streaming):
            await self._salvage(request, complete_only=True)
        await self.network.wait_until(lambda: None if self._streaming else 0, body_grace_s)
        abandoned = 0
        for request in list(self._streaming):
            if not await self._salvage(request, complete_only=False):
                abandoned += 1
                self._failed.append(
                    failure_of(request, "the body had not arrived when the capture ended")
                )
        self._streaming.clear()
        await self._buffered.finish(timeout_s)  # documents paused: read and continued
        if self._tasks.tasks:
            _, pending = await asyncio.wait(set(self._tasks.tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()
            abandoned += len(pending)
        for exchange in (*self._viewer.give_up(), *self._download_held.values()):
            self._file_lost(
                exchange, "the file's body never arrived (PDF viewer stream or download missing)"
            )
        self._download_held.clear()
        self._logins.release()  # a login that never ended teaches nothing more
        self._stopped = True
        for request in self._waiting:
            self._failed.append(failure_of(request, "no response when the capture ended"))
        self._waiting.clear()
        return abandoned

    async def _salvage(self, request: Request, *, complete_only: bool) -> bool:
        """Record an unfinished request with its buffered body; return True when recorded."""
        try:
            async with asyncio.timeout(SALVAGE_S):
                body = await self._buffered.read(request.method, request.url)
                response = await request.response()
                if body is None or response is None:
                    return False
                http_response = await self._http_response(response, body)
        except Exception as exc:  # Gone with its page, or the session never started.
            log.info("unread body not saved", extra={"url": request.url, "error": str(exc)})
            return False
        declared = header_value(http_response.headers, "content-length")
        if complete_only and (declared is None or declared != str(len(body))):
            return False
        self._streaming.pop(request, None)
        self._salvaged.add(request)
        self._emit(
            Exchange(
                request=await http_request(request),
                response=http_response,
                started_at=self._started.get(request) or self._clock(),
                resource_type=request.resource_type,
            )
        )
        return True

    def summary(self) -> TrafficSummary:
        """Return counts of what was recorded and what failed."""
        return TrafficSummary(
            exchanges=self.exchanges, bytes=self.bytes, failed=tuple(self._failed)
        )
