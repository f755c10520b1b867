"""Removing login secrets from exchanges and text before anything is written."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from capture.exchanges import Exchange, HttpRequest, HttpResponse
from capture.models import (
    CaptureRequest,
    CaptureState,
    PageFacts,
    Reason,
    StepResult,
    StepState,
    Verdict,
)
from capture.options import CaptureOptions
from capture.sessions.redaction import (
    REDACTED,
    SESSION_MARK,
    Redactor,
    redact_bytes,
    redact_exchange,
    redact_text,
)
from capture.sessions.scrub import without_secrets
from tests.fakes import complete_page

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


def session_exchange(
    request_headers: tuple[tuple[str, str], ...] = (),
    response_headers: tuple[tuple[str, str], ...] = (),
    *,
    body: bytes | None = None,
    response_body: bytes = b"ok",
) -> Exchange:
    return Exchange(
        request=HttpRequest("POST" if body else "GET", "https://x.org/a", request_headers, body),
        response=HttpResponse(200, "OK", response_headers, response_body),
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_a_session_keeps_cookie_and_authorization_names_and_replaces_their_values() -> None:
    redactor = Redactor(session=True)
    cleaned = redactor.exchange(
        session_exchange(
            (("Cookie", "sid=abcdef123456; theme=1"), ("Authorization", "Bearer tok-0123456789")),
            (("Set-Cookie", "sid=fedcba654321; Path=/; HttpOnly"),),
        )
    )
    assert cleaned.request.headers == (
        ("Cookie", f"sid={SESSION_MARK}; theme={SESSION_MARK}"),
        ("Authorization", f"Bearer {SESSION_MARK}"),
    )
    assert cleaned.response.headers == (("Set-Cookie", f"sid={SESSION_MARK}; Path=/; HttpOnly"),)
    assert redactor.exchanges == 1


def test_cookie_values_of_any_exchange_are_masked_in_headers_only() -> None:
    redactor = Redactor(session=True)
    first = redactor.exchange(session_exchange((("Cookie", "_ga=GA1.1.1234567890.1700000000"),)))
    assert first.request.headers == (("Cookie", f"_ga={SESSION_MARK}"),)
    page = b"<p>consent: GA1.1.1234567890.1700000000</p>"
    later = redactor.exchange(session_exchange(response_body=page))
    assert later.response.body == page  # a cookie not known as the session's stays in bodies
    assert redactor.text("GA1.1.1234567890.1700000000")[1] is False


def test_the_sessions_known_values_are_replaced_in_bodies_and_text() -> None:
    redactor = Redactor(session=True, known=["9f8e7d6c5b4a39281706f5e4"])
    later = redactor.exchange(session_exchange(response_body=b"<p>9f8e7d6c5b4a39281706f5e4</p>"))
    assert later.response.body == b"<p>" + SESSION_MARK.encode() + b"</p>"
    assert redactor.text("sid=9f8e7d6c5b4a39281706f5e4") == ("sid=" + SESSION_MARK, True)


def test_a_login_responses_token_fields_are_replaced_and_remembered() -> None:
    redactor = Redactor(("reader@x.org", "p&ss word"), session=True)
    login = redactor.exchange(
        session_exchange(
            body=b'{"username": "reader@x.org", "password": "p&ss word"}',
            response_body=b'{"ok": true, "access_token": "eyJhbGciOi.xyz", "name": "Ann"}',
            response_headers=(("Set-Cookie", "sid=a1b2c3d4e5f6; Path=/\n_ga=GA1.1.99.1700"),),
        )
    )
    assert b"eyJhbGciOi.xyz" not in login.response.body and b'"name": "Ann"' in login.response.body
    later = redactor.exchange(session_exchange(response_body=b"t=eyJhbGciOi.xyz"))
    assert later.response.body == b"t=" + SESSION_MARK.encode()
    assert redactor.text("reader@x.org") == (REDACTED.decode(), True)  # a credential's own mark
    assert redactor.text("a1b2c3d4e5f6") == (SESSION_MARK, True)  # the login's own cookie
    assert redactor.text("GA1.1.99.1700") == ("GA1.1.99.1700", False)  # not a secret


def test_without_a_session_only_credentials_are_replaced() -> None:
    redactor = Redactor(SECRETS)
    original = session_exchange((("Cookie", "sid=abcdef123456"),))
    assert redactor.exchange(original) == original
    assert not Redactor().active


def test_set_cookie_values_joined_by_newlines_are_each_replaced() -> None:
    redactor = Redactor(session=True)
    joined = "sid=abcdef123456; Path=/\ncsrf=0123456789ab; Secure"
    cleaned = redactor.exchange(session_exchange(response_headers=(("Set-Cookie", joined),)))
    assert cleaned.response.headers == (
        ("Set-Cookie", f"sid={SESSION_MARK}; Path=/\ncsrf={SESSION_MARK}; Secure"),
    )
    assert not redactor.text("0123456789ab")[1]  # not a login's: masked in headers only


def test_a_pages_facts_step_details_and_verdict_lose_their_secrets() -> None:
    sid = "5f1c9a0e7b3d42c8a6e1f09b"
    request = CaptureRequest("https://x.org/a", Path("unused"), CaptureOptions())
    page = complete_page(request)
    moved = f"https://x.org/login?sid={sid}"
    page = replace(
        page,
        steps=(
            StepResult("page-check", StepState.OK, 1.0, detail={"cleared_into": moved, "n": 1}),
        ),
        seen=PageFacts(
            title="Hello reader@x.org", headings=("Signed in as reader@x.org",), urls=(moved,)
        ),
        verdict=Verdict(
            Reason.LOGIN_REQUIRED, (f"sent to the sign-in page {moved}",), "", CaptureState.PARTIAL
        ),
    )
    redactor = Redactor(SECRETS, session=True, known=[sid])
    cleaned = without_secrets(page, redactor, datetime(2026, 1, 1, tzinfo=UTC))
    text = json.dumps(
        [
            [step.to_json() for step in cleaned.steps],
            cleaned.seen.to_json() if cleaned.seen else None,
            list(cleaned.seen.urls) if cleaned.seen else None,
            cleaned.verdict.to_json() if cleaned.verdict else None,
        ]
    )
    assert sid not in text and "reader@x.org" not in text
    assert f"login?sid={SESSION_MARK}" in text and text.count(REDACTED.decode()) == 2
    (redact,) = [entry for entry in cleaned.interventions if entry.action == "redact"]
    assert "the steps" in redact.detail and "the page's facts" in redact.detail


CSRF, TOKEN = "b1bcb5b90a5a2d04c6bf", "b93a42eed59537877c805d1919e84581"
"""A session's csrf cookie and bearer token, as a login hands them out."""


