"""Scrolling through a page so that what loads on sight loads: whether to, and how.

A page is scrolled through, one window height per frame, only when something on it would answer:
images or frames with `loading="lazy"`, an `IntersectionObserver` observing anything, a scroll
listener on the window or the document (counted by `capture.pagewatch`'s init script), or a frame
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
  // Lazy images and frames, in the document and in open shadow roots.
  const LAZY = 'img[loading="lazy" i], iframe[loading="lazy" i]';
  let lazy = document.querySelectorAll(LAZY).length;
  const roots = [...document.querySelectorAll("*")].filter((el) => el.shadowRoot);
  while (roots.length) {
    const root = roots.pop().shadowRoot;
    lazy += root.querySelectorAll(LAZY).length;
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) roots.push(el);
  }
  if (lazy) reasons.push("lazy-loading");
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
  const answering = lazy + (seen ? seen.observed + seen.listeners : 0);
  return { height, reasons, answering };
}"""

SCROLL_JS = """async ({ maxSteps, patient, stepTimersMs, patienceMs }) => {
  // One frame per step. Each step scrolls from inside a frame's animation callbacks, so that
  // frame renders the new position and updates intersections (lazy images, observers); their
  // callbacks and the scroll event run before the next frame. A patient scroll (the page's own
  // code answers scrolling) also lets that code's answer run before the next step: its idle
  // callbacks, and the timers it set since the step due within stepTimersMs (a debounced or
  // throttled loader), for patienceMs in all. Settling afterwards lets the requests they
  // started end.
  const watch = window.__captureWatch;
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const started = performance.now();
  const answered = async (since) => {
    if (!patient || !watch || performance.now() - started > patienceMs) return;
    const ms = await watch.ahead([stepTimersMs, since]);
    if (ms > 0) { await watch.sleep(ms + 5); await frame(); }
  };
  const bottom = () => Math.max(document.documentElement.scrollHeight,
                                document.body ? document.body.scrollHeight : 0);
  let steps = 0, last = window.scrollY, reached = window.scrollY + window.innerHeight;
  await frame();
  while (steps < maxSteps) {
    const since = watch ? watch.now() : 0;
    // "instant": a page's `scroll-behavior: smooth` would move a few pixels per frame.
    window.scrollBy({ top: window.innerHeight, behavior: "instant" });
    steps += 1;
    await frame();
    await answered(since);
    const y = window.scrollY;
    reached = Math.max(reached, y + window.innerHeight);
    // Stop at the bottom, or when the page no longer scrolls (a scroll lock, a modal).
    if (y === last || y + window.innerHeight >= bottom() - 1) break;
    last = y;
  }
  window.scrollTo({ top: 0, behavior: "instant" });
  await frame();
  return { steps, reached: Math.round(reached) };
}"""

MAX_SCROLL_STEPS = 60


STEP_TIMERS_MS = 250
"""In a patient scroll, how far ahead the timers the page set in answer to a step are waited for."""

PATIENCE_MS = 4_000
"""How long a patient scroll may spend waiting for answers in all (a page that sets a timer in
every frame would otherwise make each step wait); the rest of the page is scrolled a frame a
step."""

PATIENT = frozenset({"scroll-listener", "intersection-observer", "unwatched"})
"""Reasons that mean the page's own code answers a scroll, and may take its time to."""


@dataclass(frozen=True, slots=True)
class Scrollable:
    """How tall a page is, and what on it would answer a scroll."""

    height_px: int
    reasons: tuple[str, ...]
    """Empty when nothing would: scrolling would change nothing."""
    answering: int = 0
    """How many things answer (lazy elements, observed targets, listeners): more than before
    means something new would answer."""

    @property
    def patient(self) -> bool:
        """True when the page's own code answers: each step waits for its answer."""
        return not PATIENT.isdisjoint(self.reasons)

    def worth_scrolling(
        self, viewport_height_px: int, *, reached_px: int = 0, before: Scrollable | None = None
    ) -> bool:
        """Return True when scrolling could load more: something answers, the page reaches
        below the window, and it was not scrolled through yet, or reaches below where the
        last scroll got (it grew, or that scroll was stopped), or something new answers."""
        if not self.reasons or self.height_px <= viewport_height_px:
            return False
        if not reached_px or self.height_px > reached_px + 1:  # the last pixel is rounding
            return True
        return before is not None and self.answering > before.answering


@dataclass(frozen=True, slots=True)
class Scrolled:
    """What a scroll through did."""

    steps: int
    reached_px: int
    """How far down the window's bottom edge got (less than the page when it was stopped)."""


async def look(page: Page) -> Scrollable:
    """Return how tall page is and what on it would answer a scroll."""
    found = await page.evaluate(LOOK_JS)
    return Scrollable(
        int(found["height"]),
        tuple(str(reason) for reason in found["reasons"]),
        int(found["answering"]),
    )


async def scroll_through(page: Page, *, patient: bool) -> Scrolled:
    """Scroll page down to its end, a window height per frame (waiting for the page's answer
    at each step when patient), and back to the top."""
    done = await page.evaluate(
        SCROLL_JS,
        {
            "maxSteps": MAX_SCROLL_STEPS,
            "patient": patient,
            "stepTimersMs": STEP_TIMERS_MS,
            "patienceMs": PATIENCE_MS,
        },
    )
    return Scrolled(int(done["steps"]), int(done["reached"]))
