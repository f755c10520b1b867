"""`capture run --broker`: plan a job, send one task per URL, watch them end, write the run.

The run folder is the same as a local run's: the workers write the capture folders under the
shared archive root; this side writes run.json, results.jsonl, index.html and the run WACZ, and
seals each capture as its task ends (`capture.distributed.sealing`: the key stays here).
Resume works as locally: only captures without a finished folder are sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from capture.config.job import Job
from capture.distributed.broker import TaskEnd, TaskQueue
from capture.distributed.payload import task_payload
from capture.distributed.redact import redact_url
from capture.distributed.sealing import Sealer, Unsealed
from capture.models import CaptureRequest
from capture.pipeline import Seams
from capture.plan import SiteFor
from capture.progress import CaptureFinished, RunStarted
from capture.runfolder import RunFolder
from capture.runner import OnEvent
from capture.runs import (
    RunResult,
    close_run,
    collect_results,
    finish_run,
    open_run,
    prepare_job,
)

log = logging.getLogger(__name__)

SEND_BATCH = 500
POLL_S = 0.5


@dataclass(frozen=True, slots=True)
class _Sent:
    index: int
    request: CaptureRequest


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
) -> RunResult:
    """Run a job through the queue into `<output>/<job name>/<run id>/`, as `run_job` does.

    `resume` is as for `capture.api.run_job`. Stopping (`stop` set) cancels the tasks not yet
    started; those running finish. The broker URL is recorded in run.json without its password.
    """
    seams = seams or Seams()
    stop = stop or asyncio.Event()
    emit = on_event or (lambda event: None)
    folder, requests, settings = prepare_job(
        job, urls, resume=resume, site_for=site_for, seams=seams
    )
    policy = settings.policy
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
            watch = _Watch(queue, folder, emit, len(requests), sealer)
            index_of = {request.url: index for index, request in enumerate(requests)}
            for start in range(0, len(todo), SEND_BATCH):
                if stop.is_set():
                    break
                batch = todo[start : start + SEND_BATCH]
                payloads = [
                    task_payload(
                        r, job.output, policy, submission, sealing=seams.sealing, qa=settings.qa
                    )
                    for r in batch
                ]
                ids = await asyncio.to_thread(queue.send, payloads)
                watch.pending.update(
                    (task_id, _Sent(index_of[r.url], r))
                    for task_id, r in zip(ids, batch, strict=True)
                )
            await watch.until_ended(stop, submission, poll_s)
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
        self, queue: TaskQueue, folder: RunFolder, emit: OnEvent, total: int, sealer: Sealer
    ) -> None:
        self.queue = queue
        self.folder = folder
        self.emit = emit
        self.total = total
        self.sealer = sealer
        self.pending: dict[str, _Sent] = {}

    async def until_ended(self, stop: asyncio.Event, submission: str, poll_s: float) -> None:
        """Return when every task sent has ended (cancelled ones end at once)."""
        cancelled = False
        while self.pending:
            if stop.is_set() and not cancelled:
                await asyncio.to_thread(self.queue.cancel, submission)
                cancelled = True
            ends = await asyncio.to_thread(self.queue.ended, list(self.pending))
            for task_id, end in ends.items():
                self._ended(self.pending.pop(task_id), end)
            if self.pending:
                await _pause(stop, poll_s, cancelled)

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


async def _pause(stop: asyncio.Event, poll_s: float, cancelled: bool) -> None:
    if cancelled:  # stop stays set: waiting on it would not wait
        await asyncio.sleep(poll_s)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=poll_s)
