"""The init script that watches every frame of a capture, in its main world, before its scripts.

It notes what the page will do by itself and what would answer a scroll, and answers questions
about them through a hidden, frozen `window.__captureWatch`:

- timers: when each `setTimeout` and the first tick of each `setInterval` was set and is due,
  until cleared (asked by `capture.page.settle`'s looks, which run after a frame and an idle
  moment);
- what answers a scroll: the elements given to `IntersectionObserver.prototype.observe` (each
  once), and scroll listeners added to the window or the document (asked by
  `capture.page.scrolling`).

The wrappers (of the timer functions, `observe` and `addEventListener`) are Proxies of the native
functions: calls, `this`, return values, `name`, `length`, `typeof` and the frame's own
`Function.prototype.toString` are unchanged, and no callback is wrapped. A script determined to
find them still can (a stack trace through the Proxy, or another frame's `toString`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext


async def install(context: BrowserContext) -> None:
    """Watch every page and frame context opens, before any of their scripts."""
    await context.add_init_script(page_script("watch.js"))
