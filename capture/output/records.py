"""Pure construction of WARC records from exchanges, screenshots, text and metadata.

Every record carries sha256 block and payload digests (hex, `sha256:<hex>`, the form
`sha256sum` prints). Dates and record ids come in as arguments so output bytes are reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

from capture.exchanges import Exchange, Header, HttpRequest, HttpResponse
from capture.output.files import sha256_label

WarcRecord = Any
"""warcio's ArcWarcRecord (untyped)."""

NewId = Callable[[], str]
"""Returns a fresh `<urn:uuid:...>` record id."""

WARC_VERSION = "WARC/1.1"

_BUILDER = RecordBuilder(warc_version=WARC_VERSION)

RENAMED_RESPONSE_HEADERS = {
    # The browser hands us decoded bodies: these no longer describe the bytes we store.
    "content-encoding": "X-Orig-Content-Encoding",
    "transfer-encoding": "X-Orig-Transfer-Encoding",
}


def warc_date(moment: datetime) -> str:
    """Return a WARC/1.1 date (UTC, microseconds) for moment."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def clean_headers(headers: Iterable[Header]) -> list[Header]:
    """Return headers without HTTP/2 pseudo-headers (`:path`, `:authority`...)."""
    return [(name, value) for name, value in headers if not name.startswith(":")]


def normalise_response_headers(headers: Iterable[Header], body_length: int) -> list[Header]:
    """Return response headers that describe the decoded body we store.

    Content-Encoding and Transfer-Encoding are kept under `X-Orig-*` names, and Content-Length
    is set to the stored body's length (a different original kept as X-Orig-Content-Length).
    """
    result: list[Header] = []
    lengths: list[str] = []
    for name, value in clean_headers(headers):
        lower = name.lower()
        if lower in RENAMED_RESPONSE_HEADERS:
            result.append((RENAMED_RESPONSE_HEADERS[lower], value))
        elif lower == "content-length":
            lengths.append(value)
        else:
            result.append((name, value))
    actual = str(body_length)
    result.extend(("X-Orig-Content-Length", value) for value in lengths if value.strip() != actual)
    result.append(("Content-Length", actual))
    return result


def request_headers(request: HttpRequest) -> list[Header]:
    """Return the request's headers with a Host header (HTTP/2 sends `:authority` instead)."""
    headers = clean_headers(request.headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", urlsplit(request.url).netloc))
    return headers


def _phrase(status: int) -> str:
    """Return the standard reason phrase (HTTP/2 sends none), or "" for an unknown status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _http_record(
    uri: str,
    record_type: str,
    http_headers: StatusAndHeaders,
    body: bytes,
    warc_headers: Mapping[str, str],
) -> WarcRecord:
    http_headers.compute_headers_buffer()
    head: bytes = http_headers.headers_buff
    headers = dict(warc_headers)
    headers["WARC-Block-Digest"] = sha256_label(head + body)
    headers["WARC-Payload-Digest"] = sha256_label(body)
    return _BUILDER.create_warc_record(
        uri,
        record_type,
        payload=BytesIO(body),
        length=len(body),
        warc_headers_dict=headers,
        http_headers=http_headers,
    )


def response_record(
    response: HttpResponse, uri: str, *, date: datetime, record_id: str
) -> WarcRecord:
    """Return the `response` record of one exchange."""
    reason = response.reason or _phrase(response.status)
    status_line = f"{response.status} {reason}".strip()
    http_headers = StatusAndHeaders(
        status_line,
        normalise_response_headers(response.headers, len(response.body)),
        protocol="HTTP/1.1",
    )
    warc_headers = {"WARC-Record-ID": record_id, "WARC-Date": warc_date(date)}
    if response.remote_ip:
        warc_headers["WARC-IP-Address"] = response.remote_ip
    protocols = warc_protocols(response)
    if protocols:
        warc_headers["WARC-Protocol"] = protocols[0]
    record = _http_record(uri, "response", http_headers, response.body, warc_headers)
    # Repeated, one value each, as browsertrix-crawler writes them (IIPC warc-specifications #42).
    for protocol in protocols[1:]:
        record.rec_headers.add_header("WARC-Protocol", protocol)
    if response.tls_cipher:
        record.rec_headers.add_header("WARC-Cipher-Suite", response.tls_cipher)
    return record


def warc_protocols(response: HttpResponse) -> list[str]:
    """Return the `WARC-Protocol` values of a response: the HTTP protocol, then the TLS one.

    `["h2", "tls/1.3"]`; the unobserved default `HTTP/1.1` gives no HTTP value, and Chromium's
    `TLS 1.3` or `QUIC` become `tls/1.3` and `quic`.
    """
    protocols = []
    if response.http_version and response.http_version != "HTTP/1.1":
        protocols.append(response.http_version.lower())
    if response.tls_version:
        protocols.append(response.tls_version.strip().lower().replace(" ", "/"))
    return protocols


def request_record(
    request: HttpRequest, *, date: datetime, record_id: str, concurrent_to: str
) -> WarcRecord:
    """Return the `request` record of one exchange, linked to its response."""
    http_headers = StatusAndHeaders(
        f"{request.method} {_request_target(request.url)} HTTP/1.1",
        request_headers(request),
        is_http_request=True,
    )
    warc_headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": warc_date(date),
        "WARC-Concurrent-To": concurrent_to,
    }
    return _http_record(request.url, "request", http_headers, request.body or b"", warc_headers)


def exchange_records(exchange: Exchange, new_id: NewId) -> tuple[WarcRecord, WarcRecord]:
    """Return the (response, request) records of one exchange, response first as pywb expects."""
    response_id = new_id()
    response = response_record(
        exchange.response, exchange.request.url, date=exchange.started_at, record_id=response_id
    )
    request = request_record(
        exchange.request, date=exchange.started_at, record_id=new_id(), concurrent_to=response_id
    )
    return response, request


def resource_record(
    uri: str,
    content_type: str,
    data: bytes,
    *,
    date: datetime,
    record_id: str,
    record_type: str = "resource",
    concurrent_to: str | None = None,
) -> WarcRecord:
    """Return a `resource` (or `metadata`) record holding data, e.g. `urn:view:<page url>`."""
    digest = sha256_label(data)
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": warc_date(date),
        "Content-Type": content_type,
        "WARC-Block-Digest": digest,
        "WARC-Payload-Digest": digest,
    }
    if concurrent_to:
        headers["WARC-Concurrent-To"] = concurrent_to
    return _BUILDER.create_warc_record(
        uri,
        record_type,
        payload=BytesIO(data),
        length=len(data),
        warc_content_type=content_type,
        warc_headers_dict=headers,
    )


def warcinfo_record(
    info: Mapping[str, Any], *, filename: str, date: datetime, record_id: str
) -> WarcRecord:
    """Return the `warcinfo` record: `name: value` lines (values that are not text as JSON)."""
    lines = []
    for name, value in info.items():
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        lines.append(f"{name}: {text}\r\n")
    data = "".join(lines).encode("utf-8")
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": warc_date(date),
        "WARC-Filename": filename,
        "Content-Type": "application/warc-fields",
        "WARC-Block-Digest": sha256_label(data),
    }
    return _BUILDER.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(data),
        length=len(data),
        warc_content_type="application/warc-fields",
        warc_headers_dict=headers,
    )
