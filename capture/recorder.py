"""Recording a page's HTTP exchanges from Playwright's network events.

This is the only module that touches Playwright's Request and Response objects. Another recording
strategy (a recording proxy, raw CDP) would replace this module and nothing else: the rest of the
pipeline sees only `Exchange` values handed to a sink as each exchange finishes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.models import (
    Exchange,
    FailedRequest,
    Header,
    HttpRequest,
    HttpResponse,
    TlsDetails,
    TrafficSummary,
)

if TYPE_CHECKING:
    from playwright._impl._api_structures import HttpHeader
    from playwright.async_api import BrowserContext, Download, Request, Response

log = logging.getLogger(__name__)

ExchangeSink = Callable[[Exchange], None]
Clock = Callable[[], datetime]

PDF_VIEWER_ORIGIN = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
"""Chromium's built-in PDF viewer: it replaces a PDF document's body with a placeholder page and
streams the real bytes to itself under this origin."""

VIEWER_TYPES = ("application/pdf", "application/x-pdf")


def utc_now() -> datetime:
    """Return the current time in UTC (the default clock)."""
    return datetime.now(UTC)


def _headers(raw: Sequence[HttpHeader]) -> tuple[Header, ...]:
    return tuple((item["name"], item["value"]) for item in raw)


def _content_type(headers: tuple[Header, ...]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def is_recordable(url: str) -> bool:
    """Return True for http(s) URLs: data:, blob: and the browser's own pages are not traffic."""
    return url.startswith(("http://", "https://"))


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


class Recorder:
    """Turns a browser context's network events into Exchanges handed to a sink."""

    def __init__(self, sink: ExchangeSink, clock: Clock = utc_now) -> None:
        self._sink = sink
        self._clock = clock
        self._started: dict[Request, datetime] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: dict[str, Exchange] = {}
        self._failed: list[FailedRequest] = []
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self.exchanges = 0
        self.bytes = 0

    def attach(self, context: BrowserContext) -> None:
        """Start listening to context's network events (every page and frame in it)."""
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_finished)
        context.on("requestfailed", self._on_failed)

    # -- events -------------------------------------------------------------------------------

    def _on_request(self, request: Request) -> None:
        self._started[request] = self._clock()
        self._in_flight += 1
        self._last_activity = time.monotonic()

    def _on_finished(self, request: Request) -> None:
        self._spawn(self._finish(request))

    def _on_failed(self, request: Request) -> None:
        self._settle(request)
        if is_recordable(request.url):
            self._failed.append(
                FailedRequest(
                    url=request.url,
                    method=request.method,
                    error=request.failure or "failed",
                    resource_type=request.resource_type,
                )
            )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _settle(self, request: Request) -> None:
        if request in self._started:
            self._in_flight = max(0, self._in_flight - 1)
        self._last_activity = time.monotonic()

    async def _finish(self, request: Request) -> None:
        try:
            if request.url.startswith(PDF_VIEWER_ORIGIN):
                await self._viewer_stream(request)
                return
            if not is_recordable(request.url):
                return
            exchange = await self._exchange(request)
            if exchange is None:
                return
            content_type = _content_type(exchange.response.headers)
            if exchange.resource_type == "document" and content_type in VIEWER_TYPES:
                # The body we got is the viewer's placeholder; the real one follows as a stream.
                self._held[request.url] = exchange
                return
            self._emit(exchange)
        except Exception as exc:  # One broken exchange must never stop the capture.
            log.warning("exchange not recorded", extra={"url": request.url, "error": str(exc)})
        finally:
            self._settle(request)

    async def _exchange(self, request: Request) -> Exchange | None:
        response = await request.response()
        if response is None:
            return None
        return Exchange(
            request=await self._http_request(request),
            response=await self._http_response(response),
            started_at=self._started.get(request) or self._clock(),
            resource_type=request.resource_type,
        )

    async def _http_request(self, request: Request) -> HttpRequest:
        return HttpRequest(
            method=request.method,
            url=request.url,
            headers=_headers(await request.headers_array()),
            body=request.post_data_buffer,
        )

    async def _http_response(self, response: Response) -> HttpResponse:
        body = b""
        if not 300 <= response.status < 400:
            try:
                body = await response.body()
            except Exception as exc:  # Evicted or unavailable bodies are recorded empty.
                log.info(
                    "response body unavailable", extra={"url": response.url, "error": str(exc)}
                )
        address = await response.server_addr()
        return HttpResponse(
            status=response.status,
            reason=response.status_text,
            headers=_headers(await response.headers_array()),
            body=body,
            remote_ip=address["ipAddress"] if address else None,
            remote_port=address["port"] if address else None,
        )

    async def _viewer_stream(self, request: Request) -> None:
        response = await request.response()
        if response is None or not self._held:
            return
        url, exchange = next(iter(self._held.items()))
        del self._held[url]
        self._emit(self._with_body(exchange, await response.body()))

    @staticmethod
    def _with_body(exchange: Exchange, body: bytes) -> Exchange:
        old = exchange.response
        response = HttpResponse(
            status=old.status,
            reason=old.reason,
            headers=old.headers,
            body=body,
            http_version=old.http_version,
            remote_ip=old.remote_ip,
            remote_port=old.remote_port,
        )
        return Exchange(exchange.request, response, exchange.started_at, exchange.resource_type)

    def record_download(self, download: Download, path: Path | None) -> None:
        """Attach a downloaded file's bytes to its held document exchange (or note its absence)."""
        held = self._held.pop(download.url, None)
        if held is not None and path is not None:
            self._emit(self._with_body(held, path.read_bytes()))

    def _emit(self, exchange: Exchange) -> None:
        self.exchanges += 1
        self.bytes += len(exchange.response.body)
        self._sink(exchange)

    # -- waiting ------------------------------------------------------------------------------

    def quiet_for(self) -> float:
        """Return how many seconds the network has been idle (0 while requests are in flight)."""
        if self._in_flight > 0:
            return 0.0
        return time.monotonic() - self._last_activity

    async def wait_quiet(self, quiet_s: float, timeout_s: float) -> bool:
        """Return True once nothing was in flight for quiet_s seconds; False at timeout_s."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.quiet_for() >= quiet_s:
                return True
            await asyncio.sleep(0.05)
        return False

    async def drain(self, timeout_s: float) -> int:
        """Wait for bodies still being read; return how many were abandoned at timeout_s."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()
            abandoned = len(pending)
        else:
            abandoned = 0
        for exchange in self._held.values():
            # A PDF whose stream never came: keep what the network gave rather than nothing.
            self._emit(exchange)
        self._held.clear()
        return abandoned

    def summary(self) -> TrafficSummary:
        """Return counts of what was recorded and what failed."""
        return TrafficSummary(
            exchanges=self.exchanges, bytes=self.bytes, failed=tuple(self._failed)
        )
