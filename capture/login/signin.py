"""What `capture login` does: make a session from a site config's `login`, and check one.

Both open their own context, which nothing records, and leave the writing of the session file
to `capture.sessions.statefile` (owner-only, never in an archive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capture import overlays
from capture.browser.netguard import NetworkGuard
from capture.browser.session import log_in_once
from capture.errors import UsageError
from capture.options import CaptureOptions
from capture.sessions.expiry import CHECK_S, session_gone
from capture.steps import utc_now

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from capture.browser.netguard import AddressPolicy
    from capture.config.site import SiteConfig

PAGE_TIMEOUT_S = 45.0


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """Whether a saved session still works on a page of its site, and why not."""

    url: str
    works: bool
    reason: str = ""


def needs_signs(site: SiteConfig) -> None:
    """Raise UsageError unless the site config says how a logged-in or logged-out page looks."""
    if not (site.logged_in or site.logged_out):
        raise UsageError(
            f"The site config {site.source or site.name} does not say how a logged-in page "
            "looks. Add `logged_in: <selector>` (or `logged_out: <selector>`) to it"
        )


def context_options(site: SiteConfig, options: CaptureOptions) -> dict[str, Any]:
    """Return new_context's arguments for a login context: the capture's, without a session."""
    kwargs: dict[str, Any] = {
        "viewport": {"width": options.viewport.width, "height": options.viewport.height},
        "ignore_https_errors": options.ignore_https_errors,
    }
    if options.user_agent:
        kwargs["user_agent"] = options.user_agent
    if options.proxy:
        kwargs["proxy"] = {"server": options.proxy}
    kwargs.update(overlays.context_options(site, options))
    kwargs.pop("storage_state", None)  # a login starts logged out
    return kwargs


async def scripted_session(
    browser: Browser,
    site: SiteConfig,
    url: str,
    options: CaptureOptions | None = None,
    *,
    policy: AddressPolicy | None = None,
) -> dict[str, Any]:
    """Return the storage state of a login by the site config's `login` from url.

    With the options' `block_private_networks`, `policy` says which addresses are refused.
    Raises UsageError when the config has no `login` or the login did not work.
    """
    options = options or CaptureOptions()
    if site.login is None:
        raise UsageError(
            f"The site config {site.source or site.name} has no `login`. Add one, or log in "
            "by hand with --interactive, or give a browser's cookies with --cookies"
        )
    kwargs = context_options(site, options)
    session = await log_in_once(site, url, browser, kwargs, options, utc_now, policy=policy)
    if session.state is None:
        raise UsageError(f"The login did not work: {session.failure}")
    return session.state


async def check_session(
    browser: Browser,
    site: SiteConfig,
    url: str,
    state: dict[str, Any],
    options: CaptureOptions | None = None,
    *,
    policy: AddressPolicy | None = None,
) -> SessionCheck:
    """Return whether a page of the site at url looks logged in with the saved state.

    With the options' `block_private_networks`, a url on a non-public address is not loaded,
    and the page may reach none (`policy` says which addresses are refused).
    """
    from playwright.async_api import Error as PlaywrightError

    needs_signs(site)
    options = options or CaptureOptions()
    refused: list[str] = []
    guard = (
        NetworkGuard(lambda blocked: refused.append(blocked.describe()), policy=policy)
        if options.block_private_networks
        else None
    )
    blocked = await guard.check(url) if guard is not None else None
    if blocked is not None:
        return SessionCheck(url, works=False, reason=_refused(blocked.describe()))
    context = await browser.new_context(**context_options(site, options), storage_state=state)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        if guard is not None:
            await guard.install(context, page)
        try:
            await page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_S * 1000)
        except PlaywrightError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            why = _refused(refused[0]) if refused else f"{url} did not load ({first})"
            return SessionCheck(url, works=False, reason=why)
        reason = await session_gone(page, site, CHECK_S)
    finally:
        await context.close()
    return SessionCheck(url, works=reason is None, reason=reason or "")


def _refused(why: str) -> str:
    return f"refused: {why} (private networks are blocked)"
