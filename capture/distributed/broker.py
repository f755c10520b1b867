"""The submitting side's seam to the queue: send tasks, read how they ended, cancel the rest,
and find the started tasks whose worker is gone (their capture's lease lapsed)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from capture.distributed.lease import CANCELLED_PREFIX, CANCELLED_TTL_S, LEASE_PREFIX
from capture.distributed.tasks import TASK_NAME

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped]

READ_BATCH = 500
ENDED = frozenset({"SUCCESS", "FAILURE", "REVOKED"})
STARTED = "STARTED"
"""Stored by the worker as it starts a task (the app's `task_track_started`)."""


@dataclass(frozen=True, slots=True)
class TaskEnd:
    """How one task ended: its outcome data on success, else the error's text."""

    status: str
    value: dict[str, Any] | None = None
    error: str | None = None


class TaskQueue(Protocol):
    """The queue as the submitter sees it (Celery on Redis; a fake in unit tests)."""

    def send(self, payloads: Sequence[dict[str, Any]]) -> list[str]:
        """Queue one task per payload; return their ids in the same order."""
        ...

    def ended(self, task_ids: Sequence[str]) -> dict[str, TaskEnd]:
        """Return how each of the tasks that have ended ended (the others are left out)."""
        ...

    def cancel(self, submission: str) -> None:
        """Stop the submission's tasks that have not started (those running finish)."""
        ...

    def orphans(self, tasks: Mapping[str, str]) -> set[str]:
        """Return the ids among tasks (task id: its capture's key) that a worker started and
        whose capture's lease nobody holds: their worker may have died."""
        ...


class CeleryQueue:
    """TaskQueue over a Celery app whose broker and result store are Redis."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def send(self, payloads: Sequence[dict[str, Any]]) -> list[str]:
        """Queue one task per payload over one connection; return their ids."""
        ids = []
        with self.app.producer_or_acquire() as producer:
            for payload in payloads:
                result = self.app.send_task(TASK_NAME, args=[payload], producer=producer)
                ids.append(str(result.id))
        return ids

    def ended(self, task_ids: Sequence[str]) -> dict[str, TaskEnd]:
        """Return the ends of the tasks that ended, read in batches from the result store."""
        ends: dict[str, TaskEnd] = {}
        for task_id, meta in self._metas(task_ids):
            status = str(meta.get("status"))
            if status not in ENDED:
                continue
            result = meta.get("result")
            if status == "SUCCESS" and isinstance(result, dict):
                ends[task_id] = TaskEnd(status, value=result)
            else:
                ends[task_id] = TaskEnd(status, error=f"{type(result).__name__}: {result}")
        return ends

    def orphans(self, tasks: Mapping[str, str]) -> set[str]:
        """Return the started tasks whose lease is not in Redis (expired, or never taken)."""
        metas = self._metas(list(tasks))
        started = [task_id for task_id, meta in metas if meta.get("status") == STARTED]
        client = self.app.backend.client
        found: set[str] = set()
        for start in range(0, len(started), READ_BATCH):
            batch = started[start : start + READ_BATCH]
            holders = client.mget([LEASE_PREFIX + tasks[task_id] for task_id in batch])
            found.update(
                task_id for task_id, holder in zip(batch, holders, strict=True) if not holder
            )
        return found

    def _metas(self, task_ids: Sequence[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield each task's state in the result store (tasks without one are left out)."""
        backend = self.app.backend
        for start in range(0, len(task_ids), READ_BATCH):
            batch = task_ids[start : start + READ_BATCH]
            values = backend.mget([backend.get_key_for_task(task_id) for task_id in batch])
            for task_id, raw in zip(batch, values, strict=True):
                if raw is not None:
                    yield task_id, backend.decode_result(raw)

    def cancel(self, submission: str) -> None:
        """Mark the submission cancelled: its tasks that start from now on do nothing."""
        client = self.app.backend.client
        client.set(CANCELLED_PREFIX + submission, 1, ex=CANCELLED_TTL_S)
