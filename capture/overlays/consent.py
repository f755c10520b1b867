"""Consent banners of the common consent platforms, answered by DuckDuckGo's autoconsent rules.

Autoconsent (packaged for Python as `duckduckgo-autoconsent-py`) knows about a thousand consent
platforms and site banners: OneTrust, Cookiebot, Didomi, Quantcast, Usercentrics, Sourcepoint,
TrustArc, CookieYes, Complianz, Osano, Google's Funding Choices and the rest. Its bundle and rules
ship inside the package, so nothing is fetched. The bundle runs in each frame that could hold a
banner; a small driver (consent.js) answers its messages in the page, so no Playwright binding is
left behind on the page, and records which elements it clicked for the intervention log.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

    from capture.overlays.log import InterventionLog

CHOICES = {"accept": "optIn", "reject": "optOut"}
"""The run's consent choice -> autoconsent's action name."""

DETECT_MS = 700
"""How long detection may take in a frame (a page without a consent platform settles sooner)."""

ACT_MS = 6_000
"""How long a platform's rule may take to answer its banner (some open a settings panel first)."""

MAX_FRAMES = 8
"""Child frames searched besides the main one, largest first."""

MIN_FRAME_PX = (120, 60)
"""Frames smaller than this (width, height) are never consent dialogs: ads, pixels, widgets."""


@functools.cache
def driver_js() -> str:
    """Return the driver's source (consent.js beside this module), read once when first used."""
    return Path(__file__).with_name("consent.js").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class FrameOutcome:
    """What autoconsent did in one frame."""

    outcome: str
    """done, failed, timeout, none (no platform) or no-popup (platform present, no banner open)."""
    cmp: str | None
    clicks: tuple[str, ...]
    cosmetic: bool
    hidden: str
    errors: tuple[str, ...]
    frame: str | None
    """The frame's URL, None for the main frame."""

    @property
    def handled(self) -> bool:
        """Return True when a banner was found and answered."""
        return self.outcome == "done"


def frame_outcome(data: dict[str, Any], frame: str | None) -> FrameOutcome:
    """Return the FrameOutcome the driver's JSON result describes."""
    return FrameOutcome(
        outcome=str(data.get("outcome") or "timeout"),
        cmp=data.get("cmp") or None,
        clicks=tuple(str(item) for item in data.get("clicks") or ()),
        cosmetic=bool(data.get("cosmetic")),
        hidden=str(data.get("hidden") or ""),
        errors=tuple(str(item) for item in data.get("errors") or ()),
        frame=frame,
    )


AUTOCONSENT_PACKAGE = "duckduckgo_autoconsent"
"""The installed package that carries autoconsent's bundle and rules (read as data files)."""


