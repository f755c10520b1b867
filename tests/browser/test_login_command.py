"""`capture login`: a session file made once (by config, by hand, from cookies), then used."""

from __future__ import annotations

import asyncio
import json
import stat
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from capture import paths
from capture.api import capture_urls
from capture.browser.renderer import ChromiumRenderer
from capture.cli import main
from capture.config.site import SiteConfig, load_site
from capture.errors import ExitCode, UsageError
from capture.login.interactive import ScreenServer, interactive_session
from capture.login.signin import check_session, scripted_session
from capture.models import CaptureState
from capture.options import CaptureOptions
from capture.sessions.statefile import write_session
from tests.browser import site_configs
from tests.browser.session_site import (
    CODE,
    CONFIG,
    EMAIL,
    EMAIL_ENV,
    LAST_WORDS,
    PASSWORD,
    PASSWORD_ENV,
    USER,
    USER_ENV,
    MembersSite,
    logins,
    members_site,
)
from tests.browser.test_login_secrets import assert_no_secret, every_output_byte

if TYPE_CHECKING:
    from playwright.async_api import FloatRect

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def email(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EMAIL_ENV, EMAIL)  # the members' site shows it; its config redacts it


def session_config(folder: Path, base: Path = CONFIG, *, drop_login: bool = True) -> SiteConfig:
    """Return base's site config without its `login`, loading the session file beside it."""
    lines = base.read_text().splitlines()
    if drop_login:
        start = lines.index("login:")
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
        lines = lines[:start] + lines[end:]
    lines = [line for line in lines if not line.startswith("redact_env:")]
    redact = f"redact_env: [{USER_ENV}, {EMAIL_ENV}]"
    lines += ["before:", "  - storage_state: session.json", redact]
    path = folder / "site.yaml"
    path.write_text("\n".join(lines) + "\n")
    return load_site(path)


async def capture_articles(
    renderer: ChromiumRenderer, site_url: str, config: SiteConfig, output: Path, count: int = 3
) -> list[str]:
    """Capture count members' articles; return the text of each, asserting each complete."""
    urls = [f"{site_url}/members/article?n={n}" for n in range(1, count + 1)]
    result = await capture_urls(
        urls,
        output=output,
        options=CaptureOptions(timeout_s=40),
        renderer=renderer,
        site_for=lambda _: config,
    )
    assert [r.state for r in result.results] == [CaptureState.COMPLETE] * count, [
        r.error for r in result.results
    ]
    return [(r.folder / paths.ARTICLE_TXT).read_text() for r in result.results]


def test_a_scripted_login_makes_an_owner_only_session_that_check_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    session = tmp_path / "keep" / "session.json"
    with members_site() as (site, state):
        url = site.url("/members/article?n=1")
        common = ["login", "--site", str(CONFIG), "--session", str(session), "--url", url]
        assert main(common) == ExitCode.OK
        assert stat.S_IMODE(session.stat().st_mode) == 0o600
        saved = json.loads(session.read_text())
        assert {c["name"] for c in saved["cookies"]} == {"sid", "csrf"}
        assert main([*common, "--check"]) == ExitCode.OK
        state.expire_all()
        assert main([*common, "--check"]) == ExitCode.NOT_VERIFIED
        assert logins(site) == 1


def test_block_private_networks_refuses_a_login_and_a_check_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    session = tmp_path / "session.json"
    with members_site() as (site, _):
        url = site.url("/members/article?n=1")
        common = ["login", "--site", str(CONFIG), "--session", str(session), "--url", url]
        assert main([*common, "--block-private-networks"]) == ExitCode.USAGE
        assert "127.0.0.1 is a loopback" in capsys.readouterr().err
        assert not session.exists() and logins(site) == 0
        write_session(session, {"cookies": [], "origins": []})
        assert main([*common, "--check", "--block-private-networks"]) == ExitCode.NOT_VERIFIED
        assert "refused: " in capsys.readouterr().out
        assert main([*common, "--interactive", "--block-private-networks"]) == ExitCode.USAGE
        assert "cannot guard --interactive" in capsys.readouterr().err
        assert not site.requests and logins(site) == 0  # nothing reached the server


