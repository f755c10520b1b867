"""What the network did: HTTP requests and responses as the browser saw them, and TLS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

Header = tuple[str, str]
"""One header line as sent or received, name and value, order and case kept."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as the browser sent it."""

    method: str
    url: str
    headers: tuple[Header, ...]
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An HTTP response as the browser received it; `body` is already decoded."""

    status: int
    reason: str
    headers: tuple[Header, ...]
    body: bytes
    http_version: str = "HTTP/1.1"
    """The protocol as the browser observed it, an ALPN id: `http/1.1`, `h2`, `h3`. The
    default `HTTP/1.1` means it was not observed (the status line we store anyway)."""
    remote_ip: str | None = None
    remote_port: int | None = None
    tls_version: str | None = None
    """The TLS (or QUIC) version of the connection as Chromium names it (`TLS 1.3`, `QUIC`);
    None for plain HTTP or when not observed."""
    tls_cipher: str | None = None
    """The cipher suite of the connection (`AES_128_GCM`), when observed."""

    def header(self, wanted: str) -> str | None:
        """Return the first value of header `wanted` (any case), or None."""
        wanted = wanted.lower()
        return next((value for name, value in self.headers if name.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as one WARC request/response pair."""

    request: HttpRequest
    response: HttpResponse
    started_at: datetime
    resource_type: str = "other"


@dataclass(frozen=True, slots=True)
class TlsDetails:
    """What the browser reported of the TLS connection of one response."""

    protocol: str | None
    issuer: str | None
    subject: str | None
    valid_from: datetime | None
    valid_to: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Return the details as JSON-ready data."""
        return {
            "protocol": self.protocol,
            "issuer": self.issuer,
            "subject": self.subject,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


@dataclass(frozen=True, slots=True)
class FailedRequest:
    """A request that got no response."""

    url: str
    method: str
    error: str
    resource_type: str
