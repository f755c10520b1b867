"""A small threaded HTTP server on 127.0.0.1 for the demo and the test suite's fixture sites.

`LocalSite` serves a folder of static files plus exact-path routes. A route returns a `Reply`,
which can ask for a delay, gzip or brotli encoding, chunked transfer, or a request that is accepted
and never answered. Every request received is logged in `LocalSite.requests`.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import socket
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import brotli

CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
"""The Content-Type sent for a static file, by lower-case extension."""

DEFAULT_CONTENT_TYPE = "application/octet-stream"
ENCODINGS = ("gzip", "br")
_CHUNK_BYTES = 4096
TRICKLE_PIECES = 8
_NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True, slots=True)
class SiteRequest:
    """One request as the server received it."""

    method: str
    path: str
    """The path as sent, without the query string."""
    query: str
    """The query string without the leading "?", or ""."""
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (any case), or None when it was not sent."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def params(self) -> dict[str, str]:
        """Return the query parameters, the first value of each."""
        return {key: values[0] for key, values in urllib.parse.parse_qs(self.query).items()}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a route answers: status, headers, body and how to send them."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay_s: float = 0.0
    """Seconds to wait before answering (cut short when the server stops)."""
    encoding: str | None = None
    """"gzip" or "br": compress the body and set Content-Encoding and Vary."""
    hang: bool = False
    """Accept the request and never answer, until the server stops."""
    chunked: bool = False
    """Send with Transfer-Encoding: chunked instead of Content-Length."""
    trickle_s: float = 0.0
    """Send the body in TRICKLE_PIECES pieces spread over this many seconds after the headers
    (a slow download); cut short when the server stops."""

    def __post_init__(self) -> None:
        if self.encoding is not None and self.encoding not in ENCODINGS:
            raise ValueError(
                f"Reply encoding {self.encoding!r} is not supported. Use one of {ENCODINGS} "
                "or None."
            )


Route = Callable[[SiteRequest], Reply]
"""A dynamic handler: the request in, the reply out."""


def html(body: str, status: int = 200) -> Reply:
    """Return an HTML reply encoded as UTF-8."""
    return Reply(
        status=status,
        headers=(("Content-Type", CONTENT_TYPES[".html"]),),
        body=body.encode("utf-8"),
    )


def redirect(location: str, status: int = 302) -> Reply:
    """Return a redirect to `location` with a short HTML body."""
    return Reply(
        status=status,
        headers=(("Location", location), ("Content-Type", CONTENT_TYPES[".html"])),
        body=f'<!doctype html><title>Moved</title><a href="{location}">Moved</a>\n'.encode(),
    )


def not_found(path: str) -> Reply:
    """Return the 404 page for `path`."""
    safe = path.replace("&", "&amp;").replace("<", "&lt;")
    return html(
        "<!doctype html><html lang=en><title>404 Not Found</title>"
        f"<h1>Not Found</h1><p>Nothing is served at {safe}.</p></html>\n",
        status=404,
    )


def encode_body(body: bytes, encoding: str) -> bytes:
    """Return `body` compressed with "gzip" (fixed mtime, so bytes are stable) or "br"."""
    if encoding == "gzip":
        return gzip.compress(body, mtime=0)
    if encoding == "br":
        compressed: bytes = brotli.compress(body)
        return compressed
    raise ValueError(f"Cannot encode with {encoding!r}. Use one of {ENCODINGS}.")


def static_reply(root: Path, path: str, encoding: str | None = None) -> Reply:
    """Return the static file under `root` that `path` names, or the 404 page.

    "/dir/" serves dir/index.html; "/dir" redirects to "/dir/" as web servers do.
    """
    relative = urllib.parse.unquote(path).lstrip("/")
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        return not_found(path)
    if target.is_dir():
        if not path.endswith("/"):
            return redirect(path + "/", status=301)
        target = target / "index.html"
    if not target.is_file():
        return not_found(path)
    content_type = CONTENT_TYPES.get(target.suffix.lower(), DEFAULT_CONTENT_TYPE)
    return Reply(
        headers=(("Content-Type", content_type),),
        body=target.read_bytes(),
        encoding=encoding,
    )


class LocalSite:
    """A threaded HTTP/1.1 server on a local port serving static files and routes."""

    def __init__(
        self,
        root: Path | None = None,
        routes: Mapping[str, Route] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        static_encoding: str | None = None,
    ) -> None:
        if static_encoding is not None and static_encoding not in ENCODINGS:
            raise ValueError(
                f"static_encoding {static_encoding!r} is not supported. Use one of {ENCODINGS} "
                "or None."
            )
        self.root = root
        self.static_encoding = static_encoding
        self._host = host
        self._port = port
        self._routes: dict[str, Route] = dict(routes or {})
        self._lock = threading.Lock()
        self._log: list[SiteRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def add_route(self, path: str, route: Route) -> None:
        """Serve `route` at the exact `path` (no query string); routes win over static files."""
        with self._lock:
            self._routes[path] = route

    def start(self) -> LocalSite:
        """Bind the port, serve in a daemon thread, and return self."""
        if self._server is not None:
            raise RuntimeError("LocalSite is already started. Call stop() before start().")
        self._stopping.clear()
        server = _Server((self._host, self._port), _Handler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"localsite-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection, including hanging and delayed replies."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=2.0)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Return "http://HOST:PORT" of the running server."""
        if self._server is None:
            raise RuntimeError("LocalSite has no address yet. Call start() first.")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of `path` on this site."""
        return self.base_url + ("" if path.startswith("/") else "/") + path

    @property
    def requests(self) -> tuple[SiteRequest, ...]:
        """Return every request received so far, in order of arrival."""
        with self._lock:
            return tuple(self._log)

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._log.clear()

    def reply_for(self, request: SiteRequest) -> Reply:
        """Log `request` and return the reply a route or the static root gives it."""
        with self._lock:
            self._log.append(request)
            route = self._routes.get(request.path)
        if route is not None:
            return route(request)
        if self.root is not None:
            return static_reply(self.root, request.path, self.static_encoding)
        return not_found(request.path)

    def wait_stopping(self, timeout_s: float | None) -> bool:
        """Wait up to `timeout_s` (forever when None); return True when the server is stopping."""
        return self._stopping.wait(timeout_s)


class _Server(http.server.ThreadingHTTPServer):
    """The stdlib threading server, tracking open connections so stop() can close them."""

    daemon_threads = True
    block_on_close = False
    site: LocalSite

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open connection so blocked handler threads return."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that disconnect mid-reply are normal in tests (timeouts, cancelled loads).
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    """Turns one HTTP exchange into a SiteRequest and writes the Reply."""

    protocol_version = "HTTP/1.1"
    server_version = "localsite/1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on stderr

    def do_GET(self) -> None:
        self._exchange()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _exchange(self) -> None:
        site = self.server.site
        path, _, query = self.path.partition("?")
        request = SiteRequest(
            method=self.command,
            path=path,
            query=query,
            headers=tuple((key, value) for key, value in self.headers.items()),
            body=self._read_body(),
        )
        try:
            reply = site.reply_for(request)
        except Exception as exc:  # a broken route must answer 500, not kill the connection
            reply = Reply(
                status=500,
                headers=(("Content-Type", CONTENT_TYPES[".txt"]),),
                body=f"Route for {path} failed: {type(exc).__name__}: {exc}\n".encode(),
            )
        if reply.hang:
            site.wait_stopping(None)
            self.close_connection = True
            return
        if reply.delay_s > 0 and site.wait_stopping(reply.delay_s):
            self.close_connection = True
            return
        self._send(reply)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, reply: Reply) -> None:
        body = reply.body
        if reply.encoding is not None:
            body = encode_body(body, reply.encoding)
        self.send_response(reply.status)
        for key, value in reply.headers:
            self.send_header(key, value)
        if reply.encoding is not None:
            self.send_header("Content-Encoding", reply.encoding)
            self.send_header("Vary", "Accept-Encoding")
        has_body = reply.status not in _NO_BODY_STATUSES
        if reply.chunked and has_body:
            self.send_header("Transfer-Encoding", "chunked")
        elif has_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or not has_body:
            return
        if reply.chunked:
            self._write_chunked(body)
        elif reply.trickle_s > 0:
            self._trickle(body, reply.trickle_s)
        else:
            self.wfile.write(body)

    def _trickle(self, body: bytes, seconds: float) -> None:
        size = -(-len(body) // TRICKLE_PIECES)
        for start in range(0, len(body), size):
            if self.server.site.wait_stopping(seconds / TRICKLE_PIECES):
                self.close_connection = True
                return
            self.wfile.write(body[start : start + size])

    def _write_chunked(self, body: bytes) -> None:
        for start in range(0, len(body), _CHUNK_BYTES):
            chunk = body[start : start + _CHUNK_BYTES]
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
