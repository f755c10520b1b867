"""One worker process's side of a task: skip what is finished or cancelled, else capture.

With the run's evidence settings: the capture names the signer and the TSAs but is sealed by
the submitting machine (`capture.distributed.sealing`); with `qa`, it is replayed here.

Pure of Celery: `Worker.handle` takes a TaskSpec and returns a TaskOutcome, with the browser,
the shared state and the clock as seams, so unit tests run it with fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from capture.distributed.lease import Coordination
from capture.distributed.payload import TaskSpec
from capture.distributed.sessioncache import SessionStores
from capture.output.files import clear_folder
from capture.output.runfolder import RunFolder
from capture.qa.check import replay_check
from capture.run.pipeline import Renderer, Seams
from capture.run.runner import host_key, run_captures

log = logging.getLogger(__name__)

LEASE_S = 30.0
"""How long a capture's lease lasts without renewal (renewed every third of it). A killed
worker's captures are sent again by the submitting side about this long after its death."""

LEASE_WAIT_S = 3600.0
"""How long a redelivered task waits for another worker's capture of the same folder."""


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a `capture worker` process captures."""

    output: Path
    """The archive root as this machine mounts it: task folders are relative to it."""
    browser_path: str | None = None
    restart_after: int = 200
    """Relaunch the browser after this many captures."""
    lease_s: float = LEASE_S
    lease_wait_s: float = LEASE_WAIT_S


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """What a task did: captured, skipped (finished already), cancelled, or busy (requeue)."""

    outcome: str
    key: str
    state: str | None = None
    """The capture's state (complete, partial, failed) when it was captured or skipped."""

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as the task's JSON result."""
        return {"outcome": self.outcome, "key": self.key, "state": self.state}


class ReadyRenderer(Renderer, Protocol):
    """A renderer that can start its browser before a capture (RecyclingRenderer)."""

    async def ready(self) -> Any:
        """Start the browser if none runs."""
        ...


class Worker:
    """Handles the tasks of one worker process, one at a time, on one browser."""

    def __init__(
        self,
        settings: WorkerSettings,
        renderer: ReadyRenderer,
        coordination: Coordination,
        *,
        seams: Seams | None = None,
        owner: str | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.coordination = coordination
        self.seams = seams or Seams()
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        self.poll_s = poll_s
        self.sessions = SessionStores(self.seams.clock)
        """A few submissions' sessions in this process: a site's `login` runs once per run and
        worker process. Sessions stay in this process's memory (none travels through Redis),
        and not for ever: a cancelled or long idle submission's sessions are dropped."""

    async def handle(self, spec: TaskSpec) -> TaskOutcome:
        """Return what became of the task: a finished folder is never captured again."""
        if await self.coordination.cancelled(spec.submission):
            self.sessions.drop(spec.submission)
            return TaskOutcome("cancelled", spec.key)
        done = _finished(spec)
        if done is not None:
            return TaskOutcome("skipped", spec.key, done)
        async with self._lease(spec) as held:
            if not held:
                done = _finished(spec)
                if done is not None:
                    return TaskOutcome("skipped", spec.key, done)
                return TaskOutcome("busy", spec.key)
            done = _finished(spec)  # another delivery may have finished while we waited
            if done is not None:
                return TaskOutcome("skipped", spec.key, done)
            return await self._capture(spec)

    async def _capture(self, spec: TaskSpec) -> TaskOutcome:
        clear_folder(spec.request.folder)  # a killed delivery's leftovers must not mix with ours
        await self.renderer.ready()  # the warcinfo record names the browser before rendering
        delay_s = spec.policy.host_delay_s

        async def host_turn(url: str) -> float:  # spaced out across every worker
            try:
                return await self.coordination.host_turn(host_key(url), delay_s)
            except Exception as exc:  # Redis away for a moment: wait a whole delay to be safe.
                log.warning("could not take a host's turn", extra={"error": str(exc)})
                return delay_s

        stop = asyncio.Event()
        watching = asyncio.create_task(self._watch_cancel(spec.submission, stop))
        try:
            results = await run_captures(
                [spec.request],
                self.renderer,
                seams=replace(self.seams, sealing=spec.sealing),
                policy=spec.policy,
                stop=stop,
                after_each=replay_check(self.renderer) if spec.qa else None,
                host_turns=host_turn,
                sessions=self.sessions.get(spec.submission),
            )
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
        if not results:  # stopped while waiting for its host's turn or a retry
            self.sessions.drop(spec.submission)
            return TaskOutcome("cancelled", spec.key)
        state = results[0].state.value
        log.info("captured", extra={"url": spec.request.url, "state": state})
        return TaskOutcome("captured", spec.key, state)

    async def _watch_cancel(self, submission: str, stop: asyncio.Event) -> None:
        """Set stop once the submission is cancelled: no new attempt of the task starts."""
        while not stop.is_set():
            await self.seams.monotonic.sleep(self.poll_s)
            try:
                if await self.coordination.cancelled(submission):
                    stop.set()
            except Exception as exc:  # Redis away for a moment: ask again next time.
                log.warning("could not ask whether the run was stopped", extra={"error": str(exc)})

    @contextlib.asynccontextmanager
    async def _lease(self, spec: TaskSpec) -> AsyncIterator[bool]:
        """Hold the folder's lease (renewed meanwhile); yield False when it could not be had."""
        ttl, clock = self.settings.lease_s, self.seams.monotonic
        deadline = clock.now() + self.settings.lease_wait_s
        while not await self.coordination.claim(spec.key, self.owner, ttl):
            if clock.now() >= deadline or _finished(spec) is not None:
                yield False
                return
            await clock.sleep(self.poll_s)
        renewing = asyncio.create_task(self._renew(spec.key, ttl, asyncio.current_task()))
        try:
            yield True
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await self.coordination.release(spec.key, self.owner)

    async def _renew(self, key: str, ttl_s: float, holder: asyncio.Task[Any] | None) -> None:
        """Renew the lease until cancelled; when another worker took it, or it lapses before
        a renewal gets through, stop our capture."""
        clock = self.seams.monotonic
        renewed_at = clock.now()
        while True:
            await clock.sleep(ttl_s / 3)
            asked_at = clock.now()
            try:
                renewed = await self.coordination.renew(key, self.owner, ttl_s)
            except Exception as exc:
                log.warning("could not renew a lease", extra={"key": key, "error": str(exc)})
                # Redis away for a moment: the next renewal may work, if it comes in time.
                # Once the lease lapses the capture is sent again and another worker takes it.
                renewed = clock.now() + ttl_s / 3 < renewed_at + ttl_s
            else:
                renewed_at = asked_at if renewed else renewed_at
            if not renewed:
                # Another worker may be writing the folder now: two writers would corrupt it.
                log.warning("lost the lease of a capture; stopping it", extra={"key": key})
                if holder is not None:
                    holder.cancel()
                return


def _finished(spec: TaskSpec) -> str | None:
    """Return the state of the task's finished capture folder, None when it did not finish."""
    folder = spec.request.folder
    capture = RunFolder(folder.parent.parent).finished(folder)
    return None if capture is None else str(capture.get("state") or "failed")
