"""Generic overlay handling for pages no site config covers.

Finds what covers the page (modal dialogs, fixed or sticky layers over a large part of the window,
consent bars, backdrops) and what stops it being read (scroll locks, blur on the article, `inert`
or `aria-hidden` on the content, truncated containers with a fade). Each round closes politely
first (Escape, a close button, "no thanks", or the consent choice), then removes what stayed,
then unlocks and unclamps, then watches briefly for walls that come back. The facts come from
generic.js; what they mean is decided in `capture.overlays.heuristics`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.overlays.heuristics import (
    BLOCKING,
    Candidate,
    candidate,
    clamp_to_lift,
    close_button,
    consent_button,
    overlay_kind,
    paywalled,
    still_there,
)
from capture.page import settle

if TYPE_CHECKING:
    from playwright.async_api import Page

    from capture.overlays.log import InterventionLog

ESCAPE_WAIT_MS = 250
"""How long an overlay gets to go after Escape."""

CLICK_WAIT_MS = 700
"""How long an overlay gets to go after its close or consent button is clicked."""

QUIET_MS = 400
"""After a round, how long the page must stay free of new overlays before the pass ends."""

ANSWER_TIMERS_S = 1.5
"""After a round, timers the page set during it that are due within this long are waited for
too (a wall that comes a second after the banner is answered)."""

ANSWER_SLACK_MS = 100
"""Watched past such a timer's due time, for what its callback starts (a frame, a fetch)."""

CLIPPED_PX = 20
"""Content taller than the window by more than this, under a scroll lock, cannot be read."""


INCLUDE = re.compile(r"^ *// @include ([a-z]+\.js)$", re.M)
"""A line of generic.js that stands for a file beside it (one script is evaluated)."""


