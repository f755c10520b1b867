"""Settling, around the browser: the quiet rule (what the recorder reports to NetworkActivity)
and the loop that looks at the page.

The page and the requests are fakes here, and time is a fake clock's: waits take no real time
and what they measure is exact. tests/browser/test_settle.py runs the real thing.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from playwright.async_api import Error as PlaywrightError

from capture.browser.recorder import Recorder
from capture.page import activity
from capture.page.activity import NetworkActivity
from capture.page.settle import TIMER_SLACK_S, Settled, until_settled
from tests.fakes import FakeClock


@dataclass(eq=False)
class FakeRequest:
    """What the recorder reads of a request that is not recorded (a data: URL)."""

    resource_type: str
    url: str = "data:,x"


def recorder_on_a_fake_clock() -> Recorder:
    """Return a recorder that records nothing, its network timed on a fake clock."""
    return Recorder(lambda exchange: None, monotonic=FakeClock())


async def finish(recorder: Recorder, request: FakeRequest) -> None:
    recorder._on_request(cast(Any, request))
    recorder._on_finished(cast(Any, request))
    for _ in range(3):  # the recorder ends the exchange in a task of its own
        await asyncio.sleep(0)


async def test_a_request_without_an_answer_keeps_the_network_busy() -> None:
    recorder = recorder_on_a_fake_clock()
    recorder._on_request(cast(Any, FakeRequest("image")))

    assert await recorder.network.wait_quiet(0.0, 0.05) is False


async def test_an_image_that_ended_needs_only_the_short_quiet() -> None:
    recorder = recorder_on_a_fake_clock()
    await finish(recorder, FakeRequest("image"))

    assert await recorder.network.wait_quiet(0.0, 1.0, after_code_s=30.0) is True


async def test_traffic_that_ended_before_load_needs_no_quiet() -> None:
    # What it led to ran before `load`, or runs before the page's next look.
    recorder = recorder_on_a_fake_clock()
    await finish(recorder, FakeRequest("image"))
    loaded_at = recorder.network.clock.now()

    assert await recorder.network.wait_quiet(30.0, 0.05, loaded_at=loaded_at) is True


async def test_traffic_that_ended_after_load_needs_the_quiet() -> None:
    recorder = recorder_on_a_fake_clock()
    loaded_at = recorder.network.clock.now()
    recorder.network.clock.advance(0.01)  # then, after load:
    await finish(recorder, FakeRequest("image"))

    assert await recorder.network.wait_quiet(30.0, 0.05, loaded_at=loaded_at) is False


async def test_a_script_that_ended_after_load_needs_the_long_quiet() -> None:
    recorder = recorder_on_a_fake_clock()
    loaded_at = recorder.network.clock.now()
    recorder.network.clock.advance(0.01)  # then, after load:
    await finish(recorder, FakeRequest("script"))

    assert (
        await recorder.network.wait_quiet(0.0, 0.05, after_code_s=30.0, loaded_at=loaded_at)
        is False
    )


async def test_a_script_that_ended_before_load_has_run_by_then() -> None:
    recorder = recorder_on_a_fake_clock()
    await finish(recorder, FakeRequest("script"))
    loaded_at = recorder.network.clock.now()

    assert (
        await recorder.network.wait_quiet(0.0, 1.0, after_code_s=30.0, loaded_at=loaded_at) is True
    )


@dataclass
class FakeResponse:
    request: FakeRequest


def headers_came(recorder: Recorder, request: FakeRequest) -> None:
    recorder._on_request(cast(Any, request))
    recorder._on_response(cast(Any, FakeResponse(request)))


async def test_a_body_still_arriving_holds_the_quiet() -> None:
    recorder = recorder_on_a_fake_clock()
    headers_came(recorder, FakeRequest("image"))

    assert await recorder.network.wait_quiet(0.0, 0.2) is False


async def test_a_body_that_never_ends_holds_the_quiet_only_a_while() -> None:
    recorder = recorder_on_a_fake_clock()
    headers_came(recorder, FakeRequest("other"))  # a beacon, server-sent events
    clock = recorder.network.clock
    started = clock.now()

    # No event comes after the headers: the wait wakes by itself when the hold ends.
    assert await recorder.network.wait_quiet(0.0, 2 * activity.BODY_HOLD_S) is True
    assert clock.now() - started == pytest.approx(activity.BODY_HOLD_S)


async def test_a_body_that_ended_holds_nothing() -> None:
    recorder = recorder_on_a_fake_clock()
    request = FakeRequest("image")
    headers_came(recorder, request)
    recorder._on_finished(cast(Any, request))
    for _ in range(3):
        await asyncio.sleep(0)

    assert await recorder.network.wait_quiet(0.0, 0.05) is True


async def test_every_network_event_counts_as_activity() -> None:
    recorder = recorder_on_a_fake_clock()
    before = recorder.network.count
    await finish(recorder, FakeRequest("image"))

    assert recorder.network.count == before + 2  # the request, then its end


@dataclass
class FakeNetwork:
    """A network that is quiet (or never); `count` moves when a look says so."""

    count: int = 0
    quiet: bool = True

    def bump(self) -> None:
        self.count += 1

    async def wait_quiet(self, quiet_s: float, timeout_s: float, **rules: float) -> bool:
        return self.quiet


class RealNetwork(FakeNetwork):
    """NetworkActivity's own quiet rule; the fake page's looks touch it as traffic would."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.activity = NetworkActivity(lambda: False, clock=clock)

    def bump(self) -> None:
        self.activity.touch()
        self.count = self.activity.count

    async def wait_quiet(self, quiet_s: float, timeout_s: float, **rules: float) -> bool:
        return await self.activity.wait_quiet(quiet_s, timeout_s, **rules)


