"""Clearing what stands between a reader and the page: the entry points the renderer calls.

In order, for one capture:

1. `context_options(site, options)`: keyword arguments for `browser.new_context`.
2. `prepare(context, site, options, log)`: before navigation (blocking, cookies, storage).
3. the renderer navigates, settles and takes the screenshot as served;
4. `clear(page, site, options, log)`: login, the site's actions and `when_visible` rules, then
   the built-in consent and generic passes; returns failures (partial) and gating;
5. `stop_watching(page)`: before the final screenshot.

With `dismiss: false` (the run's or the site's) none of them changes anything.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capture.overlays import consent, gating, generic, removed, watch
from capture.overlays import context as before
from capture.overlays.actions import Navigations, Run, run_action
from capture.overlays.login import log_in, session_used

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

    from capture.config.site import SiteConfig
    from capture.options import CaptureOptions
    from capture.overlays.log import InterventionLog
    from capture.sessions.logins import Session

CLEAR_BUDGET_S = 30.0
"""The most `clear` spends on a page before it stops and reports what it could not do."""


@dataclass(frozen=True, slots=True)
class OverlayOutcome:
    """What clearing a page left undone: failures make the capture partial."""

    failures: tuple[str, ...] = ()
    gated: str | None = None
    """Why the article stays behind a wall the capture could not clear, with the remedy."""
    served_html: str | None = None
    """The document the server sent, when article text a script removed is recovered from it."""


def active(site: SiteConfig | None, options: CaptureOptions) -> bool:
    """Return True when the capture may change the page (dismiss is on for run and site)."""
    return options.dismiss and (site is None or site.dismiss)


def context_options(site: SiteConfig | None, options: CaptureOptions) -> dict[str, Any]:
    """Return the keyword arguments to merge into browser.new_context for this site."""
    if site is None or not active(site, options):
        return {}
    return before.context_kwargs(site)


async def prepare(
    context: BrowserContext, site: SiteConfig | None, options: CaptureOptions, log: InterventionLog
) -> None:
    """Apply the site's before-navigation settings to a fresh context, recording each."""
    if site is None or not active(site, options):
        return
    await before.apply_before(context, site, log)


async def clear(
    page: Page,
    site: SiteConfig | None,
    options: CaptureOptions,
    log: InterventionLog,
    *,
    budget_s: float = CLEAR_BUDGET_S,
    served: Callable[[], Awaitable[str | None]] | None = None,
    session: Session | None = None,
) -> OverlayOutcome:
    """Clear the page as a reader would and return what could not be done.

    A site config's login and actions run in order while its when_visible rules watch; then,
    unless it says `builtin: false`, the generic pass. Without a config (or one with no
    actions) the built-in consent and generic passes run. When the article looks gated, or a
    wall was removed, and `served` (the main document as the server sent it) holds article
    text a script removed from the page, it is not gated: the text is recovered from it.
    With the run's `session` of the site, the page started logged in: the login is not run
    again, only recorded.
    """
    if not active(site, options):
        return OverlayOutcome()
    failures = before.failures_of(page.context)
    run = Run(page, site, options, log, time.monotonic() + budget_s, Navigations(page))
    if site is not None and (site.actions or site.when_visible or site.login):
        watch.start(run)
        if site.login is not None:
            failure = await log_in(run) if session is None else session_used(run, session)
            failures += [failure] if failure else []
        for index, item in enumerate(site.actions):
            failure = await run_action(run, item, site.rule("actions", index, item.chosen[0]))
            failures += [failure] if failure else []
        if site.builtin:
            failures += await _generic(page, options.consent, log)
    else:
        await _consent(page, options.consent, log)
        failures += await _generic(page, options.consent, log)
    gated = await _gating(page)
    walled = gated is not None or any(entry.rule == "generic:wall" for entry in log.entries)
    html = await _recover(page, log, served) if walled and served is not None else None
    if html is not None:
        return OverlayOutcome(tuple(failures), None, served_html=html)
    return OverlayOutcome(tuple(failures), gated)


async def _recover(
    page: Page, log: InterventionLog, served: Callable[[], Awaitable[str | None]]
) -> str | None:
    """Return the served document when it holds article text a script removed from the page
    (and log the recovery), else None."""
    html = await served()
    cut = await removed.removed_text(page, html) if html else None
    if cut is None:
        return None
    log.add("recover", removed.RULE, ok=True, detail=cut.describe(), elements=cut.paragraphs)
    return html


async def stop_watching(page: Page) -> tuple[str, ...]:
    """Stop the page's when_visible rules (after a short quiet spell); return their failures."""
    return tuple(await watch.stop(page))


async def _consent(page: Page, choice: str, log: InterventionLog) -> None:
    await consent.clear_consent(page, choice, log)


async def _generic(page: Page, choice: str, log: InterventionLog) -> list[str]:
    return list(await generic.clear_generic(page, log, choice=choice))


async def _gating(page: Page) -> str | None:
    return await gating.detect_gating(page)


__all__ = ["OverlayOutcome", "active", "clear", "context_options", "prepare", "stop_watching"]
