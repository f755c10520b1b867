"""The fakes of the seams: a `Renderer` that returns canned page captures, and a clock.

`FakeRenderer` never starts a browser. For each request it feeds canned `Exchange` values to the
pipeline's sink, yields to the event loop (so concurrent renders really overlap), and returns a
canned `PageCapture`, or raises the canned exception. It records which URLs it rendered and the
most renders that were in flight at once, so runner tests can check the concurrency bound.

`FakeClock` is the `MonotonicClock` of policies (host delays, back-offs, budgets, step timeouts)
in virtual time: a test of a 5 s delay takes no 5 s, and what it measures is exact.
"""

from __future__ import annotations

import asyncio
import heapq
import io
import itertools
import math
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from PIL import Image

from capture.browser.recorder import ExchangeSink
from capture.exchanges import Exchange, HttpRequest, HttpResponse
from capture.models import (
    BrowserInfo,
    CaptureRequest,
    PageCapture,
    Screenshot,
    StepResult,
    StepState,
    TrafficSummary,
)
from capture.options import Viewport
from capture.output.provenance import Machine

FIXED_TIME = datetime(2026, 11, 27, 6, 45, 0, 123456, tzinfo=UTC)
"""The moment every fake capture starts."""

FAKE_BROWSER = BrowserInfo(
    executable="/usr/lib/chromium/chromium",
    version="140.0.0.0",
    source="system",
    playwright_version="1.65.2",
    user_agent="Mozilla/5.0 (X11; Linux x86_64) FakeChrome/140.0.0.0",
)

FAKE_MACHINE = Machine(hostname="test-host", operator="tester", os="Linux-test", python="3.11.0")

ARTICLE_TITLE = "Harbour Council Approves New Sea Wall"

ARTICLE_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{ARTICLE_TITLE}</title></head>
<body><header><nav><a href="/">Home</a> <a href="/news/">News</a></nav></header>
<main><article><h1>{ARTICLE_TITLE}</h1>
<p>The harbour council voted on Tuesday evening to build a new sea wall along the northern quay,
ending a debate that had run for almost three years in the small fishing town.</p>
<p>Engineers told the meeting that the existing wall, built in 1911, had been breached twice in
the past decade and could not withstand another winter of storms like the last one.</p>
<p>Work is expected to begin in the spring and to take eighteen months, during which the quay
will stay open to boats but closed to cars and lorries for most of the working day.</p>
</article></main><footer>Copyright The Harbour Gazette</footer></body></html>
"""


def fixed_clock(
    start: datetime = FIXED_TIME, step: timedelta | None = None
) -> Callable[[], datetime]:
    """Return a clock that starts at `start` and advances by `step` (default: not at all)."""
    ticks = itertools.count()
    delta = step or timedelta(0)
    return lambda: start + next(ticks) * delta


def counting_ids(prefix: str = "00000000-0000-4000-8000") -> Callable[[], str]:
    """Return a record-id source giving `<urn:uuid:...-000000000001>`, then ...002, and so on."""
    numbers: Iterator[int] = itertools.count(1)
    return lambda: f"<urn:uuid:{prefix}-{next(numbers):012d}>"


def png(width: int, height: int, colour: str = "#3366aa") -> bytes:
    """Return a PNG of one colour, with a white band across the top so crops differ."""
    image = Image.new("RGB", (width, height), colour)
    image.paste(Image.new("RGB", (width, min(height, 20)), "white"), (0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def exchange(
    url: str,
    body: bytes = b"<html>hi</html>",
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    at: datetime = FIXED_TIME,
) -> Exchange:
    """Return one GET exchange of url answered with body."""
    return Exchange(
        request=HttpRequest("GET", url, (("User-Agent", FAKE_BROWSER.user_agent),)),
        response=HttpResponse(
            status=status,
            reason="OK" if status == 200 else "Not Found",
            headers=(("Content-Type", content_type), ("Content-Length", str(len(body)))),
            body=body,
            remote_ip="127.0.0.1",
        ),
        started_at=at,
        resource_type="document",
    )


def complete_page(request: CaptureRequest, *, html: str = ARTICLE_HTML) -> PageCapture:
    """Return a complete capture of request.url: a screenshot, the DOM and three OK steps."""
    viewport = request.options.viewport
    return PageCapture(
        url=request.url,
        final_url=request.url,
        started_at=FIXED_TIME,
        ended_at=FIXED_TIME + timedelta(seconds=1.5),
        browser=FAKE_BROWSER,
        viewport=viewport,
        steps=(
            StepResult("navigate", StepState.OK, 0.5, detail={"status": 200}),
            StepResult("settle", StepState.OK, 0.25),
            StepResult("screenshot", StepState.OK, 0.125),
        ),
        redirect_chain=(request.url,),
        status=200,
        content_type="text/html; charset=utf-8",
        remote_ip="127.0.0.1",
        dom_html=html,
        screenshot=Screenshot(
            png=png(viewport.width, viewport.height * 2),
            width_px=viewport.width,
            height_px=viewport.height * 2,
            page_height_px=viewport.height * 2,
        ),
        traffic=TrafficSummary(exchanges=1, bytes=len(html.encode())),
    )


def partial_page(request: CaptureRequest) -> PageCapture:
    """Return a capture whose optional screenshot step failed: state partial, no screenshot."""
    page = complete_page(request)
    steps = (
        *page.steps[:2],
        StepResult("screenshot", StepState.FAILED, 5.0, error="timed out after 5.0 s"),
    )
    return replace(page, steps=steps, screenshot=None)


def failed_page(request: CaptureRequest) -> PageCapture:
    """Return a capture whose navigation failed: no final URL, no DOM, an error."""
    return PageCapture(
        url=request.url,
        final_url=None,
        started_at=FIXED_TIME,
        ended_at=FIXED_TIME + timedelta(seconds=3),
        browser=FAKE_BROWSER,
        viewport=request.options.viewport,
        steps=(StepResult("navigate", StepState.FAILED, 3.0, error="net::ERR_CONNECTION_REFUSED"),),
        error=f"Could not load {request.url} (net::ERR_CONNECTION_REFUSED).",
    )


PageMaker = Callable[[CaptureRequest], PageCapture]
Outcome = PageMaker | BaseException


@dataclass
class FakeBrowser:
    """Stands in for a Playwright Browser: connected until `crash()`."""

    connected: bool = True

    def is_connected(self) -> bool:
        """Return whether the browser still runs."""
        return self.connected

    def crash(self) -> None:
        """Make the browser gone, as a crashed Chromium is."""
        self.connected = False


@dataclass
class FakeRenderer:
    """A `Renderer` with canned outcomes per URL; complete pages for every other URL.

    `outcomes` maps a URL to a page maker (`partial_page`, `failed_page`...) or to an exception
    that render raises. `exchanges` maps a URL to the exchanges fed to the sink before render
    returns. `yields` maps a URL to how many times render hands control back to the event loop
    before returning (default `default_yields`): more yields finish later.
    """

    outcomes: Mapping[str, Outcome] = field(default_factory=dict)
    exchanges: Mapping[str, Sequence[Exchange]] = field(default_factory=dict)
    yields: Mapping[str, int] = field(default_factory=dict)
    default_yields: int = 3
    browser: FakeBrowser = field(default_factory=FakeBrowser)
    info: BrowserInfo = FAKE_BROWSER
    rendered: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    active: int = 0
    max_active: int = 0

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return the canned capture of request.url after feeding its exchanges to sink."""
        self.rendered.append(request.url)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            for item in self.exchanges.get(request.url, ()):
                sink(item)
            for _ in range(self.yields.get(request.url, self.default_yields)):
                await asyncio.sleep(0)  # Hand over to the loop so other renders run meanwhile.
            outcome = self.outcomes.get(request.url, complete_page)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome(request)
        finally:
            self.active -= 1
            self.finished.append(request.url)


