"""A worker that dies mid-task: the submitter sends its task again once the capture's lease
lapses, never while a living worker holds it, and retires the run's tasks at its end.

These tests stay on the wall clock: the submitter checks for orphans from a thread of its own
(`capture.distributed.submit`, on time.monotonic), which the event loop's clock does not drive.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any

from capture.browser.recorder import ExchangeSink
from capture.models import CaptureRequest, PageCapture
from capture.progress import ProgressEvent
from tests.unit.test_distributed_submit import URLS, FakeQueue, _job, _submit

CHECK_S = 0.02
HELD_S = 0.3
CHECKS = 6


async def _die_mid_task(
    queue: FakeQueue, held: Awaitable[Any]
) -> tuple[str, dict[str, Any], float]:
    """Take the first task as a worker that dies: its lease lapses once held is done.

    Return the task's id, its payload and when its lease lapsed."""
    taken = None
    while taken is None:  # the submitter sends from a thread
        await asyncio.sleep(0.005)
        taken = queue.take()
    task_id, payload = taken
    queue.coordination.leases[payload["folder"]] = "dead-worker"
    await held
    del queue.coordination.leases[payload["folder"]]
    return task_id, payload, time.monotonic()


async def test_a_dead_workers_task_is_sent_again_once_its_lease_lapsed(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    queue, events = FakeQueue(output), list[ProgressEvent]()
    sent_at: list[float] = []
    send = queue.send

    def timed_send(payloads: Sequence[dict[str, Any]]) -> list[str]:
        sent_at.append(time.monotonic())
        return send(payloads)

    queue.send = timed_send  # type: ignore[method-assign]
    dying = asyncio.create_task(_die_mid_task(queue, asyncio.sleep(HELD_S)))
    worker = asyncio.create_task(queue.work())
    try:
        result = await _submit(_job(output), queue, events, orphan_check_s=CHECK_S)
    finally:
        worker.cancel()
    dead_id, dead_payload, lapsed_at = await dying

    assert len(queue.sent) == len(URLS) + 1
    again_id, again = queue.sent[-1]
    assert again == dead_payload  # the same payload, a new task
    assert dead_id not in queue.ends
    assert queue.ends[again_id].value == {
        "outcome": "captured",
        "key": dead_payload["folder"],
        "state": "complete",
    }
    assert sent_at[-1] >= lapsed_at  # not while the lease was held
    assert sorted(queue.renderer.rendered) == URLS  # every page once, the dead one included
    run = json.loads((result.folder / "run.json").read_text())
    assert run["counts"] == {"complete": len(URLS), "partial": 0, "failed": 0}
    assert queue.coordination.stopped == {dead_payload["submission"]}  # retired at its end


class SlowFirstPage(FakeQueue):
    """A queue whose worker renders the first URL until the submitter has looked for orphans
    CHECKS times, holding its lease meanwhile."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.checks = 0
        self.checked = threading.Event()
        render = self.renderer.render

        async def slow(request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
            if request.url == URLS[0]:
                assert await asyncio.to_thread(self.checked.wait, 10)
            return await render(request, sink)

        self.renderer.render = slow  # type: ignore[method-assign]

    def orphans(self, tasks: Mapping[str, str]) -> set[str]:
        self.count_check()
        return super().orphans(tasks)

    def count_check(self) -> None:
        """Count one look for orphans (the submitter looks from a thread)."""
        self.checks += 1
        if self.checks >= CHECKS:
            self.checked.set()


async def test_a_slow_capture_whose_worker_lives_is_never_sent_again(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    queue, events = SlowFirstPage(output), list[ProgressEvent]()
    worker = asyncio.create_task(queue.work())
    try:
        result = await _submit(_job(output), queue, events, orphan_check_s=CHECK_S)
    finally:
        worker.cancel()

    assert queue.checks >= CHECKS  # all while the page rendered
    assert len(queue.sent) == len(URLS)
    assert sorted(queue.renderer.rendered) == URLS
    assert len(result.results) == len(URLS)


async def test_a_task_seen_without_its_lease_at_one_check_only_is_not_sent_again(
    tmp_path: Path,
) -> None:
    """As when a worker has started the task and not yet taken its lease."""
    output = tmp_path / "archives"
    queue, events = SlowFirstPage(output), list[ProgressEvent]()
    flips = itertools.cycle([True, False])
    checks: list[set[str]] = []

    def every_other_check(tasks: Mapping[str, str]) -> set[str]:
        queue.count_check()
        checks.append({task_id for task_id in tasks if task_id == "task-0" and next(flips)})
        return checks[-1]

    queue.orphans = every_other_check  # type: ignore[method-assign]
    worker = asyncio.create_task(queue.work())
    try:
        await _submit(_job(output), queue, events, orphan_check_s=CHECK_S)
    finally:
        worker.cancel()

    assert checks.count({"task-0"}) >= CHECKS // 2  # seen so often, never twice in a row
    assert len(queue.sent) == len(URLS)


async def test_a_stopped_run_does_not_wait_for_a_dead_workers_task(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    queue, events = FakeQueue(output), list[ProgressEvent]()
    stopping = asyncio.to_thread(queue.cancelled.wait, 5)
    dying = asyncio.create_task(_die_mid_task(queue, stopping))  # its lease lapses after
    stop = asyncio.Event()

    async def two_then_stop() -> None:
        await queue.work(limit=2)
        stop.set()
        assert await asyncio.to_thread(queue.cancelled.wait, 5)
        await queue.work()  # the rest, and the dead one sent again, end as cancelled

    worker = asyncio.create_task(two_then_stop())
    try:
        run = _submit(_job(output), queue, events, stop=stop, orphan_check_s=CHECK_S)
        result = await asyncio.wait_for(run, timeout=30)
    finally:
        worker.cancel()
    _, dead_payload, _ = await dying

    again_id, again = queue.sent[-1]
    assert again == dead_payload
    assert queue.ends[again_id].value == {
        "outcome": "cancelled",
        "key": dead_payload["folder"],
        "state": None,
    }
    assert len(queue.renderer.rendered) == 2
    assert json.loads((result.folder / "run.json").read_text())["state"] == "interrupted"
