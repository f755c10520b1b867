"""CeleryQueue on a real redis-server: how tasks ended, and which started ones lost their lease."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.distributed.app import make_app
from capture.distributed.broker import CeleryQueue
from capture.distributed.lease import LEASE_PREFIX
from tests.redis_server import redis_server

# Celery's Redis result store (as a worker uses it) calls redis-py's deprecated setex.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[CeleryQueue]:
    """Yield the submitting side's queue on a fresh redis-server."""
    with redis_server(tmp_path) as port:
        yield CeleryQueue(make_app(f"redis://127.0.0.1:{port}/0"))


def _started(queue: CeleryQueue, task_id: str) -> None:
    """Store what a worker stores as it starts a task (task_track_started)."""
    queue.app.backend.store_result(task_id, {"pid": 1, "hostname": "w@host"}, "STARTED")


def test_a_started_task_is_an_orphan_only_while_nobody_holds_its_lease(
    queue: CeleryQueue,
) -> None:
    client = queue.app.backend.client
    for task_id in ("held", "lapsed", "done"):
        _started(queue, task_id)
    client.set(LEASE_PREFIX + "run/captures/held", "w@host:1", px=60_000)
    queue.app.backend.store_result("done", {"outcome": "captured"}, "SUCCESS")
    tasks = {name: f"run/captures/{name}" for name in ("held", "lapsed", "done", "queued")}

    assert queue.orphans(tasks) == {"lapsed"}  # "queued" has not started: no state yet
    assert set(queue.ended(list(tasks))) == {"done"}
    client.delete(LEASE_PREFIX + "run/captures/held")  # its worker died, the lease lapsed
    assert queue.orphans(tasks) == {"held", "lapsed"}


def test_orphans_are_read_in_batches(queue: CeleryQueue) -> None:
    tasks = {f"task-{n}": f"run/captures/{n}" for n in range(1200)}
    for task_id in list(tasks)[::2]:
        _started(queue, task_id)

    assert queue.orphans(tasks) == set(list(tasks)[::2])
    assert queue.orphans({}) == set()
