"""Shared driving of the built-in overlay fixtures (tests/sites/overlays/builtin/).

Pages are driven in the order the renderer uses: goto, load (and the overlay's appearance),
clear_consent, clear_generic, detect_gating, then the screenshot and the text.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image, ImageChops

from capture.browser.launch import choose_browser, launch
from capture.browser.screenshot import full_page
from capture.demo.localsite import LocalSite
from capture.errors import BrowserNotFoundError
from capture.overlays.consent import clear_consent
from capture.overlays.gating import detect_gating
from capture.overlays.generic import clear_generic
from capture.overlays.log import InterventionLog

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

FIXTURES = Path(__file__).resolve().parents[1] / "sites" / "overlays" / "builtin"
VIEWPORT = {"width": 1280, "height": 800}
LAST_LINE = "The council will meet again in March. END OF ARTICLE."


@dataclass(frozen=True)
class Case:
    """One fixture page and what built-in handling must do on it."""

    name: str
    page: str
    wait_for: str | None = None
    scroll_to: int = 0
    colour: tuple[int, int, int] | None = None
    marker: tuple[int, int, int] | None = None
    expect: tuple[tuple[str, str], ...] = ()
    state: dict[str, Any] = field(default_factory=dict)
    gated: str | None = None
    guard: bool = False


def load_cases() -> dict[str, Case]:
    """Return the cases of cases.json by name."""
    data = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
    cases = {}
    for entry in data["cases"]:
        raw = dict(entry)
        for key in ("colour", "marker"):
            if raw.get(key):
                raw[key] = tuple(raw[key])
        raw["expect"] = tuple(tuple(pair) for pair in raw.get("expect", ()))
        cases[raw["name"]] = Case(**raw)
    return cases


CASES = load_cases()


async def open_browser() -> AsyncIterator[Browser]:
    """Yield a launched Chromium (skip without one, unless CI is set)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        try:
            choice = choose_browser(playwright, os.environ.get("CAPTURE_BROWSER"))
        except BrowserNotFoundError as exc:
            if os.environ.get("CI"):
                raise
            pytest.skip(f"no browser: {exc}")
        browser = await launch(playwright, choice)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Outcome:
    """What the built-in handling did to one page."""

    page: Page
    log: InterventionLog
    consent_handled: bool = False
    failures: list[str] = field(default_factory=list)
    gated: str | None = None
    seconds: float = 0.0

    def did(self, action: str, rule: str) -> bool:
        """Return True when an intervention with this action and rule worked."""
        return any(e.action == action and e.rule == rule and e.ok for e in self.log.entries)

    def summary(self) -> list[str]:
        """Return the log as short lines, for assertion messages."""
        return [f"{e.action} {e.rule} {e.selector} ok={e.ok} {e.detail}" for e in self.log.entries]


async def open_case(browser: Browser, site: LocalSite, case: Case) -> Page:
    """Return a page of a fresh context on the case's URL, its overlay up."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(site.url(case.page), wait_until="load")
    if case.scroll_to:
        await page.mouse.wheel(0, case.scroll_to)
    if case.wait_for:
        await page.wait_for_selector(case.wait_for, state="visible", timeout=10_000)
    return page


async def clear_builtin(page: Page, choice: str = "accept") -> Outcome:
    """Return what clear_consent, clear_generic and detect_gating did, in the renderer's order."""
    outcome = Outcome(page, InterventionLog(lambda: datetime.now(UTC)))
    started = time.perf_counter()
    outcome.consent_handled = await clear_consent(page, choice, outcome.log)
    outcome.failures = await clear_generic(page, outcome.log, choice=choice)
    outcome.gated = await detect_gating(page)
    outcome.seconds = time.perf_counter() - started
    return outcome


async def screenshot(page: Page) -> Image.Image:
    """Return the full-page screenshot the renderer would take."""
    shot = await full_page(page, viewport_width_px=VIEWPORT["width"], max_height_px=20_000)
    return Image.open(io.BytesIO(shot.png)).convert("RGB")


async def viewport_shot(page: Page) -> Image.Image:
    """Return what the window shows now."""
    return Image.open(io.BytesIO(await page.screenshot())).convert("RGB")


def colour_pixels(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 3) -> int:
    """Return how many pixels of `image` are `colour` (within tolerance per channel)."""
    masks = []
    for band, value in zip(image.split(), colour, strict=True):
        low, high = value - tolerance, value + tolerance
        masks.append(band.point(lambda v, lo=low, hi=high: 255 if lo <= v <= hi else 0))
    mask = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return int(mask.histogram()[255])


async def scrolls(page: Page) -> bool:
    """Return True when the window scrolls (it moves down when asked to)."""
    return bool(
        await page.evaluate(
            """() => { const y = scrollY, instant = (top) => scrollTo({top, behavior: "instant"});
            instant(0); instant(300); const moved = scrollY > 0; instant(y); return moved; }"""
        )
    )


async def text_complete(page: Page) -> bool:
    """Return True when the article's last line is in the page and nothing clips it."""
    return bool(
        await page.evaluate(
            """(line) => {
  const last = document.getElementById("last");
  if (!last || !last.innerText.includes(line) || !last.checkVisibility({opacityProperty: true})) {
    return false;
  }
  const r = last.getBoundingClientRect();
  for (let el = last.parentElement; el && el !== document.documentElement; el = el.parentElement) {
    const s = getComputedStyle(el);
    if (el === document.body || !["hidden", "clip"].includes(s.overflowY)) { continue; }
    const box = el.getBoundingClientRect();
    if (r.bottom > box.bottom + 1 && el.scrollHeight > el.clientHeight + 1) {
      return false;
    }
  }
  return true;
}""",
            LAST_LINE,
        )
    )


@dataclass
class Cleared:
    """A case page after built-in handling, with its screenshots before and after."""

    case: Case
    outcome: Outcome
    before: Image.Image
    """The window with the overlay up."""
    after: Image.Image
    """The full-page screenshot after handling."""


async def run_case(
    browser: Browser, site: LocalSite, case: Case, choice: str = "accept"
) -> Cleared:
    """Return the case's page after built-in handling (the caller closes its context)."""
    page = await open_case(browser, site, case)
    before = await viewport_shot(page)
    outcome = await clear_builtin(page, choice)
    return Cleared(case, outcome, before, await screenshot(page))


async def assert_cleared(cleared: Cleared) -> None:
    """Fail unless the overlay is gone from the pixels, the text is whole, the page scrolls and
    the log names what was done."""
    case, outcome, page = cleared.case, cleared.outcome, cleared.outcome.page
    log = outcome.summary()
    assert outcome.failures == [], log
    assert outcome.gated is None, outcome.gated
    if case.colour:
        assert colour_pixels(cleared.before, case.colour) > 1000, "the overlay was never shown"
        assert colour_pixels(cleared.after, case.colour) == 0, log
    assert await text_complete(page), log
    assert await scrolls(page), log
    for action, rule in case.expect:
        assert outcome.did(action, rule), (action, rule, log)
    for key, value in case.state.items():
        assert await page.evaluate(f"window[{json.dumps(key)}]") == value, (key, log)
