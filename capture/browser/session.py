"""A site's one login in a run: made in a context of its own that nothing records.

Its storage state becomes the run's session of the site (`capture.sessions.logins.SessionStore`);
the login itself is the site config's `login` action (`capture.overlays.login`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from capture import overlays
from capture.browser import netguard
from capture.overlays.actions import Navigations, Run
from capture.overlays.log import InterventionLog
from capture.overlays.login import log_in
from capture.sessions.logins import Session, login_start
from capture.steps import SYSTEM_CLOCK, Clock, MonotonicClock

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from capture.config.site import SiteConfig
    from capture.options import CaptureOptions

log = logging.getLogger(__name__)

LOGIN_BUDGET_S = 45.0
"""The most the one login of a run may take, from loading the page to seeing `success`."""


async def log_in_once(  # noqa: PLR0917 - one login's inputs, all needed
    site: SiteConfig,
    url: str,
    browser: Browser,
    context_options: dict[str, Any],
    options: CaptureOptions,
    clock: Clock,
    *,
    policy: netguard.AddressPolicy | None = None,
    monotonic: MonotonicClock = SYSTEM_CLOCK,
) -> Session:
    """Return the session of one login by the site's `login`, made in a context of its own
    that nothing records; a failed login gives a Session with the failure.

    With `block_private_networks`, the login is guarded as a capture is (`policy` decides which
    addresses are refused): a start page on a non-public address is not loaded at all. The
    whole login, its context's preparation and its storage state included, is bounded (on
    `monotonic`; the page's own steps keep Playwright's timeouts).
    """
    key, started = site.rule("login"), clock()
    start = login_start(site, url)
    refused: list[str] = []
    guard = (
        netguard.NetworkGuard(lambda blocked: refused.append(blocked.describe()), policy=policy)
        if options.block_private_networks
        else None
    )
    try:
        async with monotonic.timeout(LOGIN_BUDGET_S + 10):
            blocked = await guard.check(start) if guard is not None else None
            if blocked is not None:
                return Session(key, started, failure=_refused(key, blocked.describe()))
            failure, state = await _log_in(
                site, start, browser, context_options, options, clock, guard
            )
    except (PlaywrightError, TimeoutError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if refused:
            return Session(key, started, failure=_refused(key, refused[0]))
        reason = f"{key}: login not done ({first}). Check that {url} loads, then retry"
        return Session(key, started, failure=reason)
    if failure is not None:
        return Session(key, started, failure=failure)
    log.info("logged in", extra={"site": site.name})
    return Session(key, started, state=state)


async def _log_in(  # noqa: PLR0917 - one login's inputs, all needed
    site: SiteConfig,
    start: str,
    browser: Browser,
    context_options: dict[str, Any],
    options: CaptureOptions,
    clock: Clock,
    guard: netguard.NetworkGuard | None,
) -> tuple[str | None, dict[str, Any]]:
    """Log in from start in a new context; return the failure, or None and the storage state."""
    interventions = InterventionLog(clock)
    context = await browser.new_context(**context_options)
    try:
        await overlays.prepare(context, site, options, interventions)
        page = await context.new_page()
        if guard is not None:  # last, so its route is asked first, as in a capture
            await guard.install(context, page)
        deadline = time.monotonic() + LOGIN_BUDGET_S
        await page.goto(start, wait_until="load", timeout=LOGIN_BUDGET_S * 1000)
        run = Run(page, site, options, interventions, deadline, Navigations(page))
        failure = await log_in(run, back=False)
        if failure is not None:
            return failure, {}
        return None, dict(await context.storage_state())
    finally:
        await context.close()


def _refused(key: str, why: str) -> str:
    return (
        f"{key}: login refused: {why} (private networks are blocked). Log in on a public "
        "address, or turn off --block-private-networks"
    )