@functools.cache
def _package_text(name: str) -> str:
    from importlib.resources import files

    return files(AUTOCONSENT_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def autoconsent_bundle() -> str:
    """Return autoconsent's Playwright content script, as the installed package ships it."""
    return _package_text("autoconsent.js")


_UNUSED_KEYS = frozenset({"_metadata", "vendorUrl", "test", "comment"})


@functools.cache
def _all_rules() -> tuple[dict[str, Any], ...]:
    """Return the installed rules, without the keys the bundle never reads (parsed once)."""
    rules: list[dict[str, Any]] = json.loads(_package_text("autoconsent_rules.json"))
    return tuple(
        {key: value for key, value in rule.items() if key not in _UNUSED_KEYS} for rule in rules
    )


@functools.cache
def _pattern(source: str) -> re.Pattern[str] | None:
    try:
        return re.compile(source)
    except re.error:  # a JavaScript-only construct: let the bundle decide
        return None


def rules_for(url: str, *, main_frame: bool, choice: str) -> list[dict[str, Any]]:
    """Return the autoconsent rules that can apply to a frame at `url`.

    The bundle would discard the rest itself; leaving them out cuts what is sent to each frame
    from 850 kB to about 190 kB. Generated rules (`auto_*`) only know how to reject, so an
    `accept` run leaves them out.
    """
    chosen = []
    for rule in _all_rules():
        context = rule.get("runContext") or {}
        runs_here = context.get("main", True) if main_frame else context.get("frame", False)
        if not runs_here:
            continue
        if choice == "accept" and rule["name"].startswith("auto_"):
            continue
        pattern = context.get("urlPattern")
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.search(url):
                continue
        chosen.append(rule)
    return chosen


def gate(rule: dict[str, Any]) -> str | None:
    """Return a selector that must match for `rule` to detect its platform, or None.

    A rule's detection starts with a step; when that step is `exists` or `visible` (not
    negated) and its selector is absent from the page, the rule cannot match, so the frame is
    not sent it. A selector list is a chain into shadow roots or frames: its first link must
    match. XPath selectors and other first steps (`any`, `eval`) have no gate.
    """
    steps = rule.get("detectCmp") or ()
    first = steps[0] if steps else None
    if not isinstance(first, dict) or first.get("negated"):
        return None
    selector = first.get("exists", first.get("visible"))
    if isinstance(selector, list) and selector:
        selector = selector[0]
    if not isinstance(selector, str) or not selector.strip() or selector.startswith("xpath/"):
        return None
    return selector


async def rules_present(frame: Frame, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the rules that can detect their platform in frame: their gate matches or none.

    One look with querySelector instead of sending every rule to the frame: a page with no
    consent platform gets a handful of rules instead of hundreds (a third of the CPU an
    overlay pass costs).
    """
    gates = [gate(rule) for rule in rules]
    selectors = tuple(sorted({selector for selector in gates if selector is not None}))
    if not selectors:
        return rules
    matched = await frame.evaluate(page_script("consent-present.js"), _as_json(selectors))
    found = {selectors[index] for index in matched}
    return [
        rule
        for rule, selector in zip(rules, gates, strict=True)
        if selector is None or selector in found
    ]


@functools.cache
def _as_json(selectors: tuple[str, ...]) -> str:
    return json.dumps(selectors, separators=(",", ":"))


def driver_config(choice: str) -> dict[str, Any]:
    """Return the autoconsent config for a run answering banners with `choice`."""
    return {
        "enabled": True,
        "autoAction": None,  # the driver asks for the action, and only while it is listening
        "enablePrehide": False,  # never hide what was not answered
        "enableCosmeticRules": True,
        "enableGeneratedRules": choice == "reject",
        "detectRetries": 0,  # the page has settled already: one look, no polling
        "isMainWorld": True,  # rule snippets run inline; no eval round trips, no CSP issue
        "heuristicMode": "off",
        "logs": {"errors": False},
    }


async def clear_consent(page: Page, choice: str, log: InterventionLog) -> bool:
    """Return True when a consent platform's banner was found and answered with `choice`.

    `choice` is "accept" or "reject". Every click (or cosmetic hide) is logged with the rule
    `builtin:<platform>`; a platform found but not answered is logged as a failed intervention,
    and the generic pass after this one still gets its chance.
    """
    if choice not in CHOICES:
        raise ValueError(f"Unknown consent choice {choice!r}. Use one of {sorted(CHOICES)}.")
    frames = [page.main_frame, *await _candidate_frames(page)]
    results = await asyncio.gather(*(_run_frame(page, frame, choice) for frame in frames))
    outcomes = [outcome for outcome in results if outcome is not None]
    for outcome in outcomes:
        record(outcome, choice, log)
    return any(outcome.handled for outcome in outcomes)


async def _candidate_frames(page: Page) -> list[Frame]:
    """Return the child frames large enough to hold a consent dialog, largest first."""
    sized: list[tuple[float, Frame]] = []
    for frame in page.frames[1:]:
        if frame.is_detached() or not frame.url.startswith(("http:", "https:")):
            continue
        try:
            element = await frame.frame_element()
            box = await element.bounding_box()
        except Exception:  # The frame went away while we looked.
            continue
        if box and box["width"] >= MIN_FRAME_PX[0] and box["height"] >= MIN_FRAME_PX[1]:
            sized.append((box["width"] * box["height"], frame))
    sized.sort(key=lambda item: item[0], reverse=True)
    return [frame for _, frame in sized[:MAX_FRAMES]]


async def _run_frame(page: Page, frame: Frame, choice: str) -> FrameOutcome | None:
    main = frame == page.main_frame
    try:
        async with asyncio.timeout((DETECT_MS * 2 + ACT_MS) / 1000 + 2):
            rules = await rules_present(frame, rules_for(frame.url, main_frame=main, choice=choice))
            args = {
                "rules": json.dumps(rules, separators=(",", ":")),
                "config": driver_config(choice),
                "action": CHOICES[choice],
                "detectMs": DETECT_MS,
                "actMs": ACT_MS,
            }
            await frame.evaluate(driver_js(), args)
            await frame.evaluate(autoconsent_bundle())
            data = await frame.evaluate("() => window.__captureConsent.outcome()")
    except TimeoutError:
        data = {"outcome": "timeout"}
    except Exception:  # The frame navigated or closed: nothing to answer there.
        return None
    return frame_outcome(data, None if main else frame.url)


def record(outcome: FrameOutcome, choice: str, log: InterventionLog) -> None:
    """Log what autoconsent did in one frame: each click, a cosmetic hide, or a failure."""
    if outcome.outcome in ("none", "no-popup") or (outcome.cmp is None and not outcome.clicks):
        return
    rule = f"builtin:{outcome.cmp or 'unknown'}"
    ok = outcome.handled
    detail = f"autoconsent {choice}: {outcome.outcome}"
    if outcome.errors:
        detail += f" ({'; '.join(outcome.errors)})"
    for selector in outcome.clicks:
        log.add("click", rule, ok=ok, selector=selector, frame=outcome.frame, detail=detail)
    if outcome.cosmetic or outcome.hidden:
        log.add(
            "hide", rule, ok=ok, selector=outcome.hidden or None, frame=outcome.frame, detail=detail
        )
    elif not outcome.clicks:
        log.add("consent", rule, ok=ok, frame=outcome.frame, detail=detail)
