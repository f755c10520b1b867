"""When a page has settled: its network quiet, its main thread free, and its own timers run.

A fixed window of network quiet (Playwright's `networkidle`: 500 ms) is both too long and too
short. Too long for a page that is done at `load`: every page pays the whole window. Too short
for a page that shows its registration wall on a timer 1.5 s after `load`: nothing goes over the
network in between, so the wall comes after the capture has looked.

So the page is asked. An init script (`capture.page.watch`) notes, in the main world of every frame,
when each timer (`setTimeout`, the first tick of `setInterval`) is set and when it is due. A look
runs on the main frame's thread after its next animation frame and then at its first idle moment, so
it answers only once the page's current task, a whole frame, the observers it fires (lazy images)
and the tasks they queue, work it runs in slices between frames and its idle callbacks (which are
not followed themselves) have run; it returns how long until the last of the main frame's timers due
within `timers_s` of `load`. The page has settled when the network stayed quiet through a look that
found no timer pending:

- quiet means no request waiting for its answer, no body still arriving (for at most
  `activity.BODY_HOLD_S` after its headers: a stream that never ends is not waited for), and
  PASSIVE_QUIET_S since the last network event after `load` (what earlier events led to ran
  before `load`, or runs before the look); a script or frame document that finished
  after `load` asks for `quiet_s` instead (the old window), because its code compiles off the
  main thread and runs after it arrives;
- a timer due later than `timers_s` after `load` (a carousel, a poll every minute) is not waited
  for, and neither is anything past the step's limit; timers in other frames are not asked about.

Most real pages have some timer due soon after load (analytics, polls), so most wait about
`timers_s` after load: the price of seeing walls and pop-ups that come on a timer.

The init script is `capture.page.watch`'s; this module asks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from capture.steps import SYSTEM_CLOCK, MonotonicClock

if TYPE_CHECKING:
    from playwright.async_api import Page

    from capture.page.activity import NetworkActivity

PASSIVE_QUIET_S = 0.05
"""Quiet needed after traffic that runs no code of its own (images, fonts, data). What it leads
to (an image's load handler fetching the next, a fetch's data rendered and fetching more) runs in
the page's tasks before the look answers, and a request it starts reaches us before the answer:
the look, not this window, is what sees it. It is counted from the last event, through the
look."""

TIMER_SLACK_S = 0.03
"""Waited past a timer's due time, so its callback has run when the page is looked at again."""

LOOK_TIMEOUT_S = 2.0
"""How long one look may take (a page stuck in a long task answers late, or not at all)."""

LOOK_AHEAD_TIMEOUT_S = 1.0
"""How long a look ahead may take (the overlay pass has its own budget to keep)."""

UNANSWERED_LOOKS = 3
UNANSWERED_PAUSE_S = 0.05
"""A page that does not answer is asked again after this pause, at most UNANSWERED_LOOKS times
in a row; then its settling ends unknown (`network_quiet` false)."""

LOOK_JS = "ms => window.__captureWatch ? window.__captureWatch.look(ms) : 0"
AHEAD_JS = "args => window.__captureWatch ? window.__captureWatch.ahead(args) : 0"
NOW_JS = "() => window.__captureWatch ? window.__captureWatch.now() : 0"


@dataclass(frozen=True, slots=True)
class Settled:
    """How a wait for the page to settle ended."""

    quiet: bool
    """False when the limit came first (the network still busy, or timers still pending)."""
    timers_waited_s: float
    """How long was spent waiting for the page's timers."""
    looks: int
    """How many times the page was asked."""

    def then(self, later: Settled) -> Settled:
        """Return this wait and a later one as one: the later's outcome, both waits summed."""
        return Settled(
            later.quiet, self.timers_waited_s + later.timers_waited_s, self.looks + later.looks
        )

    def to_detail(self) -> dict[str, object]:
        """Return the facts a step records."""
        return {
            "network_quiet": self.quiet,
            "timers_waited_s": round(self.timers_waited_s, 3),
            "looks": self.looks,
        }


