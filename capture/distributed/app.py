"""The Celery app, built from a broker URL at run time (nothing is read at import time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from capture.distributed.tasks import register
from capture.distributed.worker import WorkerSettings

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped]

QUEUE = "capture"
VISIBILITY_TIMEOUT_S = 600.0
"""After this long unacknowledged, a task taken by a worker that died goes back to the queue: the
last resort, for when no `capture run --broker` watches it (that one sends a dead worker's
started task again as soon as its lease lapses)."""
RESULT_TTL_S = 7 * 24 * 3600


def make_app(
    broker_url: str,
    *,
    worker: WorkerSettings | None = None,
    visibility_timeout_s: float = VISIBILITY_TIMEOUT_S,
) -> Celery:
    """Return a Celery app on broker_url (Redis as broker and result store) with the task.

    `worker` is given in `capture worker` only. The visibility timeout decides how soon the
    tasks of a killed worker are delivered again; a capture that outlives it is safe (its lease
    makes the second delivery wait), only wasteful.
    """
    from celery import Celery

    app = Celery("capture", broker=broker_url, backend=broker_url)
    restore_every_s = max(1.0, min(10.0, visibility_timeout_s / 4))
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        result_expires=RESULT_TTL_S,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout_s,
            "unacked_restore_interval": restore_every_s,
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": visibility_timeout_s},
    )
    register(app, broker_url, worker)
    return app
