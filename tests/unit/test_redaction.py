"""Removing login secrets from exchanges and text before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime

from capture.models import Exchange, HttpRequest, HttpResponse
from capture.redaction import REDACTED, redact_bytes, redact_exchange, redact_text

SECRETS = ("reader@x.org", "p&ss word")


def exchange(body: bytes, url: str = "https://x.org/login") -> Exchange:
    return Exchange(
        request=HttpRequest("POST", url, (("Cookie", "u=reader%40x.org"),), body),
        response=HttpResponse(200, "OK", (("Set-Cookie", "s=1"),), b"<p>Hi reader@x.org</p>"),
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_secrets_are_replaced_as_typed_and_url_encoded() -> None:
    data = b"user=reader%40x.org&pass=p%26ss+word&again=p&ss word"
    cleaned, found = redact_bytes(data, SECRETS)
    assert found
    assert cleaned == b"user=" + REDACTED + b"&pass=" + REDACTED + b"&again=" + REDACTED


def test_text_without_secrets_is_returned_unchanged() -> None:
    assert redact_text("nothing here", SECRETS) == ("nothing here", False)


def test_an_exchange_loses_its_secrets_in_url_headers_and_bodies() -> None:
    original = exchange(b"user=reader%40x.org", url="https://x.org/login?u=reader@x.org")
    cleaned, found = redact_exchange(original, SECRETS)
    assert found
    assert "reader" not in cleaned.request.url
    assert cleaned.request.headers == (("Cookie", "u=" + REDACTED.decode()),)
    assert cleaned.request.body == b"user=" + REDACTED
    assert cleaned.response.body == b"<p>Hi " + REDACTED + b"</p>"
    assert cleaned.response.status == 200 and cleaned.started_at == original.started_at


def test_an_exchange_without_secrets_is_the_same_object() -> None:
    original = exchange(b"q=news")
    original = Exchange(
        original.request.__class__("GET", "https://x.org/", (), None),
        HttpResponse(200, "OK", (), b"ok"),
        original.started_at,
    )
    assert redact_exchange(original, SECRETS) == (original, False)
    assert redact_exchange(original, ()) == (original, False)
