"""The capture task, and the state each worker process keeps between tasks.

Celery runs tasks synchronously in its pool processes. Each process starts, on its first task,
one event loop and one browser that serve every later task (restarted after N captures or
when the browser dies), so a task costs a browser context, not a browser launch.

Delivery guarantees come from the task options: acknowledged late (after the capture folder is
complete), rejected back to the queue when a pool process dies mid-task, and idempotent on a
finished folder, so a redelivered task never captures twice. When the whole worker dies, the
submitting side sends its started tasks again once their leases lapse (`submit`); the broker's
own redelivery after the visibility timeout is the last resort.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from capture.browser.recycle import RecyclingRenderer
from capture.distributed.lease import RedisCoordination
from capture.distributed.payload import read_payload
from capture.distributed.worker import Worker, WorkerSettings
from capture.errors import UsageError

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

TASK_NAME = "capture.capture_page"


class ProcessEngine:
    """One worker process's event loop, browser and Worker, started on the first task."""

    def __init__(self, settings: WorkerSettings, broker_url: str) -> None:
        from capture.browser.renderer import open_renderer

        self.loop = asyncio.new_event_loop()
        self.renderer = RecyclingRenderer(
            lambda: open_renderer(settings.browser_path), settings.restart_after
        )
        self.coordination = RedisCoordination.from_url(broker_url)
        self.worker = Worker(settings, self.renderer, self.coordination)

    def run(self, payload: Any) -> dict[str, Any]:
        """Run one task on this process's loop; return its outcome as JSON data."""
        spec = read_payload(payload, self.worker.settings.output)
        outcome = self.loop.run_until_complete(self.worker.handle(spec))
        return outcome.to_json()

    def close(self) -> None:
        """Close the browser, the Redis connections and the loop."""
        try:
            self.loop.run_until_complete(self.renderer.close())
            self.loop.run_until_complete(self.coordination.close())
        finally:
            self.loop.close()


_engine: ProcessEngine | None = None
"""This process's engine: process-global because Celery calls tasks as plain functions."""


def engine(settings: WorkerSettings, broker_url: str) -> ProcessEngine:
    """Return this process's engine, starting it on first use."""
    global _engine  # noqa: PLW0603 - one per pool process, by design
    if _engine is None:
        _engine = ProcessEngine(settings, broker_url)
    return _engine


def close_engine(**_: Any) -> None:
    """Close this process's engine, if it started (Celery's worker_process_shutdown)."""
    global _engine
    if _engine is not None:
        current, _engine = _engine, None
        current.close()


def register(app: Celery, broker_url: str, settings: WorkerSettings | None) -> None:
    """Register the capture task on app; settings are None on the submitting side."""
    from celery.exceptions import Reject  # type: ignore[import-untyped]

    @app.task(  # type: ignore[untyped-decorator]
        name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=False
    )
    def capture_page(payload: dict[str, Any]) -> dict[str, Any]:
        if settings is None:
            raise UsageError(
                "Could not run a capture task here (this process submits, it does not capture). "
                "Start `capture worker` to run tasks."
            )
        outcome = engine(settings, broker_url).run(payload)
        if outcome["outcome"] == "busy":  # another worker still holds it: try again later
            raise Reject("capture folder busy", requeue=True)
        return outcome

    if settings is not None:
        from celery.signals import worker_process_shutdown  # type: ignore[import-untyped]

        worker_process_shutdown.connect(close_engine, weak=False)
