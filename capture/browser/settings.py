"""How a renderer makes each capture's page: its browser, clock, hooks and context options.

The renderer holds one of these and hands it to each page run, so the page run reads what it
needs from plain data instead of from the renderer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from capture import overlays
from capture.steps import Clock, utc_now

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

    from capture.browser.netguard import AddressPolicy
    from capture.browser.spare import SparePage
    from capture.config.site import SiteConfig
    from capture.models import BrowserInfo
    from capture.options import CaptureOptions

PageHook = Callable[["BrowserContext", "Page"], Awaitable[None]]
"""Run on each page before it navigates (a replay routes the page to its WARC this way)."""


@dataclass(frozen=True, slots=True)
class RenderSettings:
    """One renderer's browser and how it makes each capture's context and page."""

    browser: Browser
    info: BrowserInfo
    clock: Clock = utc_now
    prepare: PageHook | None = None
    context_options: Mapping[str, Any] = field(default_factory=dict)
    """Merged last into browser.new_context's arguments (replay's dead proxy)."""
    address_policy: AddressPolicy | None = None
    """Which addresses block_private_networks refuses (default: every non-public one)."""
    first_shot_at_s: float | None = None
    """Take the first screenshot no earlier than this long after navigation starts: a replay
    keeps the capture's timing, so timers on the page have fired the same way."""
    spare: SparePage | None = None
    """The next capture's context and page, made while the last one's files are written."""


def context_options(
    settings: RenderSettings, options: CaptureOptions, site: SiteConfig | None
) -> dict[str, Any]:
    """Return browser.new_context's arguments for one capture: the options', then the site
    config's (its user agent wins), then the renderer's own (a replay's dead proxy) last."""
    kwargs: dict[str, Any] = {
        "viewport": {"width": options.viewport.width, "height": options.viewport.height},
        "ignore_https_errors": options.ignore_https_errors,
        "service_workers": "block",
        "accept_downloads": True,
    }
    if options.user_agent:
        kwargs["user_agent"] = options.user_agent
    if options.proxy:
        kwargs["proxy"] = {"server": options.proxy}
    kwargs.update(overlays.context_options(site, options))
    kwargs.update(settings.context_options)
    return kwargs
