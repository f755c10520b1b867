"""Sessions in a run: one login for many captures, expiry caught, no secret in any output."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from capture import paths
from capture.api import capture_urls
from capture.browser.renderer import ChromiumRenderer
from capture.login.signin import scripted_session
from capture.models import CaptureRequest, CaptureState, Reason
from capture.options import CaptureOptions
from capture.output.provenance_html import PROVENANCE_HTML
from capture.run.pipeline import capture_page
from capture.sessions.expiry import LOGGED_OUT_LIMIT
from capture.sessions.redaction import REDACTED, SESSION_MARK
from capture.sessions.statefile import write_session
from tests.browser.session_site import (
    EMAIL,
    EMAIL_ENV,
    LAST_WORDS,
    PASSWORD,
    PASSWORD_ENV,
    USER,
    USER_ENV,
    MembersSite,
    logins,
    members_config,
    members_site,
)
from tests.browser.test_login_command import session_config
from tests.browser.test_login_secrets import assert_no_secret, every_output_byte

pytestmark = pytest.mark.browser

ARTICLES = 12


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(EMAIL_ENV, EMAIL)


async def test_a_run_of_many_articles_logs_in_once_and_no_output_holds_a_secret(
    renderer: ChromiumRenderer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    site_config = members_config()
    with members_site() as (site, state):
        urls = [site.url(f"/members/article?n={n}") for n in range(1, ARTICLES + 1)]
        run = await capture_urls(
            urls,
            output=tmp_path,
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: site_config,
            concurrency=2,
            wacz=True,
        )
        hits = logins(site)
    assert hits == 1
    assert [r.state for r in run.results] == [CaptureState.COMPLETE] * ARTICLES, [
        r.error for r in run.results
    ]
    for number, result in enumerate(run.results, start=1):
        text = (result.folder / paths.ARTICLE_TXT).read_text()
        assert f"{LAST_WORDS}-{number}" in text  # the article behind the wall, every time
        capture = json.loads((result.folder / paths.CAPTURE_JSON).read_text())
        (login,) = [i for i in capture["interventions"] if i["action"] == "login"]
        assert login["ok"] and "account 'test member'" in login["detail"]
        assert "test member" in (result.folder / PROVENANCE_HTML).read_text()
        assert any(i["action"] == "redact" for i in capture["interventions"])
        # The page check read the heading that shows the e-mail: it is kept, without it.
        assert f"Signed in as {REDACTED.decode()}" in capture["page_facts"]["headings"]

    secrets = state.named_secrets
    assert len(secrets) == 6  # the credentials, the e-mail, one session's cookie, csrf, token
    blobs = every_output_byte(run.folder)
    blobs["log records"] = "\n".join(str(vars(r)) for r in caplog.records).encode()
    assert_no_secret(blobs, secrets)
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    # The names stay, so the record still says a session was sent; the values are gone.
    assert f"sid={SESSION_MARK}".encode() in warc
    assert f"Bearer {SESSION_MARK}".encode() in warc


async def test_an_expired_session_is_caught_and_the_run_stops_capturing_the_site(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    site_config = members_config()
    # The run's one login goes straight to the login page and uses the session for nothing:
    # two captures find it alive, and the third finds it gone.
    with members_site(MembersSite(expire_after_requests=2)) as (site, _):
        urls = [site.url(f"/members/article?n={n}") for n in range(1, 9)]
        run = await capture_urls(
            urls,
            output=tmp_path,
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: site_config,
        )
        hits = logins(site)
        loaded = [r.query for r in site.requests if r.path == "/members/article"]
    assert hits == 1
    states = [r.state for r in run.results]
    gone = LOGGED_OUT_LIMIT
    assert states == [CaptureState.COMPLETE] * 2 + [CaptureState.PARTIAL] * gone + [
        CaptureState.FAILED
    ] * (8 - 2 - gone)
    first_gone = run.results[2]
    assert first_gone.error is not None
    assert "session: logged_out: the session is gone (#login-wall is on the page)" in (
        first_gone.error
    )
    assert "capture login --site" in first_gone.error
    stopped = run.results[-1]
    assert stopped.error is not None and "stopped capturing that site" in stopped.error
    assert len(loaded) == 2 + gone  # only the captures that ran: the login loads no article


async def test_a_login_that_fails_is_tried_once_per_run_not_once_per_url(
    renderer: ChromiumRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    site_config = members_config()
    with members_site(MembersSite(login_limit=2)) as (site, _):
        urls = [site.url(f"/members/article?n={n}") for n in range(1, 7)]
        run = await capture_urls(
            urls,
            output=tmp_path,
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: site_config,
            concurrency=2,
        )
        hits = logins(site)
    assert hits == 1  # well under the site's rate limit of 2
    assert CaptureState.COMPLETE not in [r.state for r in run.results]
    first = run.results[0]
    assert first.error is not None
    assert "login did not work" in first.error and "session: logged_out" in first.error


async def test_a_capture_that_logs_in_by_itself_keeps_no_token_of_the_login_response(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    with members_site() as (site, state):
        request = CaptureRequest(
            site.url("/members/article?n=4"),
            tmp_path / "one",
            CaptureOptions(timeout_s=40),
            site=members_config(),
        )
        result = await capture_page(request, renderer)  # no run: the login is in the capture
        secrets = state.named_secrets

    assert result.state is CaptureState.COMPLETE, result.error
    assert len(secrets) == 6
    blobs = every_output_byte(result.folder)
    assert_no_secret(blobs, secrets)
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    # The login exchange is kept, its cookies and its token replaced.
    assert f"Set-Cookie: csrf={SESSION_MARK}; Path=/".encode() in warc
    assert f'{{"ok": true, "access_token": "{SESSION_MARK}"}}'.encode() in warc


async def test_a_session_sent_to_the_sign_in_page_keeps_its_id_out_of_the_verdict(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    with members_site() as (site, state):
        run = await capture_urls(
            [site.url("/members/signed-out")],
            output=tmp_path,
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: members_config(),
            wacz=True,
        )
        secrets = state.named_secrets
        sent = [r.query for r in site.requests if r.path == "/members/login" and "sid=" in r.query]

    (result,) = run.results
    assert sent and secrets["session 1 sid"] in sent[0]  # the site put it in the address
    assert result.verdict is not None and result.verdict.reason is Reason.LOGIN_REQUIRED
    assert any(
        "sent to the sign-in page" in fact and SESSION_MARK in fact for fact in result.verdict.facts
    ), result.verdict.facts
    blobs = every_output_byte(run.folder)
    blobs["the --json line"] = json.dumps(
        {"error": result.error, "verdict": result.verdict.to_json()}
    ).encode()
    assert_no_secret(blobs, secrets)


async def test_a_session_files_third_party_and_analytics_values_stay_in_the_page(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    visitor, analytics = "pv-4e8a1c9f2b7d5e3a6c0f", "GA1.1.1234567890.1700000000"
    config = session_config(tmp_path, drop_login=False)
    with members_site(MembersSite(shown=f"Partner visitor {visitor}, analytics {analytics}")) as (
        site,
        state,
    ):
        url = site.url("/members/article?n=1")
        session = await scripted_session(renderer.browser, members_config(), url)
        session["cookies"] += [
            {"name": "visitor", "value": visitor, "domain": "localhost", "path": "/"},
            {"name": "_ga", "value": analytics, "domain": "127.0.0.1", "path": "/"},
        ]
        write_session(tmp_path / "session.json", session)
        run = await capture_urls(
            [url],
            output=tmp_path / "out",
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: config,
        )
        secrets = state.named_secrets

    (result,) = run.results
    assert result.state is CaptureState.COMPLETE, result.error
    text = (result.folder / paths.ARTICLE_TXT).read_text()
    assert f"{LAST_WORDS}-1" in text
    # Evidence is kept: a partner's and an analytics value are no session secret of the site.
    assert f"Partner visitor {visitor}, analytics {analytics}" in text
    assert visitor in (result.folder / paths.DOM).read_text()
    blobs = every_output_byte(tmp_path / "out")
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    assert f"analytics {analytics}".encode() in warc  # the article's body as served
    assert f"_ga={SESSION_MARK}".encode() in warc  # its Cookie header is masked all the same
    assert_no_secret(blobs, secrets)