async def until_settled(
    page: Page,
    network: NetworkActivity,
    *,
    quiet_s: float,
    timers_s: float,
    loaded_at: float | None,
    limit_s: float,
    clock: MonotonicClock = SYSTEM_CLOCK,
) -> Settled:
    """Wait until page has settled (see the module's doc), at most limit_s on clock.

    `loaded_at` is the clock's time at the load event (None: it never fired, and every script
    asks for quiet_s); `timers_s` how long after it the page's timers are waited for.
    """
    deadline = clock.now() + limit_s
    since_load = -math.inf if loaded_at is None else loaded_at
    passive_s = min(PASSIVE_QUIET_S, quiet_s)
    waited = 0.0
    looks = unanswered = 0

    async def quiet_for(seconds: float) -> bool:
        left = deadline - clock.now()
        return left > 0 and await network.wait_quiet(
            seconds, left, after_code_s=quiet_s, loaded_at=since_load
        )

    while True:
        # Nothing waiting for an answer, no body arriving, late code given its time; the
        # passive quiet is counted around the look, not before it.
        if not await quiet_for(0.0):
            return Settled(False, waited, looks)
        mark = network.count
        pending_ms = await look(page, timers_s, deadline - clock.now(), clock=clock)
        looks += 1
        if pending_ms is None:  # no answer (busy, navigating, gone): quiet is not known
            unanswered += 1
            if unanswered >= UNANSWERED_LOOKS or clock.now() >= deadline:
                return Settled(False, waited, looks)
            await clock.sleep(UNANSWERED_PAUSE_S)
            continue
        unanswered = 0
        if pending_ms:
            pause = min(pending_ms / 1000 + TIMER_SLACK_S, deadline - clock.now())
            if pause <= 0:
                return Settled(False, waited, looks)
            await clock.sleep(pause)
            waited += pause
        elif network.count == mark:
            # The page had nothing left to do: settled once the quiet has lasted passive_s
            # with still nothing new.
            if not await quiet_for(passive_s):
                return Settled(False, waited, looks)
            if network.count == mark:
                return Settled(True, waited, looks)


async def look(
    page: Page,
    timers_s: float,
    limit_s: float = LOOK_TIMEOUT_S,
    *,
    clock: MonotonicClock = SYSTEM_CLOCK,
) -> int | None:
    """Return the milliseconds until the last of page's timers due within timers_s of load.

    0 when none is pending or timers are not followed (timers_s 0); None when the page did not
    answer (it navigated away, crashed, or stayed busy for LOOK_TIMEOUT_S or limit_s on clock).
    """
    pending = await _ask(page, LOOK_JS, round(max(timers_s, 0.0) * 1000), limit_s, clock)
    return pending if pending is None or timers_s > 0 else 0


async def timer_clock(page: Page) -> float:
    """Return the page's clock (performance.now(), ms): timers set after it count for
    `look_ahead`. 0 when the page cannot say."""
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError, TimeoutError):
        async with asyncio.timeout(LOOK_AHEAD_TIMEOUT_S):
            return float(await page.evaluate(NOW_JS) or 0.0)
    return 0.0


async def look_ahead(page: Page, within_s: float, *, set_since: float) -> int:
    """Return the milliseconds until the last of page's timers due within within_s from now,
    among those set since `set_since` (from `timer_clock`): what a page scheduled in answer to
    being acted on (a banner dismissed). 0 when none, or when the page does not answer.
    """
    args = [round(max(within_s, 0.0) * 1000), set_since]
    return await _ask(page, AHEAD_JS, args, LOOK_AHEAD_TIMEOUT_S) or 0


async def _ask(
    page: Page, script: str, arg: object, limit_s: float, clock: MonotonicClock = SYSTEM_CLOCK
) -> int | None:
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError, TimeoutError):
        async with clock.timeout(max(0.0, min(LOOK_TIMEOUT_S, limit_s))):
            return int(await page.evaluate(script, arg) or 0)
    return None