@dataclass
class FakePage:
    """Answers each look with the next of `answers` (milliseconds pending, or a side effect)."""

    answers: Iterator[int | str]
    network: FakeNetwork
    clock: FakeClock
    asked: list[int] = field(default_factory=list)
    later: set[asyncio.Task[None]] = field(default_factory=set)

    async def _bump_after(self, seconds: float) -> None:
        await self.clock.sleep(seconds)
        self.network.bump()

    async def evaluate(self, script: str, arg: int) -> int:
        self.asked.append(arg)
        answer = next(self.answers)
        if answer == "silent":  # the page navigated away, or crashed
            raise PlaywrightError("Execution context was destroyed")
        if answer == "echo":  # the page answers at once; a request starts just after
            self.later.add(asyncio.ensure_future(self._bump_after(0.02)))
            return 0
        if answer == "traffic":  # a request started as the page was looked at
            self.network.bump()
            await self.clock.sleep(0.2)  # and the look was slow
            return 0
        return int(answer)


async def settle(
    answers: Iterable[int | str],
    *,
    limit_s: float = 5.0,
    quiet: bool = True,
    network: FakeNetwork | None = None,
    loaded_ago_s: float = 0.0,
    clock: FakeClock | None = None,
) -> Settled:
    clock = clock or FakeClock()
    network = network or FakeNetwork(quiet=quiet)
    page = FakePage(iter(answers), network, clock)
    settled = await until_settled(
        cast(Any, page),
        cast(Any, network),
        quiet_s=0.5,
        timers_s=2.0,
        loaded_at=clock.now() - loaded_ago_s,
        limit_s=limit_s,
        clock=clock,
    )
    await asyncio.gather(*page.later)
    return settled


async def test_a_page_with_nothing_pending_settles_at_the_first_look() -> None:
    assert await settle([0]) == Settled(quiet=True, timers_waited_s=0.0, looks=1)


async def test_a_pending_timer_is_slept_out_then_the_page_is_looked_at_again() -> None:
    clock = FakeClock()
    started = clock.now()
    outcome = await settle([120, 0], clock=clock)

    assert (outcome.quiet, outcome.looks) == (True, 2)
    assert clock.now() - started >= 0.12  # really slept, on the clock
    assert outcome.timers_waited_s == pytest.approx(0.12 + TIMER_SLACK_S)


async def test_traffic_during_a_look_means_another_look() -> None:
    assert await settle(["traffic", 0]) == Settled(quiet=True, timers_waited_s=0.0, looks=2)


async def test_traffic_in_the_quiet_after_a_look_means_another_look() -> None:
    # Traffic came after load, and the look answered before the passive quiet has passed:
    # the quiet is still kept, and what comes in it is looked at.
    clock = FakeClock()
    network = RealNetwork(clock)
    network.bump()
    outcome = await settle(["echo", 0], network=network, loaded_ago_s=1.0, clock=clock)

    assert outcome == Settled(quiet=True, timers_waited_s=0.0, looks=2)


async def test_timers_past_the_limit_end_the_wait_unsettled() -> None:
    outcome = await settle([10_000, 10_000], limit_s=0.1)

    assert outcome.quiet is False
    assert outcome.timers_waited_s == pytest.approx(0.1)  # the limit, not the page's 10 s


async def test_traffic_during_every_look_ends_the_wait_at_its_limit() -> None:
    # A page that keeps the network stirring while it is looked at must not hold the step.
    clock = FakeClock()
    started = clock.now()
    outcome = await settle(
        itertools.repeat("traffic"), limit_s=0.3, network=RealNetwork(clock), clock=clock
    )

    assert outcome.quiet is False
    assert clock.now() - started == pytest.approx(0.3)  # ended at the limit


async def test_a_page_that_does_not_answer_is_asked_again_then_left_unsettled() -> None:
    assert await settle(["silent", 0]) == Settled(quiet=True, timers_waited_s=0.0, looks=2)
    assert await settle(["silent"] * 5) == Settled(quiet=False, timers_waited_s=0.0, looks=3)


async def test_a_network_that_never_goes_quiet_ends_the_wait_before_any_look() -> None:
    assert await settle([], quiet=False) == Settled(quiet=False, timers_waited_s=0.0, looks=0)


async def test_timers_s_is_passed_to_the_page_in_milliseconds() -> None:
    network = FakeNetwork()
    clock = FakeClock()
    page = FakePage(iter([0]), network, clock)
    await until_settled(
        cast(Any, page),
        cast(Any, network),
        quiet_s=0.5,
        timers_s=1.5,
        loaded_at=None,
        limit_s=1,
        clock=clock,
    )

    assert page.asked == [1500]
