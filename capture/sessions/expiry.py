"""Expired sessions: a page seen logged out is never complete, and a run stops capturing a site
whose session is gone instead of archiving its login walls.

A site config says how a page looks logged in (`logged_in:` selector) or logged out
(`logged_out:`). The capture's `session` step fails with the reason `logged_out`, which makes the
capture partial; after `LOGGED_OUT_LIMIT` such captures of one site in a run, the run records the
site's remaining URLs as failed with that reason, without loading them.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

    from capture.config.site import SiteConfig
    from capture.models import CaptureRequest, CaptureResult

log = logging.getLogger(__name__)

LOGGED_OUT = "logged_out"
"""The reason a capture that found its session gone gives (`session: logged_out: ...`)."""

STEP = "session"
"""The name of the step that checks the page is still logged in."""

CHECK_S = 5.0
"""The longest a capture waits for its page to show it is logged in or out."""

LOGGED_OUT_LIMIT = 3
"""How many captures of one site may find the session gone before the run stops that site."""


def watches(site: SiteConfig | None) -> bool:
    """Return True when the site config says how a logged-in or logged-out page looks."""
    return site is not None and bool(site.logged_in or site.logged_out)


def remedy(site: SiteConfig) -> str:
    """Return what to do about a session that is gone."""
    where = f" --site {site.source}" if site.source else ""
    return f"Log in again (capture login{where}) and run the capture again"


def logged_out_reason(site: SiteConfig, why: str) -> str:
    """Return the reason a capture gives when its page is logged out."""
    return f"{LOGGED_OUT}: the session is gone ({why}). {remedy(site)}"


async def session_gone(page: Page, site: SiteConfig, timeout_s: float) -> str | None:
    """Return why the page is logged out (the `logged_out` reason), or None when it is not.

    Waits up to timeout_s for either selector to become visible: pages often decide by script.
    A page showing neither is logged out only when the config gives `logged_in`.
    """
    from playwright.async_api import Error as PlaywrightError

    selectors = [s for s in (site.logged_out, site.logged_in) if s]
    either = page.locator(selectors[0])
    for selector in selectors[1:]:
        either = either.or_(page.locator(selector))
    with contextlib.suppress(PlaywrightError, TimeoutError):  # neither came: decided below
        await either.first.wait_for(state="visible", timeout=max(1.0, timeout_s * 1000))
    if site.logged_out and await page.locator(site.logged_out).first.is_visible():
        return logged_out_reason(site, f"{site.logged_out} is on the page")
    if site.logged_in and not await page.locator(site.logged_in).first.is_visible():
        return logged_out_reason(site, f"{site.logged_in} is not on the page")
    return None


def found_logged_out(result: CaptureResult) -> bool:
    """Return True when the capture's result says its session was gone."""
    return f"{STEP}: {LOGGED_OUT}:" in (result.error or "")


class ExpiryWatch:
    """Counts, per site config, the captures of a run that found the session gone."""

    def __init__(self, limit: int = LOGGED_OUT_LIMIT) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}

    def note(self, request: CaptureRequest, result: CaptureResult) -> None:
        """Count result when it found the session of request's site gone."""
        site = request.site
        if site is None or not found_logged_out(result):
            return
        key = site.rule()
        self._counts[key] = self._counts.get(key, 0) + 1
        if self._counts[key] == self.limit:
            log.warning("session gone: the run stops capturing the site", extra={"site": key})

    def refused(self, request: CaptureRequest) -> str | None:
        """Return why request is not captured (its site's session is gone), or None."""
        site = request.site
        if site is None or self._counts.get(site.rule(), 0) < self.limit:
            return None
        return (
            f"{STEP}: {LOGGED_OUT}: not captured: {self.limit} captures of site config "
            f"{site.name!r} found the session gone, so the run stopped capturing that site "
            f"instead of archiving login walls. {remedy(site)}"
        )
