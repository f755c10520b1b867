"""Serving a capture's WARC to a browser page, with no network: the replay half of `capture qa`.

`WarcIndex` maps each (method, URL) to the offsets of its response records (bodies are read
only when asked for). `WarcReplay` answers the page's requests from it: a CDP `Fetch`
interception on the page's own target (it sees redirect hops, which Playwright's routes never
do) and a context route for frames in other processes. A request the WARC cannot answer is
refused and listed. The context also gets a proxy that leads nowhere, loopback included, so
nothing the two miss reaches a live server.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator

from capture.browser.background import Background

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page, Route

log = logging.getLogger(__name__)

NOWHERE_PROXY = {"server": "http://127.0.0.1:9", "bypass": "<-loopback>"}
"""A proxy on the discard port, loopback not exempt: unanswered requests fail, never go out."""

_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response as the WARC holds it: status, headers (decoded body's) and body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class WarcIndex:
    """Where each URL's response records are in a WARC; records are read when asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offsets: dict[tuple[str, str], list[int]] = {}
        self._by_url: dict[str, list[int]] = {}
        self._served: dict[tuple[str, str], int] = {}
        self._build()

    def _build(self) -> None:
        responses: dict[str, tuple[str, int]] = {}  # record id -> (url, offset)
        methods: dict[str, str] = {}  # response record id -> method of its request
        with self.path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                headers = record.rec_headers
                url = headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response":
                    offset = records.get_record_offset()
                    responses[headers.get_header("WARC-Record-ID")] = (url, offset)
                elif record.rec_type == "request" and record.http_headers is not None:
                    method = record.http_headers.protocol  # the request line's first word
                    methods[headers.get_header("WARC-Concurrent-To") or ""] = method
        for record_id, (url, offset) in responses.items():
            method = methods.get(record_id, "GET").upper()
            self._offsets.setdefault((method, url), []).append(offset)
            self._by_url.setdefault(url, []).append(offset)

    def __len__(self) -> int:
        return sum(len(offsets) for offsets in self._by_url.values())

    def urls(self) -> Iterator[str]:
        """Yield every URL with a response record."""
        yield from self._by_url

    def lookup(self, method: str, url: str) -> StoredResponse | None:
        """Return the next stored response for method and url (the last one again when all
        were served: pages ask twice), any method's when none matches, or None."""
        key = (method.upper(), url)
        offsets = self._offsets.get(key) or self._by_url.get(url)
        if not offsets:
            return None
        served = self._served.get(key, 0)
        self._served[key] = served + 1
        return self.read(offsets[min(served, len(offsets) - 1)])

    def read(self, offset: int) -> StoredResponse:
        """Return the response record at offset."""
        with self.path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            http = record.http_headers
            status_line = http.statusline.split(" ", 1)
            return StoredResponse(
                status=int(status_line[0]),
                reason=status_line[1] if len(status_line) > 1 else "",
                headers=tuple((name, value) for name, value in http.headers),
                body=record.raw_stream.read(),
            )


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A request the WARC had no response for."""

    url: str
    method: str


class WarcReplay:
    """Answers a page's requests from a WarcIndex; counts what was served and what was not."""

    def __init__(self, index: WarcIndex) -> None:
        self.index = index
        self.served = 0
        self.unanswered: list[Unanswered] = []
        self._session: CDPSession | None = None
        self._pending = Background()

    async def install(self, context: BrowserContext, page: Page) -> None:
        """Serve page (and every frame of context) from the WARC from now on."""
        await context.route("**/*", self._route)
        session = await context.new_cdp_session(page)
        session.on("Fetch.requestPaused", self._on_paused)
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self._session = session

    def _answer(self, method: str, url: str) -> StoredResponse | None:
        if not url.startswith(("http://", "https://")):
            return None
        stored = self.index.lookup(method, url)
        if stored is None:
            self.unanswered.append(Unanswered(url, method))
        else:
            self.served += 1
        return stored

    async def _route(self, route: Route) -> None:
        request = route.request
        if not request.url.startswith(("http://", "https://")):
            await route.fallback()
            return
        stored = self._answer(request.method, request.url)
        if stored is None:
            await route.abort("internetdisconnected")
            return
        await route.fulfill(
            status=stored.status,
            headers=dict(_replay_headers(stored)),
            body=stored.body,
        )

    def _on_paused(self, event: dict[str, Any]) -> None:
        self._pending.spawn(self._fulfil(event))

    async def _fulfil(self, event: dict[str, Any]) -> None:
        session = self._session
        if session is None:
            return
        request_id = event["requestId"]
        request = event["request"]
        try:
            if not request["url"].startswith(("http://", "https://")):
                await session.send("Fetch.continueRequest", {"requestId": request_id})
                return
            stored = self._answer(request["method"], request["url"])
            if stored is None:
                await session.send(
                    "Fetch.failRequest",
                    {"requestId": request_id, "errorReason": "InternetDisconnected"},
                )
                return
            reply: dict[str, Any] = {
                "requestId": request_id,
                "responseCode": stored.status,
                "responseHeaders": [
                    {"name": name, "value": value} for name, value in _replay_headers(stored)
                ],
                "body": base64.b64encode(stored.body).decode("ascii"),
            }
            if stored.reason:
                reply["responsePhrase"] = stored.reason
            await session.send("Fetch.fulfillRequest", reply)
        except Exception as exc:  # The page closed while the request was paused.
            log.info("replayed request not answered", extra={"error": str(exc)})


def _replay_headers(stored: StoredResponse) -> list[tuple[str, str]]:
    """Return the stored headers a browser can take for the stored (decoded) body."""
    return [(name, value) for name, value in stored.headers if name.lower() not in _HOP_HEADERS]
