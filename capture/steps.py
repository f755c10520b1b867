"""Named capture steps with explicit states, timings and a shared time budget, and the
monotonic clock that policies read (budgets, step timeouts, the runner's host delays and
back-offs): a seam, so tests move time on instead of sleeping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

from capture.models import StepResult, StepState

Clock = Callable[[], datetime]
"""The wall clock that dates records and steps (tests pass a fixed one)."""


def utc_now() -> datetime:
    """Return the current time in UTC (the default wall clock)."""
    return datetime.now(UTC)


class MonotonicClock(Protocol):
    """The time policies are measured in: seconds that only go forward, and waits on them.

    Timestamps written to outputs come from another seam (`Seams.clock`, wall-clock UTC).
    """

    def now(self) -> float:
        """Return the current time in seconds (only differences mean anything)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after seconds have passed on this clock."""
        ...

    def timeout(self, seconds: float) -> AbstractAsyncContextManager[Any]:
        """Return an async context manager that raises TimeoutError out of its block once
        seconds have passed on this clock (as `asyncio.timeout` does)."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `asyncio.sleep` and `asyncio.timeout`."""

    def now(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(seconds)

    def timeout(self, seconds: float) -> AbstractAsyncContextManager[Any]:
        """Return `asyncio.timeout(seconds)`."""
        return asyncio.timeout(seconds)


SYSTEM_CLOCK = SystemClock()
"""The clock every policy uses unless its caller injects another (a test's fake)."""


class Budget:
    """A whole-page time budget that steps draw on."""

    def __init__(self, total_s: float, clock: MonotonicClock = SYSTEM_CLOCK) -> None:
        self.total_s = total_s
        self._clock = clock
        self._deadline = clock.now() + total_s

    def remaining_s(self) -> float:
        """Return the seconds left (never negative)."""
        return max(0.0, self._deadline - self._clock.now())

    def allow(self, wanted_s: float, *, reserve_s: float = 0.0) -> float:
        """Return the seconds a step may take: wanted_s, within what is left after reserve_s."""
        return max(0.0, min(wanted_s, self.remaining_s() - reserve_s))


class StepLog:
    """Records each step's outcome; optional steps that fail leave the capture partial."""

    def __init__(self, clock: MonotonicClock = SYSTEM_CLOCK) -> None:
        self.results: list[StepResult] = []
        self.clock = clock
        """Times each step and bounds it by its timeout."""

    def step(self, name: str, *, timeout_s: float, required: bool = False) -> Step:
        """Return an async context manager that times, bounds and records one step.

        A failure of an optional step is recorded and swallowed; a required step re-raises.
        """
        return Step(self, name, timeout_s, required)

    def skip(self, name: str, reason: str) -> None:
        """Record a step that did not run."""
        self.results.append(StepResult(name, StepState.SKIPPED, 0.0, error=reason))

    def add(self, result: StepResult) -> None:
        """Record a step result made elsewhere."""
        self.results.append(result)

    def rename(self, old: str, new: str) -> None:
        """Give the last step named old the name new (a step whose result took another role)."""
        for index in range(len(self.results) - 1, -1, -1):
            if self.results[index].name == old:
                self.results[index] = replace(self.results[index], name=new)
                return


class Step:
    """One running step; `detail` is free-form facts recorded with it."""

    def __init__(self, log: StepLog, name: str, timeout_s: float, required: bool) -> None:
        self.log = log
        self.name = name
        self.timeout_s = timeout_s
        self.required = required
        self.detail: dict[str, Any] = {}
        self.failure: str | None = None
        self._timeout = log.clock.timeout(timeout_s)
        self._start = 0.0

    def fail(self, reason: str) -> None:
        """Mark the step failed without raising (the capture goes on, partial)."""
        self.failure = reason

    async def __aenter__(self) -> Step:
        self._start = self.log.clock.now()
        await self._timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        error: BaseException | None = exc
        try:
            await self._timeout.__aexit__(exc_type, exc, tb)
        except TimeoutError as timeout:
            error = timeout
        duration = self.log.clock.now() - self._start
        if error is None:
            state = StepState.FAILED if self.failure else StepState.OK
            self.log.add(StepResult(self.name, state, duration, self.failure, self.detail))
            return False
        if not isinstance(error, Exception):
            return False  # Cancellation and interrupts pass through untouched.
        reason = describe(error, self.timeout_s)
        self.log.add(StepResult(self.name, StepState.FAILED, duration, reason, self.detail))
        if self.required:
            if error is not exc:
                raise error
            return False
        return True


def describe(error: BaseException, timeout_s: float) -> str:
    """Return a one-line reason for a step failure."""
    if isinstance(error, TimeoutError):
        return f"timed out after {timeout_s:.1f} s"
    text = str(error).strip().splitlines()
    first = text[0] if text else type(error).__name__
    return first[:300]
