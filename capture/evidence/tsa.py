"""RFC 3161 trusted timestamps: asking a time stamp authority for a token over a digest.

The HTTP transport is the one seam to the network (`Transport`); building the query is pure.
A token is kept as the TSA's whole DER `TimeStampResp`, checked offline by `tokens`.
"""

from __future__ import annotations

import http.client
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable

from asn1crypto import tsp  # type: ignore[import-untyped]

from capture.errors import TimestampError
from capture.evidence.tokens import Token, read_token

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"

Transport = Callable[[str, bytes, float], bytes]
"""Posts a DER query to a TSA URL with a timeout in seconds; returns the reply body."""


def timestamp_query(digest: bytes, nonce: int) -> bytes:
    """Return the DER TimeStampReq for a SHA-256 digest, asking for the TSA's certificate."""
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(request.dump())


def post_query(url: str, query: bytes, timeout_s: float) -> bytes:
    """Return the body a TSA answers to a POSTed query; raise TimestampError when it fails."""
    request = urllib.request.Request(
        url, data=query, method="POST", headers={"Content-Type": QUERY_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body: bytes = response.read()
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()  # it holds the TSA's answer, and its socket, open
        raise TimestampError(
            f"Could not get a timestamp from {url} ({exc}). "
            "Check the --tsa URL and the network, or leave --tsa out."
        ) from exc
    return body


def request_token(
    url: str, digest: bytes, *, transport: Transport = post_query, timeout_s: float = 20.0
) -> tuple[bytes, Token]:
    """Return the DER TimeStampResp a TSA grants for digest, and what it says.

    Raises TimestampError when the TSA refuses or answers with a token for another digest or nonce.
    """
    nonce = secrets.randbits(63)
    reply = transport(url, timestamp_query(digest, nonce), timeout_s)
    try:
        token = read_token(reply)
    except ValueError as exc:
        raise TimestampError(
            f"Could not use the answer of {url} ({exc}). Check that it is an RFC 3161 TSA URL."
        ) from exc
    if token.digest != digest or token.nonce != nonce:
        raise TimestampError(
            f"Could not use the answer of {url} (its token is for another request). "
            "Try another time stamp authority."
        )
    return reply, token
