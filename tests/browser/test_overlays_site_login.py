"""A login wall: the config logs in from environment variables, and no output holds them."""

from __future__ import annotations

import json
import logging

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.overlays.login import REDACTED, redact
from capture.sessions.secrets import credential_values
from tests.browser.site_configs import (
    PASSWORD,
    PASSWORD_ENV,
    USER,
    USER_ENV,
    assert_cleared,
    assert_readable,
    config,
    fixture_sites,
    run_page,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)


@pytest.mark.usefixtures("credentials")
async def test_login_wall_is_cleared_by_logging_in_and_no_output_holds_a_secret(
    renderer: ChromiumRenderer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    site_config = config("login")
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/login-wall/article"), site_config, overlays_up=("#login-wall",)
        )
        posted = [r.body for r in site.requests if r.path == "/login-wall/session"]
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-login")
    login = run.interventions[0]
    assert (login.action, login.ok, login.selector) == ("login", True, ".signed-in")
    assert f"${USER_ENV}" in login.detail and "back to" in login.detail
    assert run.outcome.failures == ()
    outputs = [
        json.dumps([entry.to_json() for entry in run.interventions]),
        run.html,
        run.text,
        caplog.text,
        repr(run.outcome),
    ]
    blobs = [text.encode() for text in outputs] + [run.served, run.final, run.final_full.png]
    for secret in (USER, PASSWORD):
        assert not any(secret.encode() in blob for blob in blobs)
    # The login exchange on the wire does carry them: the recorder must pass it through redact.
    assert len(posted) == 1 and PASSWORD.encode() in posted[0]
    cleaned, found = redact(posted[0], credential_values(site_config))
    assert found and REDACTED in cleaned
    assert USER.encode() not in cleaned and PASSWORD.encode() not in cleaned


async def test_wrong_password_makes_the_capture_partial_with_the_reason(
    renderer: ChromiumRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    with fixture_sites() as site:
        run = await run_page(renderer, site.url("/login-wall/article"), config("login"))
    assert len(run.outcome.failures) == 1
    reason = run.outcome.failures[0]
    assert "login did not work: .signed-in did not appear" in reason
    assert f"${PASSWORD_ENV}" in reason and "not-the-password" not in reason
    assert run.actions() == [("login", False)]


async def test_unset_credentials_are_named_and_nothing_is_typed(
    renderer: ChromiumRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with fixture_sites() as site:
        run = await run_page(renderer, site.url("/login-wall/article"), config("login"))
        posted = [r for r in site.requests if r.path == "/login-wall/session"]
    assert posted == []
    assert run.outcome.failures and f"{USER_ENV} and {PASSWORD_ENV}" in run.outcome.failures[0]
    assert "is not set" in run.outcome.failures[0]
