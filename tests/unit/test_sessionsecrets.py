"""Which values of a session are replaced in every byte: the session's own secrets only."""

from __future__ import annotations

import json
from pathlib import Path

from capture.config.site import load_site
from capture.models import CaptureRequest
from capture.options import CaptureOptions
from capture.sessions.logins import SessionStore, redactor_for
from capture.sessions.redaction import SESSION_MARK
from capture.sessions.secrets import looks_secret, own_sites, session_secrets, site_of
from tests.unit.test_redaction import session_exchange

SID = "5f1c9a0e7b3d42c8a6e1f09b"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
TRACKER = "tr4ck3r-7f3a9c1e5b7d9f1a3c5e"
GA = "GA1.1.1234567890.1700000000"
CONSENT = "isGpcEnabled=0&datestamp=Thu+Dec+03+2026&version=202409.1.0&groups=C0001%3A1"

STATE = {
    "cookies": [
        {"name": "sid", "value": SID, "domain": "news.example.co.uk"},
        {"name": "theme", "value": "dark", "domain": ".example.co.uk"},
        {"name": "_ga", "value": GA, "domain": ".example.co.uk"},
        {"name": "OptanonConsent", "value": CONSENT, "domain": ".example.co.uk"},
        {"name": "uid", "value": TRACKER, "domain": ".tracker.example"},
    ],
    "origins": [
        {
            "origin": "https://news.example.co.uk",
            "localStorage": [
                {"name": "access_token", "value": TOKEN},
                {"name": "amplitude_id", "value": "a8f9e0d1c2b3a4f5e6d7c8b9"},
            ],
        },
        {
            "origin": "https://widgets.tracker.example",
            "localStorage": [{"name": "visitor", "value": "b7c6d5e4f3a2b1c0d9e8f7a6"}],
        },
    ],
}


def test_secrets_look_like_tokens_not_words_numbers_or_settings() -> None:
    assert looks_secret(SID) and looks_secret(TOKEN) and looks_secret("s%3Aab12cd34ef56gh78")
    assert not looks_secret("a1b2c3d4")  # too short
    assert not looks_secret("acceptedcookiesall")  # a word
    assert not looks_secret("1700000000.123456789")  # a number
    assert not looks_secret(CONSENT)  # a list of settings
    assert not looks_secret("Thu, 03 Dec 2026 10:00:00 GMT")


def test_sites_are_registrable_domains_and_addresses() -> None:
    assert site_of("news.example.co.uk") == "example.co.uk"
    assert site_of(".www.example.org") == "example.org"
    assert site_of("127.0.0.1") == "127.0.0.1"
    assert own_sites(["https://news.example.co.uk/a", "/login"]) == {"example.co.uk"}


def test_only_the_own_sites_session_values_that_look_secret_are_chosen() -> None:
    chosen = session_secrets(STATE, frozenset({"example.co.uk"}))
    assert chosen == [SID, TOKEN]  # no theme, analytics, consent or third-party value


def test_a_session_files_third_party_values_stay_in_the_page_and_its_own_go(
    tmp_path: Path,
) -> None:
    (tmp_path / "session.json").write_text(json.dumps(STATE))
    config = tmp_path / "site.yaml"
    config.write_text(
        "version: 1\nname: news\nmatch: {hosts: [news.example.co.uk]}\n"
        "before:\n  - storage_state: session.json\n"
    )
    request = CaptureRequest(
        "https://news.example.co.uk/story",
        tmp_path / "out",
        CaptureOptions(),
        load_site(config),
        SessionStore(),
    )
    redactor = redactor_for(request)
    page = f"<p>{TRACKER} {GA} {CONSENT}</p><input value='{SID}'><script>t='{TOKEN}'</script>"
    cleaned, found = redactor.text(page)
    assert found
    assert TRACKER in cleaned and GA in cleaned and CONSENT in cleaned
    assert SID not in cleaned and TOKEN not in cleaned and cleaned.count(SESSION_MARK) == 2
    body = page.encode()
    sent = redactor.exchange(
        session_exchange((("Cookie", f"sid={SID}; uid={TRACKER}"),), response_body=body)
    )
    assert sent.request.headers == (("Cookie", f"sid={SESSION_MARK}; uid={SESSION_MARK}"),)
    assert TRACKER.encode() in sent.response.body and SID.encode() not in sent.response.body
