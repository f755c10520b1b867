"""A small threaded HTTP server on 127.0.0.1 for the demo and the test suite's fixture sites.

`LocalSite` serves a folder of static files plus exact-path routes. A route returns a `Reply`,
which can ask for a delay, gzip or brotli encoding, chunked transfer, or a request that is accepted
and never answered. Every request received is logged in `LocalSite.requests`.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from capture.demo.replies import (
    CONTENT_TYPES,
    ENCODINGS,
    TRICKLE_PIECES,
    Reply,
    Route,
    SiteRequest,
    encode_body,
    not_found,
    static_reply,
)

_CHUNK_BYTES = 4096
_NO_BODY_STATUSES = frozenset({204, 304})


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
