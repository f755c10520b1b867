"""`when_visible` rules: run actions whenever an element shows up, up to a cap, until stopped.

One task per rule waits for its element to become visible (Playwright re-checks as the page
changes, inside frames and open shadow roots too), runs the rule's actions, then waits for the
element to go. An element still visible after its actions stops the rule, so a rule can never
loop; `times` caps how often it fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from capture.overlays.actions import Run, ms, run_action
from capture.overlays.selectors import frame_url, locate

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

    from capture.config.site import WhenVisible

GONE_TIMEOUT_S = 2.0
"""How long an element may stay visible after its rule's actions before the rule gives up."""


@dataclass
class Watch:
    """The running when_visible tasks of one page and what they found."""

    run: Run
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    targets: list[Locator] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    last_fired: float = 0.0


_WATCHES: weakref.WeakKeyDictionary[Page, Watch] = weakref.WeakKeyDictionary()


def start(run: Run) -> Watch | None:
    """Start one task per when_visible rule of run.site; return the watch (None: no rules)."""
    if run.site is None or not run.site.when_visible:
        return None
    watch = Watch(run)
    for index, rule in enumerate(run.site.when_visible):
        name = run.site.rule("when_visible", index)
        target = locate(run.page, rule.selector, rule.frame).first
        watch.targets.append(target)
        watch.tasks.append(asyncio.create_task(_follow(watch, rule, target, name)))
    _WATCHES[run.page] = watch
    return watch


async def stop(page: Page, *, quiet_s: float = 0.5, limit_s: float = 3.0) -> list[str]:
    """Stop the page's rules once their elements are gone and none fired for quiet_s.

    Waits at most limit_s. The quiet spell catches an element that comes back just after its
    rule removed it; a rule still busy is never cut off half-way through its actions.
    """
    watch = _WATCHES.pop(page, None)
    if watch is None:
        return []
    give_up = time.monotonic() + limit_s
    while give_up > time.monotonic():
        await _gone(watch, give_up)
        quiet_left_s = watch.last_fired + quiet_s - time.monotonic()
        if quiet_left_s <= 0:
            break
        await asyncio.sleep(min(quiet_left_s, max(give_up - time.monotonic(), 0)))
    async with watch.run.lock:
        for task in watch.tasks:
            task.cancel()
    for task in watch.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    return watch.failures


async def _gone(watch: Watch, give_up: float) -> None:
    """Wait until the element of every rule still running is hidden (until give_up at most)."""
    from playwright.async_api import Error as PlaywrightError

    for target, task in zip(watch.targets, watch.tasks, strict=True):
        if task.done():
            continue
        with contextlib.suppress(PlaywrightError):
            await target.wait_for(state="hidden", timeout=ms(give_up - time.monotonic()))


async def _follow(watch: Watch, rule: WhenVisible, target: Locator, name: str) -> None:
    from playwright.async_api import Error as PlaywrightError

    run = watch.run
    for fired in range(1, rule.times + 1):
        try:
            await target.wait_for(state="visible", timeout=ms(max(run.options.timeout_s, 1)))
        except PlaywrightError:
            return  # never (again) visible while the page was open
        watch.last_fired = time.monotonic()
        where = await frame_url(run.page, rule.frame)
        run.log.add(
            "when_visible",
            name,
            ok=True,
            selector=rule.selector,
            frame=where,
            detail=f"appeared (time {fired} of at most {rule.times})",
        )
        for position, item in enumerate(rule.actions):
            failure = await run_action(run, item, f"{name}.actions[{position}]")
            if failure:
                watch.failures.append(failure)
        watch.last_fired = time.monotonic()
        try:
            await target.wait_for(state="hidden", timeout=ms(GONE_TIMEOUT_S))
        except PlaywrightError:
            run.log.add(
                "when_visible",
                name,
                ok=False,
                selector=rule.selector,
                frame=where,
                detail="still visible after its actions; the rule stops here",
            )
            watch.failures.append(f"{name}: {rule.selector} is still visible after its actions")
            return