@functools.cache
def generic_js() -> str:
    """Return the page side of this pass (generic.js beside this module, with the files it
    includes), read once."""
    here = Path(__file__).parent

    def include(match: re.Match[str]) -> str:
        return (here / match.group(1)).read_text(encoding="utf-8")

    return INCLUDE.sub(include, (here / "generic.js").read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Overlay:
    """A candidate that the heuristics call an overlay, with its kind."""

    item: Candidate
    kind: str


@dataclass(frozen=True, slots=True)
class Scan:
    """What one look at the page found to clear."""

    overlays: tuple[Overlay, ...]
    locked: tuple[dict[str, Any], ...] = ()
    """html/body scroll locks, only when content is cut off by them."""
    fixed_top: float | None = None
    blurred: tuple[dict[str, Any], ...] = ()
    inert: tuple[dict[str, Any], ...] = ()
    clamped: tuple[dict[str, Any], ...] = ()
    hidden: tuple[dict[str, Any], ...] = ()
    """Article text the server sent and a paywall script hid, with the widget in its place."""

    @property
    def clean(self) -> bool:
        """Return True when nothing is left to clear."""
        return not (
            self.overlays
            or self.locked
            or self.blurred
            or self.inert
            or self.clamped
            or self.hidden
        )


def scan_from(data: dict[str, Any]) -> Scan:
    """Return the Scan that generic.js's facts describe (pure)."""
    facts = data["page"]
    viewport = (int(facts["viewport"]["width"]), int(facts["viewport"]["height"]))
    overlays = []
    for raw in data["candidates"]:
        item = candidate(raw)
        kind = overlay_kind(item, viewport)
        if kind is not None:
            overlays.append(Overlay(item, kind))
    clipped = float(facts.get("content_height") or 0) > viewport[1] + CLIPPED_PX
    return Scan(
        overlays=tuple(overlays),
        locked=tuple(facts.get("locked") or ()) if clipped else (),
        fixed_top=facts.get("fixed_top"),
        blurred=tuple(facts.get("blurred") or ()),
        inert=tuple(facts.get("inert") or ()),
        clamped=tuple(item for item in facts.get("clamped") or () if clamp_to_lift(item)),
        hidden=tuple(item for item in facts.get("hidden") or () if paywalled(item)),
    )


@dataclass
class _Round:
    page: Page
    log: InterventionLog
    choice: str
    left: list[Overlay] = field(default_factory=list)

    async def call(self, method: str, *args: Any) -> Any:
        return await self.page.evaluate(
            "([method, args]) => window.__captureGeneric[method](...args)", [method, list(args)]
        )

    async def gone(self, overlays: list[Overlay], wait_ms: int) -> set[int]:
        tokens = [overlay.item.token for overlay in overlays]
        return set(await self.call("waitGone", tokens, wait_ms))


async def _scan(page: Page) -> Scan:
    data = await page.evaluate("() => window.__captureGeneric.scan()")
    return scan_from(data)


async def clear_generic(
    page: Page,
    log: InterventionLog,
    *,
    max_rounds: int = 3,
    choice: str = "accept",
) -> list[str]:
    """Return why the page could not be cleared of overlays ([] when it was).

    Every change is logged with the rule `generic:<kind>`. `choice` answers consent banners
    that no consent platform rule knew ("accept" or "reject"). Walls that come back are
    cleared again, up to `max_rounds` rounds. After each round the page is watched until a
    new overlay shows, or for QUIET_MS, or, when the round made the page set timers due within
    ANSWER_TIMERS_S (a wall set off by the dismissal itself), until ANSWER_SLACK_MS after the
    last of them. Walls on a timer from load came before this pass: the page settled first,
    the main frame's timers within `timers_s` included (`capture.page.settle`). Walls that come
    later, or from a timer in another frame, are not waited for.
    """
    await page.evaluate(generic_js())
    for _ in range(max_rounds):
        scan = await _scan(page)
        if scan.clean:
            return []
        since = await settle.timer_clock(page)
        work = _Round(page, log, choice, list(scan.overlays))
        await _answer_consent(work)
        await _press_escape(work)
        await _click_close(work)
        await _remove(work)
        await _fix_page(work, await _scan(page))
        answer_ms = await settle.look_ahead(page, ANSWER_TIMERS_S, set_since=since)
        watch_ms = max(QUIET_MS, answer_ms + ANSWER_SLACK_MS if answer_ms else 0)
        await page.evaluate("ms => window.__captureGeneric.watch(ms)", watch_ms)
    return _reasons(await _scan(page), max_rounds)


async def _answer_consent(work: _Round) -> None:
    for overlay in [o for o in work.left if o.kind == "consent"]:
        button = consent_button(overlay.item.buttons, work.choice)
        button = button or close_button(overlay.item.buttons)
        if button is None:
            continue
        await work.call("click", button.token)
        ok = overlay.item.token in await work.gone([overlay], CLICK_WAIT_MS)
        work.log.add(
            "click",
            "generic:consent",
            ok=ok,
            selector=overlay.item.selector,
            detail=f"{work.choice}: clicked {button.text or button.label!r}{_unchanged(ok)}",
        )
        if ok:
            work.left.remove(overlay)


async def _press_escape(work: _Round) -> None:
    blocking = [o for o in work.left if o.kind in BLOCKING]
    if not blocking:
        return
    await work.page.keyboard.press("Escape")
    gone = await work.gone(blocking, ESCAPE_WAIT_MS)
    for overlay in blocking:
        if overlay.item.token in gone:
            work.log.add("press", f"generic:{overlay.kind}", ok=True,
                         selector=overlay.item.selector, detail="Escape")  # fmt: skip
            work.left.remove(overlay)
    if not gone:
        first = blocking[0]
        work.log.add("press", f"generic:{first.kind}", ok=False, selector=first.item.selector,
                     detail="Escape: nothing closed")  # fmt: skip


async def _click_close(work: _Round) -> None:
    for overlay in [o for o in work.left if o.kind in BLOCKING]:
        button = close_button(overlay.item.buttons)
        if button is None:
            continue
        await work.call("click", button.token)
        ok = overlay.item.token in await work.gone([overlay], CLICK_WAIT_MS)
        work.log.add("click", f"generic:{overlay.kind}", ok=ok, selector=overlay.item.selector,
                     detail=f"clicked {button.text or button.label or button.cls!r}"
                            f"{_unchanged(ok)}")  # fmt: skip
        if ok:
            work.left.remove(overlay)


async def _remove(work: _Round) -> None:
    if not work.left:
        return
    already = await work.gone(work.left, 0)  # went with the overlay that was closed
    for overlay in work.left:
        if overlay.item.token in already:
            continue
        ok = bool(await work.call("remove", overlay.item.token))
        work.log.add("remove", f"generic:{overlay.kind}", ok=ok, selector=overlay.item.selector,
                     detail=_summary(overlay.item))  # fmt: skip
    work.left.clear()


async def _fix_page(work: _Round, scan: Scan) -> None:
    log = work.log
    if scan.locked:
        css = await work.call("unlock", scan.fixed_top)
        how = "; ".join(f"{lock['selector']}: {lock['how']}" for lock in scan.locked)
        ok = not (await _scan(work.page)).locked
        selector = ", ".join(dict.fromkeys(str(lock["selector"]) for lock in scan.locked))
        log.add("unlock_scroll", "generic:scroll_lock", ok=ok, selector=selector,
                detail=f"{how} -> {css}")  # fmt: skip
    await _reveal(work, scan.hidden)
    await _each(work, "unblur", "generic:blur", scan.blurred, lambda item: [item["token"]])
    await _each(work, "uninert", "generic:inert", scan.inert, lambda item: [item["token"]])
    await _each(work, "unclamp", "generic:truncation", scan.clamped, _unclamp_args)


def _unclamp_args(item: dict[str, Any]) -> list[Any]:
    return [item["token"], item.get("fade_token"), item["fade"], item.get("box_token")]


async def _each(
    work: _Round,
    action: str,
    rule: str,
    items: tuple[dict[str, Any], ...],
    args: Callable[[dict[str, Any]], list[Any]],
) -> None:
    """Do `action` to every item and log it once, with how many elements it touched."""
    if not items:
        return
    done = [bool(await work.call(action, *args(item))) for item in items]
    hows = dict.fromkeys(_how(item) for item in items)
    work.log.add(
        action,
        rule,
        ok=all(done),
        selector=", ".join(dict.fromkeys(str(item["selector"]) for item in items)),
        detail=f"{_count(len(items))}, {sum(done)} changed: {'; '.join(hows)}",
        elements=len(items),
    )


def _how(item: dict[str, Any]) -> str:
    how = str(item["how"])
    if "fade" in item:
        how += f"; fade: {item['fade'] or 'none'}"
    if item.get("box_token"):
        how += f"; box removed: {item['box']}"
    return how


def _count(elements: int) -> str:
    return f"{elements} element" + ("" if elements == 1 else "s")


async def _reveal(work: _Round, hidden: tuple[dict[str, Any], ...]) -> None:
    """Show article text a paywall script hid, and remove the box it put in its place."""
    if not hidden:
        return
    boxes = list(dict.fromkeys(box["token"] for item in hidden for box in item["boxes"]))
    shown = int(await work.call("reveal", [item["token"] for item in hidden], boxes))
    chars = sum(int(item["chars"]) for item in hidden)
    markers = ", ".join(dict.fromkeys(m for item in hidden for m in item["markers"]))
    widgets = ", ".join(dict.fromkeys(box["selector"] for item in hidden for box in item["boxes"]))
    hows = ", ".join(dict.fromkeys(str(item["how"]) for item in hidden))
    work.log.add(
        "reveal",
        "generic:hidden_text",
        ok=shown == len(hidden),
        selector=", ".join(str(item["selector"]) for item in hidden),
        detail=(
            f"{chars} characters of article text the server sent were hidden by {hows} "
            f"({markers}); the subscription box in their place was removed ({widgets})"
        ),
        elements=len(hidden),
    )


def _unchanged(ok: bool) -> str:
    return "" if ok else "; nothing visible changed (it stayed)"


def _summary(item: Candidate) -> str:
    text = item.text[:80] + ("…" if len(item.text) > 80 else "")
    return f"{item.position}, covers {item.coverage:.0%} of the window: {text!r}"


def _reasons(scan: Scan, rounds: int) -> list[str]:
    reasons = [still_there(o.kind, o.item.selector, rounds) for o in scan.overlays]
    if scan.locked:
        where = ", ".join(str(lock["selector"]) for lock in scan.locked)
        reasons.append(f"the page still does not scroll ({where} locked) after {rounds} rounds")
    for item in scan.blurred:
        reasons.append(f"the article is still blurred ({item['selector']})")
    for item in scan.clamped:
        reasons.append(f"the article is still cut short ({item['selector']})")
    return reasons
