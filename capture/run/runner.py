"""Many captures: bounded concurrency, per-host politeness, retries, stopping, progress events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from capture import paths
from capture.errors import OutputError
from capture.models import Attempt, CaptureRequest, CaptureResult, CaptureState, Reason
from capture.output.files import clear_folder, make_folder, write_json
from capture.progress import CaptureFinished, CaptureRetrying, CaptureStarted, ProgressEvent
from capture.run import retry
from capture.run.pipeline import Renderer, Seams, capture_page
from capture.sessions.logins import SessionStore
from capture.steps import SYSTEM_CLOCK, MonotonicClock

log = logging.getLogger(__name__)

OnEvent = Callable[[ProgressEvent], None]
AfterEach = Callable[[CaptureResult], Awaitable[None]]
"""Work done on each finished capture before it counts as finished (e.g. the replay check)."""
HostTurns = Callable[[str], Awaitable[float]]
"""Takes the next turn of a URL's host shared with other processes (`host_delay` across the
workers of a broker); returns the seconds until it comes."""


def host_key(url: str) -> str:
    """Return the host and port that `host_delay` spaces out (never a user name or password)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


@dataclass(frozen=True, slots=True)
class RunPolicy:
    """How a run schedules its captures."""

    concurrency: int = 1
    retries: int = 0
    retry_backoff_s: float = 2.0
    host_delay_s: float = 0.0


class HostGate:
    """Spaces out the starts of captures on the same host by at least delay_s (on clock).

    Waiting for a host holds no concurrency slot: a capture first waits until its host is free,
    then takes a slot, then claims the host (and goes back to waiting if another claimed it).
    """

    def __init__(self, delay_s: float, clock: MonotonicClock = SYSTEM_CLOCK) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._next: dict[str, float] = {}

    def wait_s(self, url: str) -> float:
        """Return how long until a capture of url's host may start (0 when it may now)."""
        next_s = self._next.get(host_key(url))
        return 0.0 if next_s is None else max(0.0, next_s - self._clock.now())

    def hold(self, url: str, delay_s: float) -> None:
        """Keep url's host free of new captures for delay_s (the site asked to slow down)."""
        key = host_key(url)
        until = self._clock.now() + delay_s
        self._next[key] = max(self._next.get(key, until), until)

    def claim(self, url: str) -> bool:
        """Return True and mark the host busy for delay_s if it is free now, else False."""
        if self.wait_s(url) > 0:
            return False
        if self.delay_s > 0:
            self._next[host_key(url)] = self._clock.now() + self.delay_s
        return True


async def run_captures(
    requests: Sequence[CaptureRequest],
    renderer: Renderer,
    *,
    concurrency: int = 1,
    on_event: OnEvent | None = None,
    seams: Seams | None = None,
    policy: RunPolicy | None = None,
    stop: asyncio.Event | None = None,
    after_each: AfterEach | None = None,
    host_turns: HostTurns | None = None,
    sessions: SessionStore | None = None,
) -> list[CaptureResult]:
    """Capture every request and return the results of those that ran, in request order.

    At most `policy.concurrency` at once (or `concurrency`); transient failures are retried.
    Each attempt waits for its host's turn: `host_turns` when given (turns shared with other
    processes, each taken when asked), else `policy.host_delay_s` within this run. Once `stop`
    is set no new attempt starts; those in flight finish. One URL's failure never stops the
    others; an OutputError (the disk) stops the run. Captures of a site share one session
    (`sessions`, or one made for this call): its `login` runs once.
    """
    store = sessions or SessionStore(seams.clock if seams else None)
    requests = [
        request if request.sessions is not None else replace(request, sessions=store)
        for request in requests
    ]
    run = _Run(
        store,
        renderer,
        seams or Seams(),
        policy=policy or RunPolicy(concurrency=concurrency),
        emit=on_event or (lambda event: None),
        stop=stop or asyncio.Event(),
        total=len(requests),
        after_each=after_each,
        host_turns=host_turns,
    )
    results: list[CaptureResult | None] = [None] * len(requests)

    async def one(index: int, request: CaptureRequest) -> None:
        results[index] = await run.capture(index, request)

    try:
        async with asyncio.TaskGroup() as group:
            for index, request in enumerate(requests):
                group.create_task(one(index, request))
    except* Exception as failures:  # The disk failed, or a bug: say so plainly, not as a group.
        raise failures.exceptions[0] from None
    return [result for result in results if result is not None]


