"""Running a site config's after-load actions on a page, one Intervention each.

An action that finds nothing is recorded as not done; it makes the capture partial only when
the config marks it `required: true`. A page that navigates after an action (a banner that
reloads the page) is waited for, once, before the next action runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from capture.config.site import (
    Action,
    ActionItem,
    Click,
    ElementAction,
    Hide,
    InjectCss,
    Press,
    Remove,
    RemoveClass,
    Script,
    Scroll,
    SetStyle,
    SiteConfig,
    Unclamp,
    UnlockScroll,
    Wait,
    WaitFor,
)
from capture.overlays import pagejs
from capture.overlays.selectors import frame_url, locate, locate_text

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page, Request

    from capture.options import CaptureOptions
    from capture.overlays.log import InterventionLog


def ms(seconds: float) -> float:
    """Return seconds in the milliseconds Playwright wants (at least 1)."""
    return max(1.0, seconds * 1000.0)


class Navigations:
    """Counts main-frame navigations a page starts and finishes, to wait out reloads."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.started = 0
        self.committed = asyncio.Event()
        page.on("request", self._on_request)
        page.on("framenavigated", self._on_navigated)

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.started += 1
            self.committed.clear()

    def _on_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.committed.set()

    async def settle(self, since: int, timeout_s: float) -> str | None:
        """Return the new URL when a navigation started after `since` (waited to load)."""
        from playwright.async_api import Error as PlaywrightError

        # One animation frame gives a click's navigation time to start; an error means the
        # document is already going away, so a navigation is under way.
        with contextlib.suppress(PlaywrightError):
            await self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(0)))")
        if self.started == since:
            return None
        try:
            await asyncio.wait_for(self.committed.wait(), timeout_s)
            await self.page.wait_for_load_state("load", timeout=ms(timeout_s))
        except (TimeoutError, PlaywrightError):
            return f"{self.page.url} (still loading)"
        return self.page.url


@dataclass
class Run:
    """The state shared by one page's overlay work: where, for whom, until when."""

    page: Page
    site: SiteConfig | None
    options: CaptureOptions
    log: InterventionLog
    deadline: float
    navigations: Navigations
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def remaining_s(self, wanted_s: float) -> float:
        """Return wanted_s, cut to the time left before the deadline."""
        return max(0.05, min(wanted_s, self.deadline - time.monotonic()))


@dataclass(frozen=True, slots=True)
class Done:
    """What one action achieved."""

    ok: bool
    detail: str
    selector: str | None = None


Handler = Callable[[Run, Any], Awaitable[Done]]


async def run_action(run: Run, item: ActionItem, rule: str) -> str | None:
    """Run one action and record it; return why it failed when that makes the capture partial."""
    from playwright.async_api import Error as PlaywrightError

    name, action = item.chosen
    frame = list(getattr(action, "frame", []))
    since = run.navigations.started
    async with run.lock:
        where = await frame_url(run.page, frame)  # before the action: it may remove the frame
        try:
            done = await HANDLERS[name](run, action)
        except (PlaywrightError, TimeoutError) as exc:
            done = Done(False, _first_line(exc), getattr(action, "selector", None))
        moved = await run.navigations.settle(since, run.remaining_s(15))
        detail = done.detail + (f"; the page navigated to {moved}" if moved else "")
        run.log.add(name, rule, ok=done.ok, selector=done.selector, frame=where, detail=detail)
    if not done.ok and (getattr(action, "required", False) or name == "script"):
        return f"{rule}: {name} {done.selector or ''} failed ({done.detail})".replace("  ", " ")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def _present(run: Run, locator: Locator, action: ElementAction, state: str) -> bool:
    from playwright.async_api import Error as PlaywrightError

    try:
        await locator.first.wait_for(state=state, timeout=ms(run.remaining_s(action.timeout_s)))  # type: ignore[arg-type]
    except PlaywrightError:
        return False
    return True


async def _click(run: Run, action: Click) -> Done:
    if action.text is not None:
        locator = locate_text(run.page, action.text, action.frame)
        label = f"text={action.text}"
    else:
        assert action.selector is not None  # the model checks one of them is set
        locator = locate(run.page, action.selector, action.frame)
        label = action.selector
    if not await _present(run, locator, action, "visible"):
        return Done(False, f"nothing visible to click within {action.timeout_s:g} s", label)
    await locator.first.click(timeout=ms(run.remaining_s(action.timeout_s)))
    return Done(True, "clicked", label)


