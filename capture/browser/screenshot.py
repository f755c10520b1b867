"""The full-page screenshot, in tiles where a page is taller than Chromium renders at once.

The shot is taken over CDP rather than with `page.screenshot`, for one parameter Playwright does
not pass: `optimizeForSpeed`, which has Chromium encode the PNG with fast compression. The pixels
are the same; the encoding takes 40-60% less time (the largest single cost of a capture) and the
file is 3-55% larger (text pages the most). What `page.screenshot(animations="disabled")` does
around its shot is done here too: carets hidden, finite animations and transitions finished,
infinite ones cancelled for the shot and played again afterwards (in every frame), and web fonts
waited for.

The final shot's first screen (viewport.png) and thumbnail are made from it in a thread while
the browser finishes the page (`first_screen_later`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from capture.js import page_script
from capture.models import FirstScreen, Screenshot
from capture.output import images

if TYPE_CHECKING:
    from playwright.async_api import CDPSession, Frame, Page

TILE_HEIGHT_PX = 8_192
"""Chromium's compositor limit is 16,384 px; tiles well under it stay exact on every GPU path."""


SHOT_ATTEMPTS = 5
"""How often a shot is tried when Chromium has no frame to shoot yet, a frame apart."""

NEXT_FRAME = {
    "expression": "new Promise(resolve => requestAnimationFrame(() => resolve(0)))",
    "awaitPromise": True,
}
FRAME_WAIT_S = 1.0
"""How long to wait for that frame (a page that draws none is tried again all the same)."""

FRAME_SCRIPT_S = 2.0
"""How long the stilling script may take in one frame, the main frame's wait for its web fonts
included (a busy frame is shot as it is)."""


async def page_size(page: Page) -> tuple[int, int]:
    """Return the page's scrollable (width, height) in CSS pixels."""
    size = await page.evaluate(page_script("page-size.js"))
    return int(size["width"]), int(size["height"])


async def full_page(
    page: Page,
    *,
    viewport_width_px: int,
    max_height_px: int,
    session: CDPSession | None = None,
) -> Screenshot:
    """Return a screenshot of the whole page, stitched from tiles when it is tall.

    Pages taller than max_height_px are cut there, and the result says so. `session` is the
    page's CDP session when the caller keeps one open; otherwise one is opened for the shot.
    """
    _, page_height = await page_size(page)
    height = min(page_height, max_height_px)
    own = session is None
    cdp = await page.context.new_cdp_session(page) if session is None else session
    try:
        try:
            await _prepare(page)
            parts = [
                await _shoot(cdp, viewport_width_px, top, min(TILE_HEIGHT_PX, height - top))
                for top in range(0, max(height, 1), TILE_HEIGHT_PX)
            ]
        finally:
            await _in_every_frame(page, page_script("shot-restore.js"))
    finally:
        if own:
            with contextlib.suppress(Exception):  # the page may be gone; the shot is what counts
                await cdp.detach()
    # Stitching a tall page takes most of a second: off the event loop, so other pages' events
    # (and this page's watchers) are served meanwhile.
    png = parts[0] if len(parts) == 1 else await asyncio.to_thread(images.stitch, parts)
    tiles = len(parts)
    width, shot_height = images.size(png)
    return Screenshot(
        png=png,
        width_px=width,
        height_px=shot_height,
        page_height_px=page_height,
        tiles=tiles,
        truncated=page_height > max_height_px,
    )


async def _shoot(session: CDPSession, width_px: int, top_px: int, height_px: int) -> bytes:
    """Return one PNG of the page's area from top_px, height_px tall (beyond the window too)."""
    clip = {"x": 0, "y": top_px, "width": width_px, "height": max(height_px, 1), "scale": 1}
    params = {
        "format": "png",
        "clip": clip,
        "captureBeyondViewport": True,
        "optimizeForSpeed": True,
    }
    from playwright.async_api import Error as PlaywrightError

    for _ in range(SHOT_ATTEMPTS - 1):
        try:
            return await _capture(session, params)
        except PlaywrightError as exc:
            # Chromium has no frame to shoot yet (a page shot right after it loaded): wait one.
            if "Unable to capture" not in str(exc):
                raise
        with contextlib.suppress(PlaywrightError, TimeoutError):
            async with asyncio.timeout(FRAME_WAIT_S):
                await session.send("Runtime.evaluate", NEXT_FRAME)
    return await _capture(session, params)


async def _capture(session: CDPSession, params: dict[str, Any]) -> bytes:
    result = await session.send("Page.captureScreenshot", params)
    return base64.b64decode(result["data"])


async def _prepare(page: Page) -> None:
    """Still the page for its shot in every frame, and wait (bounded) for the main frame's fonts."""
    main = page.main_frame
    await _in_every_frame(page, page_script("shot-prepare.js"), False, skip=main)
    await _evaluate(main, page_script("shot-prepare.js"), True)


async def _in_every_frame(
    page: Page, script: str, arg: Any = None, *, skip: Frame | None = None
) -> None:
    frames = [frame for frame in page.frames if frame is not skip]
    await asyncio.gather(*(_evaluate(frame, script, arg) for frame in frames))


async def _evaluate(frame: Frame, script: str, arg: Any = None) -> Any:
    """Run script in frame; a frame that is detached, navigating or busy is left as it is."""
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError, TimeoutError):
        async with asyncio.timeout(FRAME_SCRIPT_S):
            return await frame.evaluate(script, arg)
    return None


def first_screen_later(
    shot: Screenshot, viewport_height_px: int, *, view: bool, thumbnail_too: bool
) -> asyncio.Future[FirstScreen]:
    """Start making shot's viewport.png and thumbnail.webp in a thread (a failure there is
    kept in the future, for `with_first_screen`, never reported as unretrieved)."""
    make = functools.partial(images.first_screen_files, view=view, thumbnail_too=thumbnail_too)
    loop = asyncio.get_running_loop()
    making = loop.run_in_executor(_image_threads(), make, shot.png, viewport_height_px)
    making.add_done_callback(_retrieved)
    return making


@functools.cache
def _image_threads() -> ThreadPoolExecutor:
    """Threads of their own, so image work never queues behind file writing or sealing."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="capture-images")


def _retrieved(making: asyncio.Future[FirstScreen]) -> None:
    if not making.cancelled():
        making.exception()


async def with_first_screen(shot: Screenshot, making: asyncio.Future[FirstScreen]) -> Screenshot:
    """Return shot with the files `making` made; as it was when they could not be made (the
    folder writer makes them then, and reports what is wrong)."""
    await asyncio.wait({making})
    if making.cancelled() or making.exception() is not None:
        return shot
    return replace(shot, first_screen=making.result())
