"""Pure: removing login secrets from what a capture stores, before anything is written."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import replace

from capture.models import Exchange, Header

REDACTED = b"[redacted by capture: login credential]"
"""What replaces a credential in any recorded bytes."""


def _forms(secret: str) -> list[bytes]:
    """Return the ways a secret can appear on the wire, longest first."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    return sorted((form.encode() for form in forms if form), key=len, reverse=True)


def redact_bytes(data: bytes, secrets: Sequence[str]) -> tuple[bytes, bool]:
    """Return data with every secret (as typed or URL-encoded) replaced, and whether any was."""
    found = False
    for secret in secrets:
        for form in _forms(secret):
            if form in data:
                data = data.replace(form, REDACTED)
                found = True
    return data, found


def redact_text(text: str, secrets: Sequence[str]) -> tuple[str, bool]:
    """Return text with every secret replaced, and whether any was."""
    data, found = redact_bytes(text.encode("utf-8"), secrets)
    return (data.decode("utf-8"), True) if found else (text, False)


def _headers(headers: Iterable[Header], secrets: Sequence[str]) -> tuple[tuple[Header, ...], bool]:
    cleaned, found = [], False
    for name, value in headers:
        new, hit = redact_text(value, secrets)
        cleaned.append((name, new))
        found = found or hit
    return tuple(cleaned), found


def redact_exchange(exchange: Exchange, secrets: Sequence[str]) -> tuple[Exchange, bool]:
    """Return the exchange with secrets removed from URLs, headers and bodies, and whether any were.

    The lengths of edited bodies change; the record builder sets Content-Length from the body.
    """
    if not secrets:
        return exchange, False
    request, response = exchange.request, exchange.response
    url, in_url = redact_text(request.url, secrets)
    request_headers, in_request_headers = _headers(request.headers, secrets)
    body, in_body = redact_bytes(request.body or b"", secrets)
    response_headers, in_response_headers = _headers(response.headers, secrets)
    response_body, in_response = redact_bytes(response.body, secrets)
    found = in_url or in_request_headers or in_body or in_response_headers or in_response
    if not found:
        return exchange, False
    return (
        replace(
            exchange,
            request=replace(
                request,
                url=url,
                headers=request_headers,
                body=body if request.body is not None else None,
            ),
            response=replace(response, headers=response_headers, body=response_body),
        ),
        True,
    )
