"""Named steps: states, timings, timeouts, required re-raise, skips, and cancellation.

Timings and timeouts run on a fake clock: a 5 s timeout takes no 5 s, and durations are exact.
"""

from __future__ import annotations

import asyncio

import pytest

from capture.models import StepResult, StepState
from capture.steps import Budget, StepLog, describe
from tests.fakes import FakeClock


class Boom(Exception):
    """A failure raised inside a step."""


async def test_a_step_that_finishes_is_ok_with_its_detail() -> None:
    clock = FakeClock()
    log = StepLog(clock)
    async with log.step("dom", timeout_s=5) as step:
        step.detail["chars"] = 42
        await clock.sleep(1.5)  # the step's work

    (result,) = log.results
    assert (result.name, result.state, result.error) == ("dom", StepState.OK, None)
    assert result.detail == {"chars": 42}
    assert result.duration_s == pytest.approx(1.5)  # timed on the clock, within its 5 s


async def test_an_optional_step_that_raises_is_recorded_failed_and_the_capture_goes_on() -> None:
    log = StepLog()
    step = log.step("scroll", timeout_s=5)
    await step.__aenter__()
    try:
        raise Boom("page went away\nsecond line is dropped")
    except Boom as exc:
        swallowed = await step.__aexit__(type(exc), exc, exc.__traceback__)

    assert swallowed is True  # the exception does not reach the capture: it goes on
    assert log.results[0].state is StepState.FAILED
    assert log.results[0].error == "page went away"


async def test_an_optional_step_that_times_out_is_recorded_as_a_timeout() -> None:
    log = StepLog(FakeClock())
    never = asyncio.Event()
    async with log.step("settle", timeout_s=15):
        await never.wait()

    (result,) = log.results
    assert result.state is StepState.FAILED
    assert result.error == "timed out after 15.0 s"
    assert result.duration_s == pytest.approx(15)


async def test_a_required_step_that_raises_re_raises_after_recording() -> None:
    log = StepLog()
    with pytest.raises(Boom, match="refused"):
        async with log.step("navigate", timeout_s=5, required=True):
            raise Boom("refused")

    assert log.results[0].state is StepState.FAILED
    assert log.results[0].error == "refused"


async def test_a_required_step_that_times_out_raises_timeout_error() -> None:
    log = StepLog(FakeClock())
    never = asyncio.Event()
    with pytest.raises(TimeoutError):
        async with log.step("navigate", timeout_s=30, required=True):
            await never.wait()

    assert log.results[0].error == "timed out after 30.0 s"


async def test_a_step_that_ends_in_time_is_not_timed_out_later() -> None:
    clock = FakeClock()
    log = StepLog(clock)
    async with log.step("dom", timeout_s=2):
        await clock.sleep(1.9)
    await clock.sleep(10)  # long past the step's timeout: nothing fires any more

    assert [(r.state, r.duration_s) for r in log.results] == [(StepState.OK, pytest.approx(1.9))]


async def test_fail_marks_the_step_failed_without_raising() -> None:
    log = StepLog()
    async with log.step("screenshot", timeout_s=5) as step:
        step.detail["tiles"] = 3
        step.fail("page is 200000 px tall")

    assert log.results == [
        StepResult(
            "screenshot",
            StepState.FAILED,
            log.results[0].duration_s,
            "page is 200000 px tall",
            {"tiles": 3},
        )
    ]


def test_skip_records_a_skipped_step_with_the_reason() -> None:
    log = StepLog()
    log.skip("scroll", "disabled by options")
    assert log.results == [StepResult("scroll", StepState.SKIPPED, 0.0, "disabled by options")]


async def test_cancellation_passes_through_untouched() -> None:
    log = StepLog()
    entered = asyncio.Event()
    never = asyncio.Event()

    async def body() -> None:
        async with log.step("settle", timeout_s=30):
            entered.set()
            await never.wait()

    task = asyncio.create_task(body())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log.results == []


async def test_steps_are_recorded_in_the_order_they_ran() -> None:
    log = StepLog()
    async with log.step("navigate", timeout_s=1, required=True):
        pass
    log.skip("scroll", "off")
    async with log.step("dom", timeout_s=1):
        raise Boom("x")
    assert [(r.name, r.state) for r in log.results] == [
        ("navigate", StepState.OK),
        ("scroll", StepState.SKIPPED),
        ("dom", StepState.FAILED),
    ]


def test_budget_allows_what_is_wanted_within_what_is_left() -> None:
    clock = FakeClock()
    budget = Budget(100, clock)
    assert budget.allow(10) == 10
    assert budget.allow(1000, reserve_s=10) == 90
    assert budget.allow(10, reserve_s=1000) == 0
    clock.advance(70)
    assert budget.remaining_s() == 30
    assert budget.allow(25, reserve_s=10) == 20
    clock.advance(31)
    assert budget.remaining_s() == 0  # spent: never negative
    assert Budget(0, clock).remaining_s() == 0


def test_describe_names_the_exception_when_it_has_no_message() -> None:
    assert describe(Boom(), 5) == "Boom"
    assert describe(Boom("x" * 500), 5) == "x" * 300
    assert describe(TimeoutError(), 2.5) == "timed out after 2.5 s"


def test_rename_gives_the_last_step_of_a_name_its_new_role() -> None:
    log = StepLog()
    log.skip("shot", "first")
    log.skip("shot", "second")
    log.rename("shot", "screenshot")
    assert [(r.name, r.error) for r in log.results] == [("shot", "first"), ("screenshot", "second")]