def test_what_the_browser_sends_its_own_site_is_replaced_even_when_the_login_was_never_read() -> (
    None
):
    # The login's exchange never reached the redactor (its body unread, the exchange lost):
    # the next request to the site carries the session, and teaches it.
    redactor = Redactor(SECRETS, session=True, sites=frozenset({"x.org"}))
    sent = (("Cookie", f"csrf={CSRF}; theme=dark"), ("Authorization", f"Bearer {TOKEN}"))
    page = f'<input name="csrf" value="{CSRF}"><script>t="{TOKEN}"</script>'.encode()
    cleaned = redactor.exchange(session_exchange(sent, response_body=page))

    assert CSRF.encode() not in cleaned.response.body
    assert TOKEN.encode() not in cleaned.response.body
    assert cleaned.response.body.count(SESSION_MARK.encode()) == 2
    dom, found = redactor.text(f"<input value='csrf={CSRF}'>")  # the DOM, later
    assert found and CSRF not in dom


def test_what_the_browser_sends_another_site_or_a_tracker_stays_in_bodies() -> None:
    redactor = Redactor(SECRETS, session=True, sites=frozenset({"x.org"}))
    partner = replace(
        session_exchange((("Cookie", f"visitor={CSRF}"),), response_body=CSRF.encode()),
        request=HttpRequest("GET", "https://partner.example/p", (("Cookie", f"visitor={CSRF}"),)),
    )
    tracked = session_exchange(
        (("Cookie", f"_ga={TOKEN}"),), response_body=f"analytics {TOKEN}".encode()
    )

    assert redactor.exchange(partner).response.body == CSRF.encode()  # a third party's value
    assert redactor.exchange(tracked).response.body == f"analytics {TOKEN}".encode()
    assert not redactor.text(f"{CSRF} {TOKEN}")[1]  # neither was learned
