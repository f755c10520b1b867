"""A capture's record of what its page shows: the screenshots, the first screen, the DOM as
rendered, the page's own print and the screencast, over the page's one CDP session."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from capture.browser import printing, screenshot
from capture.browser.devtools import rendered_dom
from capture.browser.screencast import Screencast

if TYPE_CHECKING:
    from playwright.async_api import CDPSession, Page

    from capture.browser.document import Findings
    from capture.models import FirstScreen, Screenshot
    from capture.options import CaptureOptions
    from capture.steps import Budget, StepLog

log = logging.getLogger(__name__)


class Camera:
    """Takes one page's shots as named steps, within the capture's budget."""

    def __init__(
        self,
        options: CaptureOptions,
        steps: StepLog,
        budget: Budget,
        reserve_s: float,
        first_shot_at_s: float | None = None,
    ) -> None:
        self.options = options
        self.steps = steps
        self.budget = budget
        self.reserve_s = reserve_s
        self.first_shot_at_s = first_shot_at_s
        """Take the first shot no earlier than this long after navigation starts (a replay)."""
        self.navigation_started = time.monotonic()
        self.shots = 0
        self._devtools: CDPSession | None = None
        self._first_screen: asyncio.Future[FirstScreen] | None = None
        """viewport.png and thumbnail.webp, made in a thread while the browser finishes."""
        self._screencast: Screencast | None = None
        self._screencast_error: str | None = None

    async def cdp(self, page: Page) -> CDPSession:
        """Return the page's CDP session for its shots and its freeze, opened once."""
        if self._devtools is None:
            self._devtools = await page.context.new_cdp_session(page)
        return self._devtools

    async def screenshot(self, page: Page, name: str = "screenshot") -> Screenshot | None:
        """Shoot the whole page as step `name`; None when the step failed."""
        self.shots += 1
        target_s = self.first_shot_at_s
        if target_s is not None and self.shots == 1:
            # Waiting for a time, not hoping for an event: the replay matches the capture's clock.
            wait_s = target_s - (time.monotonic() - self.navigation_started)
            await asyncio.sleep(self.budget.allow(max(0.0, wait_s), reserve_s=self.reserve_s))
        timeout_s = max(self.budget.allow(60), min(self.reserve_s, 5))
        async with self.steps.step(name, timeout_s=timeout_s) as step:
            shot = await screenshot.full_page(
                page,
                viewport_width_px=self.options.viewport.width,
                max_height_px=self.options.max_screenshot_height_px,
                session=await self.cdp(page),
            )
            step.detail.update(tiles=shot.tiles, height_px=shot.height_px)
            if shot.truncated:
                step.fail(
                    f"page is {shot.page_height_px} px tall; the screenshot stops at the "
                    f"configured limit of {self.options.max_screenshot_height_px} px"
                )
            return shot
        return None

    def first_screen_later(self, shot: Screenshot | None) -> None:
        """Start making viewport.png and thumbnail.webp from shot, when the options want them."""
        wants = self.options.wants
        if shot is not None and (wants("viewport") or wants("thumbnail")):
            self._first_screen = screenshot.first_screen_later(
                shot,
                self.options.viewport.height,
                view=wants("viewport"),
                thumbnail_too=wants("thumbnail"),
            )

    async def with_first_screen(self, shot: Screenshot | None) -> Screenshot | None:
        """Return shot with its first screen, once made."""
        if shot is None or self._first_screen is None:
            return shot
        return await screenshot.with_first_screen(shot, self._first_screen)

    def drop_first_screen(self) -> None:
        """Cancel a first screen still being made (the page failed after its shot)."""
        if self._first_screen is not None and not self._first_screen.done():
            self._first_screen.cancel()

    async def rendered_dom(self, page: Page) -> str:
        """Return the DOM as rendered: over our CDP session, or Playwright's way if that fails."""
        from playwright.async_api import Error as PlaywrightError

        try:
            return await rendered_dom(await self.cdp(page))
        except (PlaywrightError, ValueError, KeyError) as exc:
            log.info("DOM taken through Playwright", extra={"reason": str(exc)})
            return await page.content()

    async def print(self, page: Page, found: Findings) -> None:
        """Print the page as it stands now (after the interventions, before the freeze)."""
        async with self.steps.step("pdf", timeout_s=max(self.budget.allow(30), 5)) as step:
            found.page_pdf = await printing.print_page(page)
            step.detail["bytes"] = len(found.page_pdf)

    async def start_screencast(self, page: Page) -> None:
        """Start recording the page's screen (`--video`); a failure is noted for the step."""
        try:
            self._screencast = Screencast(await self.cdp(page))
            await self._screencast.start(self.options.viewport)
        except Exception as exc:  # No screencast (a crashed page): the capture goes on.
            self._screencast_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    async def stop_screencast(self, found: Findings) -> None:
        """Stop the recording once (after the last screenshot) and record its step."""
        if not self.options.video or found.screencast is not None:
            return
        async with self.steps.step("video", timeout_s=10) as step:
            found.screencast = ()
            if self._screencast_error or self._screencast is None:
                step.fail(f"the screencast did not start: {self._screencast_error}")
                return
            found.screencast = await self._screencast.stop()
            step.detail["frames"] = len(found.screencast)
            if not found.screencast:
                step.fail("the browser sent no frame of the page")

    async def close(self) -> None:
        """Stop the screencast's acknowledgements before the context closes."""
        if self._screencast is not None:
            await self._screencast.stop()