async def _each(run: Run, action: ElementAction, script: str, arg: Any = None) -> Done:
    locator = locate(run.page, action.selector, action.frame)
    if not await _present(run, locator, action, "attached"):
        return Done(False, f"no element within {action.timeout_s:g} s", action.selector)
    count = await locator.evaluate_all(script, arg)
    return Done(count > 0, f"{count} element{'s' * (count != 1)}", action.selector)


async def _remove(run: Run, action: Remove) -> Done:
    return await _each(run, action, pagejs.REMOVE_JS)


async def _hide(run: Run, action: Hide) -> Done:
    return await _each(run, action, pagejs.HIDE_JS)


async def _remove_class(run: Run, action: RemoveClass) -> Done:
    done = await _each(run, action, pagejs.REMOVE_CLASS_JS, action.classes)
    return Done(done.ok, f"{' '.join(action.classes)} from {done.detail}", done.selector)


async def _set_style(run: Run, action: SetStyle) -> Done:
    done = await _each(run, action, pagejs.SET_STYLE_JS, action.style)
    style = "; ".join(f"{key}: {value}" for key, value in action.style.items())
    return Done(done.ok, f"{style} on {done.detail}", done.selector)


async def _press(run: Run, action: Press) -> Done:
    await run.page.keyboard.press(action.key)
    return Done(True, f"pressed {action.key}")


async def _wait_for(run: Run, action: WaitFor) -> Done:
    locator = locate(run.page, action.selector, action.frame)
    if await _present(run, locator, action, action.state):
        return Done(True, action.state, action.selector)
    return Done(False, f"not {action.state} within {action.timeout_s:g} s", action.selector)


async def _wait(run: Run, action: Wait) -> Done:
    seconds = run.remaining_s(action.seconds)
    await asyncio.sleep(seconds)  # the config asked for a fixed pause
    return Done(True, f"waited {seconds:g} s")


async def _inject_css(run: Run, action: InjectCss) -> Done:
    await run.page.add_style_tag(content=action.css)
    return Done(True, f"{len(action.css)} characters of CSS")


async def _unlock_scroll(run: Run, action: UnlockScroll) -> Done:
    changed = await run.page.evaluate(pagejs.UNLOCK_SCROLL_JS, pagejs.UNLOCK_SCROLL_CSS)
    return Done(True, "reset " + (", ".join(changed) or "nothing inline") + "; overflow forced")


async def _unclamp(run: Run, action: Unclamp) -> Done:
    found = await run.page.evaluate(pagejs.UNCLAMP_JS, action.selector)
    total = found["lifted"] + found["clamps"] + found["fades"]
    detail = f"{found['lifted']} heights, {found['clamps']} line clamps, {found['fades']} fades"
    return Done(total > 0, detail, action.selector)


async def _scroll(run: Run, action: Scroll) -> Done:
    result = await run.page.evaluate(pagejs.SCROLL_JS, action.max_steps)
    capped = " (stopped at max_steps)" if result["steps"] >= action.max_steps else ""
    return Done(True, f"{result['steps']} steps, height {result['height']} px{capped}")


async def _script(run: Run, action: Script) -> Done:
    allowed = run.options.allow_scripts or (run.site is not None and run.site.allow_scripts)
    if not allowed:
        return Done(False, "not run: scripts are off. Set allow_scripts: true to run it")
    result = await run.page.evaluate(action.code)
    return Done(True, "ran" + (f", returned {str(result)[:80]}" if result is not None else ""))


HANDLERS: dict[str, Handler] = {
    "click": _click,
    "remove": _remove,
    "hide": _hide,
    "press": _press,
    "wait_for": _wait_for,
    "wait": _wait,
    "remove_class": _remove_class,
    "set_style": _set_style,
    "inject_css": _inject_css,
    "unlock_scroll": _unlock_scroll,
    "unclamp": _unclamp,
    "scroll": _scroll,
    "script": _script,
}
"""Every after-load action by name (the keys of ActionItem)."""

__all__ = ["HANDLERS", "Action", "Navigations", "Run", "run_action"]
