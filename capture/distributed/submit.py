"""`capture run --broker`: plan a job, send one task per URL, watch them end, write the run.

The run folder is the same as a local run's: the workers write the capture folders under the
shared archive root; this side writes run.json, results.jsonl, index.html and the run WACZ, and
seals each capture as its task ends (`capture.distributed.sealing`: the key stays here).
Resume works as locally: only captures without a finished folder are sent again.

A worker killed mid-capture (even by kill -9) leaves its task started and unacknowledged; the
broker would deliver it again only after its visibility timeout (10 minutes). The capture's
lease lapses much sooner (`capture worker --lease-timeout`, 30 s), so this side looks every few
seconds for started tasks whose lease nobody holds and sends each again once it has seen it so
twice in a row. The lease, not this side, decides who captures: a living capture renews its
lease and is never sent again, and a folder already finished is skipped by whichever delivery
comes second.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from capture.config.job import Job
from capture.distributed.broker import TaskEnd, TaskQueue
from capture.distributed.payload import task_payload
from capture.distributed.redact import redact_url
from capture.distributed.sealing import Sealer, Unsealed
from capture.models import CaptureRequest
from capture.output.runfolder import RunFolder
from capture.plan import SiteFor
from capture.progress import CaptureFinished, RunStarted
from capture.run.lifecycle import (
    RunResult,
    close_run,
    collect_results,
    finish_run,
    open_run,
    prepare_job,
)
from capture.run.pipeline import Seams
from capture.run.runner import OnEvent

log = logging.getLogger(__name__)

SEND_BATCH = 500
POLL_S = 0.5
ORPHAN_CHECK_S = 5.0
"""How often started tasks are checked for a lapsed lease: one found so at two checks in a row
is sent again (the second check leaves a worker time to take the lease of a task it starts)."""


@dataclass(frozen=True, slots=True)
class _Sent:
    index: int
    request: CaptureRequest
    key: str
    """The capture's name across machines (its folder under the archive root): its lease's."""


async def submit_job(
    job: Job,
    urls: Sequence[str],
    *,
    queue: TaskQueue,
    broker_url: str,
    resume: bool | Any = False,
    site_for: SiteFor | None = None,
    on_event: OnEvent | None = None,
    stop: asyncio.Event | None = None,
    seams: Seams | None = None,
    poll_s: float = POLL_S,
    orphan_check_s: float = ORPHAN_CHECK_S,
) -> RunResult:
    """Run a job through the queue into `<output>/<job name>/<run id>/`, as `run_job` does.

    `resume` is as for `capture.api.run_job`. Stopping (`stop` set) cancels the tasks not yet
    started; those running finish. A task whose worker died is sent again once its capture's
    lease lapses. The broker URL is recorded in run.json without its password.
    """
    seams = seams or Seams()
    stop = stop or asyncio.Event()
    emit = on_event or (lambda event: None)
    folder, requests, settings = prepare_job(
        job, urls, resume=resume, site_for=site_for, seams=seams
    )
    with folder.locked():
        submission = uuid.uuid4().hex
        queue_info = {"broker": redact_url(broker_url), "submission": submission}
        run_info, todo = open_run(
            folder, requests, settings, seams, clear_unfinished=False, extra={"queue": queue_info}
        )
        emit(RunStarted(str(folder.path), len(requests), len(requests) - len(todo)))
        sealer = Sealer(seams.sealing, seams.clock)
        unsealed: tuple[Unsealed, ...] = ()
        try:
            payload_of = functools.partial(
                task_payload,
                root=job.output,
                policy=settings.policy,
                submission=submission,
                sealing=seams.sealing,
                qa=settings.qa,
            )
            watch = _Watch(queue, folder, emit, requests, sealer=sealer, payload_of=payload_of)
            await watch.send_all(todo, stop)
            await watch.until_ended(stop, submission, poll_s, orphan_check_s)
            await _retire(queue, submission)
        finally:
            # Every finished folder: also those the run this one resumes left unsealed.
            unsealed = await sealer.finish(request.folder for request in requests)
            if unsealed:
                run_info["unsealed"] = [item.to_json(folder.path) for item in unsealed]
            done, results = close_run(folder, requests, run_info, seams)
        result = finish_run(
            folder, requests, results, done=done, settings=settings, seams=seams, emit=emit
        )
        return replace(result, unsealed=tuple(item.message() for item in unsealed))


class _Watch:
    """The tasks sent and not yet ended; reports each end as a CaptureFinished event."""

    def __init__(
        self,
        queue: TaskQueue,
        folder: RunFolder,
        emit: OnEvent,
        requests: Sequence[CaptureRequest],
        *,
        sealer: Sealer,
        payload_of: Callable[[CaptureRequest], dict[str, Any]],
    ) -> None:
        self.queue = queue
        self.folder = folder
        self.emit = emit
        self.total = len(requests)
        self.index_of = {request.url: index for index, request in enumerate(requests)}
        self.sealer = sealer
        self.payload_of = payload_of
        """The task payload of a request (made again to send it again: payloads are not kept)."""
        self.pending: dict[str, _Sent] = {}
        self.suspects: set[str] = set()
        """Tasks found started without a lease at the last check."""

    async def send_all(self, requests: Sequence[CaptureRequest], stop: asyncio.Event) -> None:
        """Send the requests in batches of SEND_BATCH, until all are sent or stop is set."""
        for start in range(0, len(requests), SEND_BATCH):
            if stop.is_set():
                return
            await self.send(requests[start : start + SEND_BATCH])

    async def send(self, requests: Sequence[CaptureRequest]) -> None:
        """Send one task per request and watch them."""
        payloads = [self.payload_of(request) for request in requests]
        ids = await asyncio.to_thread(self.queue.send, payloads)
        for task_id, request, payload in zip(ids, requests, payloads, strict=True):
            self.pending[task_id] = _Sent(self.index_of[request.url], request, payload["folder"])

    async def until_ended(
        self, stop: asyncio.Event, submission: str, poll_s: float, orphan_check_s: float
    ) -> None:
        """Return when every task sent has ended (cancelled ones end at once)."""
        cancelled = False
        next_check = time.monotonic() + orphan_check_s
        while self.pending:
            if stop.is_set() and not cancelled:
                await asyncio.to_thread(self.queue.cancel, submission)
                cancelled = True
            ends = await asyncio.to_thread(self.queue.ended, list(self.pending))
            for task_id, end in ends.items():
                self._ended(self.pending.pop(task_id), end)
            if self.pending and time.monotonic() >= next_check:
                # Also once stopped: a dead worker's task sent again ends as cancelled at once.
                await self._send_orphans_again()
                next_check = time.monotonic() + orphan_check_s
            if self.pending:
                await _pause(stop, poll_s, cancelled)

    async def _send_orphans_again(self) -> None:
        """Send again the tasks found started without a lease at this check and the last."""
        keys = {task_id: sent.key for task_id, sent in self.pending.items()}
        found = await asyncio.to_thread(self.queue.orphans, keys)
        again = sorted(found & self.suspects)
        self.suspects = found - set(again)
        if not again:
            return
        payloads = [self.payload_of(self.pending[task_id].request) for task_id in again]
        ids = await asyncio.to_thread(self.queue.send, payloads)
        for old, new in zip(again, ids, strict=True):
            sent = self.pending.pop(old)
            self.pending[new] = sent
            log.warning(
                "a capture's worker is gone (its lease lapsed): its task is sent again",
                extra={"url": sent.request.url, "task": old, "new_task": new},
            )

    def _ended(self, sent: _Sent, end: TaskEnd) -> None:
        outcome = (end.value or {}).get("outcome")
        if outcome == "cancelled":
            return
        rows, results = collect_results(self.folder, [sent.request])
        if not results:
            log.warning(
                "a capture task ended without a finished folder",
                extra={"url": sent.request.url, "status": end.status, "error": end.error},
            )
            return
        self.sealer.seal(sent.request.folder)
        self.folder.append_result(rows[0])
        self.emit(CaptureFinished(results[0], sent.index, self.total))


async def _retire(queue: TaskQueue, submission: str) -> None:
    """Cancel a submission whose tasks all ended: a task the broker delivers again later (a dead
    worker's, restored after its visibility timeout though it was sent again) then does nothing."""
    try:
        await asyncio.to_thread(queue.cancel, submission)
    except Exception as exc:  # the run is done; a late delivery still meets the lease and folder
        log.warning("could not retire the run's tasks", extra={"error": str(exc)})


async def _pause(stop: asyncio.Event, poll_s: float, cancelled: bool) -> None:
    if cancelled:  # stop stays set: waiting on it would not wait
        await asyncio.sleep(poll_s)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=poll_s)
