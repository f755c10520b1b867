"""Scrolling through a page so that what loads on sight loads: whether to, and how.

A page is scrolled through, one window height per frame, only when something on it would answer:
images or frames with `loading="lazy"`, an `IntersectionObserver` observing anything, a scroll
listener on the window or the document (counted by `capture.page.watch`'s init script), or a frame
below the first screen (its own observers see the main page scroll). A page with none of these
renders the same whether scrolled or not, and is not kept waiting for it.

What is not seen: a script that polls the scroll position on a timer or on every frame. A site
that loads that way can be scrolled by its site config's `scroll` action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import Page

MAX_SCROLL_STEPS = 60


STEP_TIMERS_MS = 250
"""In a patient scroll, how far ahead the timers the page set in answer to a step are waited for."""

PATIENCE_MS = 4_000
"""How long the patient scrolls of a page may spend waiting for answers in all (a page that sets
a timer in every frame would otherwise make each step wait); the rest is scrolled a frame a
step. One wait already begun may run over by up to half a second."""

PATIENT = frozenset({"scroll-listener", "intersection-observer"})
"""Reasons that mean the page's own code answers a scroll, and may take its time to."""


@dataclass(frozen=True, slots=True)
class Scrollable:
    """How tall a page is, and what on it would answer a scroll."""

    height_px: int
    reasons: tuple[str, ...]
    """Empty when nothing would: scrolling would change nothing."""
    lazy: int = 0
    """Elements with `loading="lazy"` now."""
    observed: int = 0
    """Elements ever given to an IntersectionObserver (only grows)."""
    frames: int = 0
    """Frames reaching below the first screen now."""

    @property
    def patient(self) -> bool:
        """True when the page's own code answers: each step waits for its answer."""
        return not PATIENT.isdisjoint(self.reasons)

    def worth_scrolling(self, viewport_height_px: int) -> bool:
        """Return True when scrolling could load something: something answers, and the page
        reaches below the window."""
        return bool(self.reasons) and self.height_px > viewport_height_px

    def worth_scrolling_again(
        self, viewport_height_px: int, scrolled: Scrolled, after: Scrollable
    ) -> bool:
        """Return True when this page, looked at once it settled, could load more from another
        scroll: it was not scrolled yet, or grew below where the last scroll got, or that scroll
        was stuck (a scroll lock, perhaps lifted since), or something new answers since `after`
        (the look right after the last scroll): an element observed, a lazy element or a frame
        below the first screen. New scroll listeners alone do not count: analytics adds them."""
        if not self.worth_scrolling(viewport_height_px):
            return False
        if not scrolled.steps:
            return True
        if scrolled.stopped in ("max-steps", "time"):
            return False  # a second scroll would stop at the same place
        if scrolled.stopped == "stuck" or self.height_px > scrolled.reached_px + 1:
            return True
        return (
            self.observed > after.observed or self.lazy > after.lazy or self.frames > after.frames
        )


@dataclass(frozen=True, slots=True)
class Scrolled:
    """What a scroll through did."""

    steps: int
    reached_px: int
    """How far down the window's bottom edge got (less than the page when it was stopped)."""
    stopped: str = "bottom"
    """Why it ended: "bottom", "stuck" (the page did not move), "max-steps" or "time"
    ("not-scrolled" for NOT_SCROLLED)."""
    waited_ms: int = 0
    """How long it waited for the page's answers (patience spent)."""


NOT_SCROLLED = Scrolled(0, 0, "not-scrolled")


async def look(page: Page) -> Scrollable:
    """Return how tall page is and what on it would answer a scroll."""
    found = await page.evaluate(page_script("scroll-look.js"))
    return Scrollable(
        int(found["height"]),
        tuple(str(reason) for reason in found["reasons"]),
        lazy=int(found["lazy"]),
        observed=int(found["observed"]),
        frames=int(found["frames"]),
    )


async def scroll_through(
    page: Page, *, patient: bool, patience_ms: int = PATIENCE_MS, limit_s: float
) -> Scrolled:
    """Scroll page down to its end, a window height per frame (waiting for the page's answer
    at each step when patient, for patience_ms in all), and back to the top; stop after
    limit_s."""
    done = await page.evaluate(
        page_script("scroll.js"),
        {
            "maxSteps": MAX_SCROLL_STEPS,
            "patient": patient,
            "stepTimersMs": STEP_TIMERS_MS,
            "patienceMs": max(0, patience_ms),
            "limitMs": max(0, round(limit_s * 1000)),
        },
    )
    return Scrolled(
        int(done["steps"]), int(done["reached"]), str(done["stopped"]), int(done["waited"])
    )
