"""The main document of a capture: what its navigation brought, and why a navigation failed.

`Findings` gathers what a page's steps find (the document's facts, the shots, the DOM), typed,
until the page run makes its `PageCapture` of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capture.browser.devtools import tls_details

if TYPE_CHECKING:
    from playwright.async_api import Page, Response

    from capture.exchanges import Header, HttpResponse, TlsDetails
    from capture.models import PageFacts, ScreencastFrame, Screenshot


@dataclass(slots=True)
class Findings:
    """What one page's capture has found so far; its steps fill it in, in order."""

    final_url: str | None = None
    redirect_chain: tuple[str, ...] = ()
    status: int | None = None
    content_type: str | None = None
    headers: tuple[Header, ...] = ()
    remote_ip: str | None = None
    tls: TlsDetails | None = None
    certificate_chain: tuple[bytes, ...] = ()
    error: str | None = None
    """Why the navigation failed (the capture then has no page to look at)."""
    seen: PageFacts | None = None
    screenshot: Screenshot | None = None
    served_screenshot: Screenshot | None = None
    served_html: str | None = None
    gated: str | None = None
    dom_html: str | None = None
    layout: Any = None
    layout_html: str | None = None
    page_pdf: bytes | None = None
    screencast: tuple[ScreencastFrame, ...] | None = None
    """The screencast's frames; None until the video step has run (it runs once)."""


async def read_main_document(
    page: Page,
    response: Response | None,
    requested_url: str,
    found: Findings,
    certificates: Callable[[str], Awaitable[tuple[bytes, ...]]],
) -> None:
    """Fill in found with the main document's facts: where the page ended up, by which
    redirects, its status, headers, address, TLS and certificate chain."""
    found.final_url = page.url if page.url != "about:blank" else requested_url
    if response is None:
        return
    chain: list[str] = []
    previous = response.request.redirected_from
    while previous is not None:
        chain.insert(0, previous.url)
        previous = previous.redirected_from
    address = await response.server_addr()
    headers = await response.all_headers()
    found.final_url = page.url
    found.redirect_chain = (*chain, response.url)
    found.status = response.status
    found.content_type = headers.get("content-type")
    found.headers = tuple(headers.items())
    found.remote_ip = address["ipAddress"] if address else None
    found.tls = tls_details(dict(await response.security_details() or {}))
    found.certificate_chain = await certificates(response.url)


def fill_from_download(
    found: Findings, documents: Mapping[str, HttpResponse], requested_url: str
) -> None:
    """Fill in the document's facts when the navigation became a download (no Response)."""
    if found.status is not None or found.error is not None:
        return
    response = documents.get(found.final_url or requested_url)
    if response is None and len(documents) == 1:  # downloaded after a redirect
        response = next(iter(documents.values()))
    if response is not None:
        found.status = response.status
        found.content_type = response.header("content-type")
        found.remote_ip = response.remote_ip


async def served_html(document: Response | None) -> str | None:
    """Return the main document's body as the server sent it (None when it is gone)."""
    from playwright.async_api import Error as PlaywrightError

    if document is None:
        return None
    try:
        body = await document.body()
    except PlaywrightError:
        return None
    return served_text(body, document.headers.get("content-type", ""))


def served_text(body: bytes, content_type: str) -> str | None:
    """Return an HTML body as text in its declared charset (UTF-8 else), or None if not HTML."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() not in ("text/html", "application/xhtml+xml", ""):
        return None
    charset = params.partition("charset=")[2].strip().strip('"') or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


NAVIGATION_HINTS = (
    ("ERR_NAME_NOT_RESOLVED", "Check the address: its host name does not resolve."),
    ("ERR_CONNECTION_REFUSED", "Check that the server is up and the port is right."),
    ("ERR_UNSAFE_PORT", "Browsers never load this port (it belongs to another protocol)."),
    ("ERR_INTERNET_DISCONNECTED", "This machine has no network: connect it and retry."),
    ("ERR_ADDRESS_UNREACHABLE", "No route to the server: check the address and the network."),
    ("ERR_CONNECTION_RESET", "The server dropped the connection: retry later."),
    ("ERR_TOO_MANY_REDIRECTS", "The site redirects in a loop (often a cookie or login check)."),
    ("ERR_BLOCKED_BY_CLIENT", "The capture's own rules blocked it (a site config's `block:`)."),
    ("ERR_CERT", "Capture it only if you trust the connection: --ignore-https-errors."),
    ("ERR_SSL", "The server's TLS setup failed; try again later or check the address."),
    ("Timeout", "The site is slow or hangs: retry later, or raise --timeout."),
    ("timed out", "The site is slow or hangs: retry later, or raise --timeout."),
    ("closed", "The browser or page died; it is relaunched and the URL can be retried."),
    ("crash", "The browser or page died; it is relaunched and the URL can be retried."),
)
"""What to do about the common navigation failures, by a fragment of Chromium's message."""


def navigation_reason(url: str, exc: BaseException) -> str:
    """Return `Could not load <url> (<why>). <what to do>` for a navigation failure."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    first = first.removeprefix("Page.goto: ")
    hint = next((text for marker, text in NAVIGATION_HINTS if marker in first), "")
    return f"Could not load {url} ({first}). {hint}".rstrip()
