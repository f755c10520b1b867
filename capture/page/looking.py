"""When a capture looks at its page: after `load`, scrolled through when something on it answers a
scroll, and settled (the `settle` and `scroll` steps; see `capture.page.settle` and
`capture.page.scrolling` for the rules).

The scroll starts at `load`, while the page settles rather than after it. Content or scripts that
arrive later can make the page taller or give it something new that answers: then it is
scrolled through again, and settles again. Every wait is bounded by the capture's budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from capture.options import CaptureOptions
from capture.page import scrolling, settle
from capture.steps import Budget

if TYPE_CHECKING:
    from playwright.async_api import Page

    from capture.page.activity import NetworkActivity

SCROLL_LIMIT_S = 6.0
"""How long one scroll through the page may take (a page of sixty screens at a frame a step
takes one second; a patient one waits up to `scrolling.PATIENCE_MS` more)."""


class Looking:
    """One page's load, scroll and settling, within the capture's budget."""

    def __init__(
        self,
        page: Page,
        network: NetworkActivity,
        options: CaptureOptions,
        budget: Budget,
        reserve_s: float,
    ) -> None:
        self.page = page
        self.network = network
        self.options = options
        self.budget = budget
        self.reserve_s = reserve_s
        self.loaded_at: float | None = None
        """The network's clock at the main frame's last load event: traffic before it needs
        no quiet."""
        page.on("load", self._on_load)

    def _on_load(self, _page: Page) -> None:
        self.loaded_at = self.network.clock.now()

    async def load(self, detail: dict[str, Any], limit_s: float, *, quiet: bool) -> None:
        """Wait for the load event, then (when quiet) for the page to settle.

        With scrolling on, `scroll` waits for it instead, so the scroll runs while the page
        settles rather than after it.
        """
        from playwright.async_api import Error as PlaywrightError

        try:
            await self.page.wait_for_load_state("load", timeout=limit_s * 1000)
            detail["load"] = True
            if self.loaded_at is None:  # no load event reached us (it should): stamp it now
                self.loaded_at = self.network.clock.now()
        except PlaywrightError:
            detail["load"] = False
        if quiet:
            detail.update((await self.settled()).to_detail())

    async def settled(self) -> settle.Settled:
        """Wait until the page has settled, within the step's share of the budget."""
        options = self.options
        limit_s = max(options.settle_s * 3, 3.0, options.timers_s + 1.0)
        return await settle.until_settled(
            self.page,
            self.network,
            quiet_s=options.settle_s,
            timers_s=options.timers_s,
            loaded_at=self.loaded_at,
            limit_s=self.budget.allow(limit_s, reserve_s=self.reserve_s),
            clock=self.network.clock,
        )

    async def scroll(self, detail: dict[str, Any]) -> None:
        """Scroll through the page when something answers, settle, and again when worth it."""
        page, viewport_height = self.page, self.options.viewport.height
        first = await scrolling.look(page)
        scrolled, after = scrolling.NOT_SCROLLED, first
        if first.worth_scrolling(viewport_height):
            scrolled = await self._scroll_through(first, scrolling.PATIENCE_MS)
            after = await scrolling.look(page)
        settled = await self.settled()
        later = await scrolling.look(page)
        steps = scrolled.steps
        if later.worth_scrolling_again(viewport_height, scrolled, after):
            patience_ms = scrolling.PATIENCE_MS - scrolled.waited_ms
            steps += (await self._scroll_through(later, patience_ms)).steps
            settled = settled.then(await self.settled())
        detail.update(settled.to_detail(), steps=steps, reacts=list(later.reasons))

    async def _scroll_through(
        self, scrollable: scrolling.Scrollable, patience_ms: int
    ) -> scrolling.Scrolled:
        limit_s = self.budget.allow(SCROLL_LIMIT_S, reserve_s=self.reserve_s)
        return await scrolling.scroll_through(
            self.page, patient=scrollable.patient, patience_ms=patience_ms, limit_s=limit_s
        )