def test_a_session_file_is_never_written_into_an_archive(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("{}")
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tx\n")
    target = tmp_path / "captures" / "session.json"
    argv = ["login", "--site", str(CONFIG), "--session", str(target), "--cookies", str(cookies)]
    assert main(argv) == ExitCode.USAGE
    assert not target.exists()


async def test_a_person_logs_in_through_the_served_screen_with_a_second_factor(
    renderer: ChromiumRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)  # named by `redact_env`: the page shows who is in
    with members_site(MembersSite(second_factor=True)) as (site, state):
        login_url = site.url("/members/login")
        # Where the form's fields are on the browser's screen (the same page, the same size).
        probe = await renderer.browser.new_context(viewport={"width": 1280, "height": 800})
        probe_page = await probe.new_page()
        await probe_page.goto(login_url)
        boxes = {f: await probe_page.locator(f).bounding_box() for f in ("#username", "#code")}
        boxes["#password"] = await probe_page.locator("#password").bounding_box()
        await probe.close()

        address: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        person = asyncio.ensure_future(
            interactive_session(
                renderer.browser,
                session_config(tmp_path, drop_login=False),
                login_url,
                visible=False,
                stop=asyncio.Event(),
                say=lambda line: None,
                ready=address.set_result,
            )
        )
        try:
            saved = await type_in_the_served_screen(
                renderer, await asyncio.wait_for(address, 30), boxes, person
            )
        finally:
            person.cancel()
            await asyncio.gather(person, return_exceptions=True)

        write_session(tmp_path / "session.json", saved)
        config = session_config(tmp_path)
        texts = await capture_articles(renderer, site.base_url, config, tmp_path / "out")
        assert logins(site) == 1  # the person's, and none by the captures
        secrets = state.secrets
    assert all(f"{LAST_WORDS}-{n}" in text for n, text in enumerate(texts, start=1))
    assert_no_secret(every_output_byte(tmp_path / "out"), secrets)


async def test_cookies_exported_from_a_browser_log_the_captures_in(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    with site_configs.fixture_sites() as site:
        form = urllib.parse.urlencode(
            {"username": site_configs.USER, "password": site_configs.PASSWORD}
        ).encode()
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(site.url("/login-wall/session"), data=form)
        # The redirect comes as an HTTPError holding the response: closed here, or its socket
        # is left for the garbage collector to report in whichever test runs then.
        with answer.value:
            cookie = answer.value.headers["Set-Cookie"].split(";")[0]
        name, _, value = cookie.partition("=")
        cookies = tmp_path / "cookies.txt"
        line = "\t".join(("#HttpOnly_127.0.0.1", "FALSE", "/", "FALSE", "0", name, value))
        cookies.write_text(f"# Netscape HTTP Cookie File\n{line}\n")
        base = site_configs.CONFIGS / "login.yaml"
        config = session_config(tmp_path, base)
        argv = ["login", "--site", str(config.source), "--cookies", str(cookies)]
        assert await asyncio.to_thread(main, argv) == ExitCode.OK
        result = await capture_urls(
            [site.url("/login-wall/article")],
            output=tmp_path / "out",
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: config,
        )
    (capture,) = result.results
    assert capture.state is CaptureState.COMPLETE, capture.error
    assert "END-OF-ARTICLE-login" in (capture.folder / paths.ARTICLE_TXT).read_text()
    assert_no_secret(every_output_byte(tmp_path / "out"), [value])


async def type_in_the_served_screen(
    renderer: ChromiumRenderer,
    address: str,
    boxes: dict[str, FloatRect | None],
    person: asyncio.Future[dict[str, Any]],
) -> dict[str, Any]:
    """Click each field on the served screen and type into it as a person would; return the
    session saved once the site shows the person logged in."""
    control = await renderer.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await control.new_page()
        await page.goto(address)
        screen = page.locator("#screen")
        await page.wait_for_function("document.getElementById('screen').naturalWidth > 0")
        shown = await screen.bounding_box()
        assert shown is not None
        scale = shown["width"] / 1280
        for field, text in (("#username", USER), ("#password", PASSWORD), ("#code", CODE)):
            box = boxes[field]
            assert box is not None, field
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            await screen.click(position={"x": x * scale, "y": y * scale})
            await page.keyboard.type(text)
        await page.keyboard.press("Enter")
        return await asyncio.wait_for(person, 60)
    finally:
        await control.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keeps the login's 303 (and its Set-Cookie) as the answer."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


async def test_a_run_starts_from_the_session_file_capture_login_made_and_never_logs_in(
    renderer: ChromiumRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    config = session_config(tmp_path, drop_login=False)  # a `login` and a session file
    with members_site() as (site, state):
        argv = ["login", "--site", config.source, "--url", site.url("/members/article?n=1")]
        assert await asyncio.to_thread(main, argv) == ExitCode.OK
        assert stat.S_IMODE((tmp_path / "session.json").stat().st_mode) == 0o600
        texts = await capture_articles(renderer, site.base_url, config, tmp_path / "out")
        assert logins(site) == 1  # capture login's, and none in the run
        secrets = state.secrets
    assert all(f"{LAST_WORDS}-{n}" in text for n, text in enumerate(texts, start=1))
    folder = next((tmp_path / "out").glob("*/captures/*"))
    capture = json.loads((folder / paths.CAPTURE_JSON).read_text())
    (login,) = [i for i in capture["interventions"] if i["action"] == "login"]
    assert "from the session file" in login["detail"]
    assert_no_secret(every_output_byte(tmp_path / "out"), secrets)


async def test_check_finds_a_session_gone_once_its_time_is_up(
    renderer: ChromiumRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    now = [1000.0]
    config = load_site(CONFIG)
    with members_site(MembersSite(expire_after_s=600, clock=lambda: now[0])) as (site, _):
        url = site.url("/members/article?n=1")
        state = await scripted_session(renderer.browser, config, url)
        fresh = await check_session(renderer.browser, config, url, state)
        now[0] += 601  # ten minutes later, on the site's clock
        later = await check_session(renderer.browser, config, url, state)
    assert fresh.works, fresh.reason
    assert not later.works
    assert later.reason.startswith("logged_out: the session is gone (#login-wall is on the page)")


async def test_a_rate_limited_login_is_reported_and_saves_nothing(
    renderer: ChromiumRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with members_site(MembersSite(login_limit=0)) as (site, _):
        with pytest.raises(UsageError, match=r"The login did not work: .*\.signed-in did not"):
            await scripted_session(renderer.browser, load_site(CONFIG), site.url("/members/login"))
        assert logins(site) == 1  # tried once, answered 429


async def test_the_served_screen_passes_pasted_text_and_scrolling_and_wants_its_token(
    renderer: ChromiumRenderer,
) -> None:
    remote_context = await renderer.browser.new_context(viewport={"width": 800, "height": 600})
    control = await renderer.browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        remote = await remote_context.new_page()
        await remote.set_content('<input id="code" autofocus><div style="height:5000px"></div>')
        await remote.focus("#code")
        async with ScreenServer(remote).serving() as server:
            page = await control.new_page()
            elsewhere = await page.goto(server.url.replace(server.token, "guess"))
            assert elsewhere is not None and elsewhere.status == 404
            await page.goto(server.url)
            await page.wait_for_function("document.getElementById('screen').naturalWidth > 0")
            await page.evaluate(
                """() => {
                  const data = new DataTransfer();
                  data.setData("text", "pasted-246810");
                  document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data}));
                }"""
            )
            await remote.wait_for_function(
                "document.getElementById('code').value === 'pasted-246810'"
            )
            await page.locator("#screen").hover()
            await page.mouse.wheel(0, 700)
            await remote.wait_for_function("window.scrollY > 0")
    finally:
        await control.close()
        await remote_context.close()
