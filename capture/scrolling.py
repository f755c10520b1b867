"""Scrolling through a page so that what loads on sight loads: whether to, and how.

A page is scrolled through, one window height per frame, only when something on it would answer:
images or frames with `loading="lazy"`, an `IntersectionObserver` observing anything, a scroll
listener on the window or the document (counted by `capture.settle`'s init script), or a frame
below the first screen (its own observers see the main page scroll). A page with none of these
renders the same whether scrolled or not, and is not kept waiting for it.

What is not seen: a script that polls the scroll position on a timer or on every frame. A site
that loads that way can be scrolled by its site config's `scroll` action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

LOOK_JS = """() => {
  const d = document.documentElement, b = document.body;
  const height = Math.max(d.scrollHeight, b ? b.scrollHeight : 0, d.clientHeight);
  const reasons = [];
  if (document.querySelector('img[loading="lazy" i], iframe[loading="lazy" i]')) {
    reasons.push("lazy-loading");
  }
  const watch = window.__captureWatch;
  const seen = watch ? watch.scrollers() : null;
  if (!seen) reasons.push("unwatched");  // the init script did not run here: assume the worst
  if (seen && seen.observed) reasons.push("intersection-observer");
  if (seen && seen.listeners) reasons.push("scroll-listener");
  for (const el of document.querySelectorAll("iframe, frame, object, embed")) {
    if (el.getBoundingClientRect().bottom + window.scrollY > window.innerHeight) {
      reasons.push("frame-below-the-fold");
      break;
    }
  }
  return { height, reasons };
}"""

SCROLL_JS = """async (maxSteps) => {
  // One frame per step. Each step scrolls from inside a frame's animation callbacks, so that
  // frame renders the new position and updates intersections (lazy images, observers); their
  // callbacks and the scroll event run before the next frame, where the next step scrolls.
  // Settling afterwards lets the requests they start end.
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const bottom = () => Math.max(document.documentElement.scrollHeight,
                                document.body ? document.body.scrollHeight : 0);
  let steps = 0, last = window.scrollY;
  await frame();
  while (steps < maxSteps) {
    // "instant": a page's `scroll-behavior: smooth` would move a few pixels per frame.
    window.scrollBy({ top: window.innerHeight, behavior: "instant" });
    steps += 1;
    await frame();
    const y = window.scrollY;
    // Stop at the bottom, or when the page no longer scrolls (a scroll lock, a modal).
    if (y === last || y + window.innerHeight >= bottom() - 1) break;
    last = y;
  }
  window.scrollTo({ top: 0, behavior: "instant" });
  await frame();
  return steps;
}"""

MAX_SCROLL_STEPS = 60


@dataclass(frozen=True, slots=True)
class Scrollable:
    """How tall a page is, and what on it would answer a scroll."""

    height_px: int
    reasons: tuple[str, ...]
    """Empty when nothing would: scrolling would change nothing."""

    def worth_scrolling(self, viewport_height_px: int, *, scrolled_px: int = 0) -> bool:
        """Return True when scrolling could load more: something answers, and the page reaches
        below both the window and what was scrolled through already."""
        return bool(self.reasons) and self.height_px > max(viewport_height_px, scrolled_px)


async def look(page: Page) -> Scrollable:
    """Return how tall page is and what on it would answer a scroll."""
    found = await page.evaluate(LOOK_JS)
    return Scrollable(int(found["height"]), tuple(str(reason) for reason in found["reasons"]))


async def scroll_through(page: Page) -> int:
    """Scroll page down to its end, a window height per frame, and back; return the steps."""
    steps: int = await page.evaluate(SCROLL_JS, MAX_SCROLL_STEPS)
    return steps
