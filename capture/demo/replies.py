"""What the local site server answers: requests as received, replies as routes give them, and
static files with their content types and encodings."""

from __future__ import annotations

import gzip
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

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
TRICKLE_PIECES = 8


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
