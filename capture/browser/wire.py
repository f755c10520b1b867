"""Playwright's requests and responses read into capture's exchange types (`capture.exchanges`).

The recorder (`capture.browser.recorder`) decides when; this module only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urldefrag

from capture.exchanges import FailedRequest, Header, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from playwright._impl._api_structures import HttpHeader
    from playwright.async_api import Request, Response

    from capture.browser.devtools import Connection

PDF_VIEWER_ORIGIN = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
"""Chromium's built-in PDF viewer: it replaces a PDF document's body with a placeholder page and
streams the real bytes to itself under this origin."""


def headers_of(raw: Sequence[HttpHeader]) -> tuple[Header, ...]:
    """Return Playwright's header list as (name, value) pairs, order and case kept."""
    return tuple((item["name"], item["value"]) for item in raw)


def header_value(headers: tuple[Header, ...], wanted: str) -> str | None:
    """Return the first value of header `wanted` (lower case), or None."""
    return next((value for name, value in headers if name.lower() == wanted), None)


def content_type_of(headers: tuple[Header, ...]) -> str:
    """Return the media type of the Content-Type header, lower case, without parameters."""
    return (header_value(headers, "content-type") or "").split(";")[0].strip().lower()


def is_recordable(url: str) -> bool:
    """Return True for http(s) URLs: data:, blob: and the browser's own pages are not traffic."""
    return url.startswith(("http://", "https://"))


async def http_request(request: Request) -> HttpRequest:
    """Return request as the browser sent it."""
    return HttpRequest(
        method=request.method,
        url=request.url,
        headers=headers_of(await request.headers_array()),
        body=request.post_data_buffer,
    )


async def http_response(response: Response, body: bytes, seen: Connection) -> HttpResponse:
    """Return response as the browser received it, with body and how it came (`seen`)."""
    address = await response.server_addr()
    return HttpResponse(
        status=response.status,
        reason=response.status_text,
        headers=headers_of(await response.headers_array()),
        body=body,
        http_version=seen.protocol or "HTTP/1.1",
        remote_ip=address["ipAddress"] if address else None,
        remote_port=address["port"] if address else None,
        tls_version=seen.tls_version,
        tls_cipher=seen.tls_cipher,
    )


def failure_of(request: Request, error: str) -> FailedRequest:
    return FailedRequest(
        url=request.url, method=request.method, error=error, resource_type=request.resource_type
    )


def frame_url(request: Request) -> str:
    """Return the URL of request's frame without its fragment (a request's URL has none: a
    link to `report.pdf#page=3` requests `report.pdf`)."""
    try:
        return urldefrag(request.frame.url).url
    except Exception:  # Service worker requests have no frame.
        return ""


def inside_viewer(request: Request) -> bool:
    """Return True for the PDF viewer's own copy of the document (an inner frame of the viewer)."""
    try:
        parent = request.frame.parent_frame
    except Exception:  # Service worker requests have no frame.
        return False
    return parent is not None and parent.url.startswith(PDF_VIEWER_ORIGIN)
