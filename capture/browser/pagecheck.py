"""What the page is, read in the browser: the facts for the verdict, and a challenge waited out.

The verdict itself is pure (`capture.verdict.judge`); this module only gathers its facts from the
rendered page and, when the page is a bot check, waits a bounded time for it to clear itself (many
do in a real browser within seconds), recording what happened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capture.js import page_script
from capture.models import PageFacts, Reason, Verdict
from capture.verdict.judge import TEXT_CHARS, Document, judge

if TYPE_CHECKING:
    from playwright.async_api import Page, Response

    from capture.page.activity import NetworkActivity

CHALLENGE_WAIT_S = 15.0
"""How long a challenge page is given to clear itself before the capture goes on with it."""

CHALLENGE_IDLE_S = 5.0
"""A challenge whose page made no request for this long waits for a person: the wait ends."""


async def read_facts(page: Page) -> PageFacts:
    """Return what the verdict needs of the rendered page; a page navigating meanwhile is read
    again once its new document is there (raises Playwright's Error if it fails again)."""
    from playwright.async_api import Error as PlaywrightError

    try:
        data: dict[str, Any] = await page.evaluate(page_script("page-facts.js"), TEXT_CHARS)
    except PlaywrightError:
        await page.wait_for_load_state("domcontentloaded", timeout=5000)
        data = await page.evaluate(page_script("page-facts.js"), TEXT_CHARS)
    return PageFacts(
        title=str(data.get("title") or "")[:300],
        headings=tuple(str(h)[:200] for h in data.get("headings") or ()),
        text=str(data.get("text") or ""),
        text_chars=int(data.get("text_chars") or 0),
        urls=tuple(str(url) for url in data.get("urls") or ()),
        inline=str(data.get("inline") or ""),
        password_fields=int(data.get("password_fields") or 0),
        media=int(data.get("media") or 0),
        frames=tuple(str(url) for url in data.get("frames") or ()),
        articles=int(data.get("articles") or 0),
    )


@dataclass(frozen=True, slots=True)
class ChallengeWait:
    """What became of a challenge the capture waited on."""

    vendor: str | None
    waited_s: float
    cleared: bool
    ended: str
    """Why the wait ended: `cleared`, `idle` (nothing happened any more) or `time`."""
    facts: PageFacts | None
    """The page's facts at the end of the wait."""
    response: Response | None
    """The main document that replaced the challenge, when it navigated."""

    def to_detail(self) -> dict[str, Any]:
        """Return the wait as a step's detail."""
        return {
            "challenge": self.vendor or "unknown",
            "waited_s": round(self.waited_s, 3),
            "cleared": self.cleared,
            "ended": self.ended,
        }


class DocumentWatch:
    """Keeps the last main-frame document response of a page (a challenge reloads into it)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.latest: Response | None = None
        page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        request = response.request
        document = request.is_navigation_request() and request.frame == self.page.main_frame
        if document and not 300 <= response.status < 400:
            self.latest = response


async def document_of(response: Response, requested_url: str, final_url: str) -> Document:
    """Return the verdict's view of a main document response."""
    headers = await response.all_headers()
    return Document(
        requested_url=requested_url,
        final_url=final_url,
        status=response.status,
        headers=tuple(headers.items()),
        content_type=headers.get("content-type"),
    )


async def wait_out_challenge(
    page: Page,
    watch: DocumentWatch,
    network: NetworkActivity,
    first: Verdict,
    *,
    requested_url: str,
    limit_s: float,
) -> ChallengeWait:
    """Wait up to limit_s for a challenge page to clear itself; return what happened.

    A challenge clears by navigating (a reload once the check passed) or by replacing the page;
    after each navigation, or every second, the page's facts are read again and judged. The
    wait ends early once the page made no request for CHALLENGE_IDLE_S.
    """
    from playwright.async_api import Error as PlaywrightError

    started = active_at = time.monotonic()
    events = network.count
    facts: PageFacts | None = None
    while (left_s := limit_s - (time.monotonic() - started)) > 0:
        if network.count != events:
            events, active_at = network.count, time.monotonic()
        elif time.monotonic() - active_at >= CHALLENGE_IDLE_S:
            waited = time.monotonic() - started
            return ChallengeWait(first.vendor, waited, False, "idle", facts, None)
        try:
            await page.wait_for_event(
                "framenavigated",
                predicate=lambda frame: frame == page.main_frame,
                timeout=max(1.0, min(1.0, left_s) * 1000),
            )
            await page.wait_for_load_state("domcontentloaded", timeout=max(1.0, left_s * 1000))
        except PlaywrightError:
            pass  # no navigation this second: the page may have changed in place
        try:
            facts = await read_facts(page)
            document = watch.latest
            judged = (
                judge(await document_of(document, requested_url, page.url), facts)
                if document is not None
                else None
            )
        except PlaywrightError:
            continue  # navigating right now: look again
        if judged is None or judged.reason is not Reason.CHALLENGE:
            waited = time.monotonic() - started
            return ChallengeWait(first.vendor, waited, True, "cleared", facts, document)
    return ChallengeWait(first.vendor, time.monotonic() - started, False, "time", facts, None)