def small_viewport() -> Viewport:
    """Return a small viewport so fake screenshots cost little to crop and thumbnail."""
    return Viewport(320, 240)


class FakeClock:
    """A `MonotonicClock` in virtual time, that moves on by itself when everything waits.

    `sleep` parks its caller until the clock reaches its deadline. Once any task sleeps, a
    driver lets the event loop run `IDLE_ROUNDS` rounds (every runnable task goes on until it
    waits), then moves the clock to the earliest deadline and wakes whoever is due. Work done
    in threads (a capture's files) takes no virtual time unless something is sleeping then, as
    on a fast machine. `advance` moves it by hand.
    """

    IDLE_ROUNDS = 50

    def __init__(self, start_s: float = 1000.0) -> None:
        self.now_s = start_s
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> float:
        """Return the virtual time."""
        return self.now_s

    async def sleep(self, seconds: float) -> None:
        """Return once the clock has moved on by seconds (at once, after a yield, for <= 0)."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Never due now: a wait of a hair's breadth still moves the clock on (as a real clock
        # does), or a loop that waits out the rest of a quiet would never see it end.
        deadline = max(self.now_s + seconds, math.nextafter(self.now_s, math.inf))
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.ensure_future(self._drive())
        await future

    @asynccontextmanager
    async def timeout(self, seconds: float) -> AsyncIterator[None]:
        """Raise TimeoutError out of the block once seconds have passed on this clock."""
        async with asyncio.timeout(None) as bound:

            async def expire() -> None:
                await self.sleep(seconds)
                bound.reschedule(asyncio.get_running_loop().time())

            watcher = asyncio.ensure_future(expire())
            try:
                yield
            finally:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)

    def advance(self, seconds: float) -> None:
        """Move the clock on by seconds and wake the sleepers now due."""
        self.now_s += seconds
        self._wake_due()

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self.now_s:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def _drive(self) -> None:
        while True:
            for _ in range(self.IDLE_ROUNDS):
                await asyncio.sleep(0)
            self._sleepers = [entry for entry in self._sleepers if not entry[2].done()]
            heapq.heapify(self._sleepers)
            if not self._sleepers:
                return
            self.now_s = max(self.now_s, self._sleepers[0][0])
            self._wake_due()
