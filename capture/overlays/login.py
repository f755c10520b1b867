"""Logging in with credentials from the environment, and keeping them out of every output.

The config names environment variables, never values. The values are typed into the page and
nowhere else: the intervention names the variables, the password field is emptied afterwards,
and `redact` (for the recorder) replaces the values wherever they would be written.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import TYPE_CHECKING

from capture.overlays import pagejs
from capture.overlays.actions import Run, ms
from capture.overlays.selectors import frame_url, scope
from capture.sessions.redaction import REDACTED, redact_bytes

__all__ = ["REDACTED", "log_in", "redact", "session_used"]

redact = redact_bytes
"""Replace a site's secrets in recorded bytes (see capture.sessions.redaction)."""

if TYPE_CHECKING:
    from capture.config.site import Login, SiteConfig
    from capture.sessions.logins import Session


async def log_in(run: Run, *, back: bool = True) -> str | None:
    """Log in as the site's `login` says; return why it failed (None when it worked).

    back=False stays where the login leads, whatever the config's `back` (a run's one login,
    made in a context of its own, has no article to return to)."""
    from playwright.async_api import Error as PlaywrightError

    assert run.site is not None and run.site.login is not None
    login, rule = run.site.login, run.site.rule("login")
    missing = [
        name for name in (login.username_env, login.password_env) if not os.environ.get(name)
    ]
    if missing:
        reason = (
            f"login not tried: the environment variable {' and '.join(missing)} is not set. "
            "Export it before the run"
        )
        run.log.add("login", rule, ok=False, detail=reason)
        return f"{rule}: {reason}"
    article = run.page.url
    try:
        await _submit(run, login)
        success = scope(run.page, login.frame).locator(login.success).first
        await success.wait_for(state="visible", timeout=ms(run.remaining_s(login.timeout_s)))
    except (PlaywrightError, TimeoutError) as exc:
        reason = (
            f"login did not work: {login.success} did not appear within {login.timeout_s:g} s "
            f"({_first_line(exc)}). Check the credentials in ${login.username_env} and "
            f"${login.password_env}, and the selectors of `login`"
        )
        await _forget(run)
        run.log.add("login", rule, ok=False, selector=login.success, detail=reason)
        return f"{rule}: {reason}"
    await _forget(run)
    where = await frame_url(run.page, login.frame)
    detail = (
        f"logged in as {_account(run.site)}; credentials from the environment, "
        "never recorded (the login request body is redacted)"
    )
    if back and login.url and login.back and run.page.url != article:
        await run.page.goto(article, wait_until="load", timeout=ms(run.remaining_s(30)))
        detail += f"; back to {article}"
    run.log.add("login", rule, ok=True, selector=login.success, frame=where, detail=detail)
    return None


def session_used(run: Run, session: Session) -> str | None:
    """Record that the page started from the run's one login of its site; return why the
    session is missing when that login failed (None when the page started logged in)."""
    assert run.site is not None
    rule = run.site.rule("login")
    if session.failure is not None:
        detail = f"the run's one login failed: {session.failure}"
        run.log.add("login", rule, ok=False, detail=detail)
        return session.failure
    how = (
        f"from the session file {session.source}"
        if session.source
        else f"the run logged in once, at {session.at.isoformat(timespec='seconds')}"
    )
    detail = (
        f"started logged in as {_account(run.site)}: {how}, and every capture of the site "
        "shares that session (credentials and session secrets are never recorded)"
    )
    run.log.add("login", rule, ok=True, detail=detail)
    return None


def _account(site: SiteConfig) -> str:
    """Return how the account is named: the config's label, else the variable's name."""
    if site.account:
        return f"account {site.account!r}"
    assert site.login is not None
    return f"${site.login.username_env}"


async def _submit(run: Run, login: Login) -> None:
    page = run.page
    if login.url:
        target = urllib.parse.urljoin(page.url, login.url)
        if page.url != target:  # a run's one login starts on the login page itself
            await page.goto(target, wait_until="load", timeout=ms(run.remaining_s(30)))
    if login.open:
        await (
            scope(page, login.frame)
            .locator(login.open)
            .first.click(timeout=ms(run.remaining_s(login.timeout_s)))
        )
    form = scope(page, login.frame)
    timeout = ms(run.remaining_s(login.timeout_s))
    await form.locator(login.username_field).first.fill(
        os.environ[login.username_env], timeout=timeout
    )
    password = form.locator(login.password_field).first
    await password.fill(os.environ[login.password_env], timeout=timeout)
    if login.submit:
        await form.locator(login.submit).first.click(timeout=timeout)
    else:
        await password.press("Enter", timeout=timeout)


async def _forget(run: Run) -> None:
    """Empty password fields so no later DOM snapshot can hold the typed value."""
    from playwright.async_api import Error as PlaywrightError

    for frame in run.page.frames:
        try:
            await frame.evaluate(pagejs.FORGET_PASSWORDS_JS)
        except PlaywrightError:
            continue  # a frame that went away holds nothing


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
