"""Pure: PDF documents shown in Chromium's viewer, matched with the viewer's streams of them.

For a PDF the browser shows, the document's own body is the viewer's placeholder page. The
file's bytes are read off the network while the document is paused (`capture.browser.devtools`), or
else come from the viewer's own stream, a request of its own that may end aborted with its
bytes gone. A document and its stream end in either order: whichever comes first waits for the
other, matched by URL (the stream's frame shows the document, without its fragment), else when
it is the only one waiting. The recorder reports both ends here; this module decides what each
document gets: its file's bytes, or a note that they are lost. It never sees Playwright.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from capture.exchanges import Exchange

_T = TypeVar("_T")

STREAM_ABORTED = "the PDF viewer's stream was aborted and its bytes are gone"


class ViewerFiles:
    """Viewer documents waiting for their stream, and streams waiting for their document."""

    def __init__(
        self,
        emit: Callable[[Exchange], None],
        lost: Callable[[Exchange, str], None],
        read_elsewhere: Callable[[str], bool] = lambda url: False,
    ) -> None:
        self._emit = emit
        """Called with a document that got its file's bytes."""
        self._lost = lost
        """Called with a document whose bytes are gone, and why."""
        self._read_elsewhere = read_elsewhere
        """Whether url's bytes are being read off the network (their document not yet here)."""
        self._held: dict[str, Exchange] = {}
        """Documents whose bytes come later, from the viewer's stream."""
        self._streams: dict[str, bytes | None] = {}
        """Streams that ended before their document: the body, or None when lost."""
        self._taken: set[str] = set()
        """Documents recorded with bytes read off the network: their stream changes nothing."""

    @property
    def waiting(self) -> bool:
        """Return True while a document waits for its stream (the network is not quiet)."""
        return bool(self._held)

    def document(self, exchange: Exchange) -> None:
        """Take a viewer document with the placeholder body: give it the stream's outcome
        already here, or hold it for the stream."""
        url = exchange.request.url
        key = _match(url, self._streams)
        if key is None:
            self._held[url] = exchange
        else:
            self._ended(exchange, self._streams.pop(key))

    def read_off_network(self, exchange: Exchange, body: bytes) -> Exchange:
        """Return the document with the bytes read off the network; its stream, whenever it
        ends, is ignored."""
        url = exchange.request.url
        self._taken.add(url)
        self._streams.pop(url, None)  # in case it ended first
        return with_body(exchange, body)

    def needless(self, url: str) -> bool:
        """Return True when the stream of the document at url need not be read: the bytes were
        read off the network (recorded, or their document still on its way)."""
        return url in self._taken or self._read_elsewhere(url)

    def stream(self, url: str, body: bytes | None) -> None:
        """Take the stream of the document at url (body None: aborted, its bytes gone)."""
        if self.needless(url):
            self._taken.discard(url)
            return
        key = _match(url, self._held)
        if key is None:
            self._streams[url] = body
        else:
            self._ended(self._held.pop(key), body)

    def give_up(self) -> list[Exchange]:
        """Return the documents still waiting for a stream, and forget them and the streams
        waiting for a document (the capture is ending)."""
        held = list(self._held.values())
        self._held.clear()
        self._streams.clear()
        return held

    def _ended(self, exchange: Exchange, body: bytes | None) -> None:
        if body is None:
            self._lost(exchange, STREAM_ABORTED)
        else:
            self._emit(with_body(exchange, body))


def with_body(exchange: Exchange, body: bytes) -> Exchange:
    """Return exchange with body as its response's body."""
    return replace(exchange, response=replace(exchange.response, body=body))


def _match(url: str, waiting: dict[str, _T]) -> str | None:
    """Return the key in waiting for url: url itself, else the only one; None if neither."""
    if url in waiting:
        return url
    return next(iter(waiting)) if len(waiting) == 1 else None