class _Run:
    """The shared state of one run's captures."""

    def __init__(
        self,
        sessions: SessionStore,
        renderer: Renderer,
        seams: Seams,
        *,
        policy: RunPolicy,
        emit: OnEvent,
        stop: asyncio.Event,
        total: int,
        after_each: AfterEach | None = None,
        host_turns: HostTurns | None = None,
    ) -> None:
        self.renderer = renderer
        self.seams = seams
        self.policy = policy
        self.emit = emit
        self.stop = stop
        self.total = total
        self.gate = asyncio.Semaphore(max(1, policy.concurrency))
        self.hosts = HostGate(policy.host_delay_s, seams.monotonic)
        self.after_each = after_each
        self.host_turns = host_turns if policy.host_delay_s > 0 else None
        self.expiry = sessions.expiry

    async def capture(self, index: int, request: CaptureRequest) -> CaptureResult | None:
        """Return the final result of request after its attempts, or None if stopped first."""
        earlier: list[Attempt] = []
        while True:
            outcome = await self._attempt(index, request, earlier)
            if outcome is None:
                return None
            started, result = outcome
            attempt = Attempt(
                len(earlier) + 1, started, self.seams.clock(), result.state, result.error
            )
            self.expiry.note(request, result)
            delay = self._retry_delay_s(result, attempt.number)
            retrying = delay is not None
            if retrying and self.stop.is_set():
                # Stopped: a resumed run tries it again instead of keeping a 503 or a timeout.
                clear_folder(request.folder)
                return None
            if delay is None:
                if self.after_each is not None:
                    await self.after_each(result)
                self.emit(CaptureFinished(result, index, self.total))
                return result
            if result.verdict is not None and result.verdict.reason is Reason.RATE_LIMITED:
                self.hosts.hold(request.url, delay)  # the host's other pages wait too
            self.emit(
                CaptureRetrying(
                    request.url,
                    index,
                    self.total,
                    attempt.number,
                    delay,
                    result.error or result.state.value,
                )
            )
            earlier.append(attempt)
            stopped = await self._stopped_within(delay)
            clear_folder(request.folder)
            if stopped:  # Not finished: a resumed run tries it again instead of keeping a 503.
                return None

    async def _attempt(
        self, index: int, request: CaptureRequest, earlier: list[Attempt]
    ) -> tuple[datetime, CaptureResult] | None:
        """Return when the attempt started and its result, or None when the run was stopped."""
        while True:
            refused = self._refused(index, request, earlier)  # before waiting for its host
            if refused is not None:
                return refused
            shared = self.host_turns
            wait_s = await shared(request.url) if shared else self.hosts.wait_s(request.url)
            if await self._stopped_within(wait_s):
                return None
            async with self.gate:
                if self.stop.is_set():
                    return None
                if shared is None and not self.hosts.claim(request.url):
                    continue  # Another page of the host claimed it first: wait again.
                refused = self._refused(index, request, earlier)  # its site stopped meanwhile
                if refused is not None:
                    return refused
                self.emit(CaptureStarted(request.url, index, self.total, len(earlier) + 1))
                started = self.seams.clock()
                return started, await _bounded(request, self.renderer, self.seams, earlier)

    def _refused(
        self, index: int, request: CaptureRequest, earlier: list[Attempt]
    ) -> tuple[datetime, CaptureResult] | None:
        """Return a failed result, recorded, when the run has stopped capturing the request's
        site (its session is gone: no more login walls); None when it may be captured."""
        reason = self.expiry.refused(request)
        if reason is None:
            return None
        self.emit(CaptureStarted(request.url, index, self.total, len(earlier) + 1))
        started = self.seams.clock()
        _write_failure(request, reason, self.seams, earlier, started)
        return started, CaptureResult(
            request.url, CaptureState.FAILED, request.folder, error=reason
        )

    def _retry_delay_s(self, result: CaptureResult, attempt: int) -> float | None:
        return retry.retry_delay_s(
            state=result.state,
            status=result.status,
            error=result.error,
            verdict=result.verdict,
            attempt=attempt,
            retries=self.policy.retries,
            base_s=self.policy.retry_backoff_s,
        )

    async def _stopped_within(self, delay_s: float) -> bool:
        """Wait delay_s on the run's clock, or less when the run is stopped meanwhile; return
        whether it was."""
        if delay_s <= 0 or self.stop.is_set():
            return self.stop.is_set()
        stopped = asyncio.ensure_future(self.stop.wait())
        waited = asyncio.ensure_future(self.seams.monotonic.sleep(delay_s))
        try:
            await asyncio.wait({stopped, waited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stopped, waited):
                task.cancel()
            await asyncio.gather(stopped, waited, return_exceptions=True)
        return self.stop.is_set()


async def _bounded(
    request: CaptureRequest, renderer: Renderer, seams: Seams, earlier: Sequence[Attempt]
) -> CaptureResult:
    """Return the capture's result; an unexpected error fails this URL only, with a record."""
    started = seams.clock()
    try:
        return await capture_page(request, renderer, seams, earlier=earlier)
    except OutputError:
        raise
    except Exception as exc:
        log.exception("capture crashed", extra={"url": request.url})
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        error = (
            f"Capture crashed ({type(exc).__name__}: {first_line}). "
            "This is a bug; please report it."
        )
        _write_failure(request, error, seams, earlier, started)
        return CaptureResult(
            request.url,
            CaptureState.FAILED,
            request.folder,
            error=error,
            attempts=len(earlier) + 1,
        )


def _write_failure(
    request: CaptureRequest,
    error: str,
    seams: Seams,
    earlier: Sequence[Attempt],
    started: datetime,
) -> None:
    folder = make_folder(request.folder)
    for leftover in folder.glob("*.open"):
        leftover.unlink(missing_ok=True)
    ended = seams.clock()
    this = Attempt(len(earlier) + 1, started, ended, CaptureState.FAILED, error)
    document: dict[str, Any] = {
        "format": "capture/1",
        "url": request.url,
        "final_url": None,
        "state": CaptureState.FAILED.value,
        "error": error,
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "options": request.options.to_json(),
        "attempts": [attempt.to_json() for attempt in (*earlier, this)],
        "files": [],
    }
    write_json(folder / paths.CAPTURE_JSON, document)
