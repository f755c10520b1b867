"""`capture run --broker` without Redis: a fake queue whose tasks a fake worker runs in-process."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from capture.cli import exit_code_for
from capture.config.job import Job
from capture.distributed import sealing as sealing_module
from capture.distributed.broker import TaskEnd
from capture.distributed.payload import read_payload
from capture.distributed.sealing import Sealer, seal_finished
from capture.distributed.submit import submit_job
from capture.distributed.worker import Worker, WorkerSettings
from capture.errors import ExitCode, OutputError
from capture.evidence.keys import SigningKey, generate_key_pair
from capture.evidence.seal import Sealing
from capture.evidence.verify import verify_path
from capture.progress import CaptureFinished, ProgressEvent, RunFinished, RunStarted
from capture.run.pipeline import Seams
from tests.evidence_folder import make_capture
from tests.fakes import FAKE_MACHINE
from tests.unit.test_distributed_worker import MemoryCoordination, ReadyFake

SEAMS = Seams(machine=FAKE_MACHINE)
URLS = [f"https://news.example/story/{n}" for n in range(1, 7)]
BROKER = "redis://:hunter2@queue-host:6379/0"


class FakeQueue:
    """A TaskQueue in memory: `work` runs the sent tasks with a real Worker on a fake browser."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.started: set[str] = set()
        self.ends: dict[str, TaskEnd] = {}
        self.coordination = MemoryCoordination()
        self.renderer = ReadyFake()
        self._lock = threading.Lock()
        self.cancelled = threading.Event()

    def send(self, payloads: Sequence[dict[str, Any]]) -> list[str]:
        with self._lock:
            start = len(self.sent)
            ids = [f"task-{start + n}" for n in range(len(payloads))]
            self.sent.extend(zip(ids, payloads, strict=True))
        return ids

    def ended(self, task_ids: Sequence[str]) -> dict[str, TaskEnd]:
        with self._lock:
            return {task_id: self.ends[task_id] for task_id in task_ids if task_id in self.ends}

    def cancel(self, submission: str) -> None:
        self.coordination.stopped.add(submission)
        self.cancelled.set()

    def orphans(self, tasks: Mapping[str, str]) -> set[str]:
        with self._lock:
            return {
                task_id
                for task_id, key in tasks.items()
                if task_id in self.started
                and task_id not in self.ends
                and key not in self.coordination.leases
            }

    def take(self) -> tuple[str, dict[str, Any]] | None:
        """Mark the first task not yet started as started; return it (None: none waits)."""
        with self._lock:
            for task_id, payload in self.sent:
                if task_id not in self.started:
                    self.started.add(task_id)
                    return task_id, payload
        return None

    async def work(self, limit: int | None = None, worker_root: Path | None = None) -> None:
        """Run sent tasks in order (the first `limit` only), as a worker on worker_root."""
        settings = WorkerSettings(output=worker_root or self.root)
        seams = replace(SEAMS, monotonic=self.coordination.clock)  # its host turns' clock
        worker = Worker(settings, self.renderer, self.coordination, seams=seams, owner="w")
        done = 0
        while limit is None or done < limit:
            taken = self.take()
            if taken is None:
                # Real time: the tasks are sent from the submitting thread, not this loop.
                await asyncio.sleep(0.01)
                continue
            task_id, payload = taken
            outcome = await worker.handle(read_payload(payload, settings.output))
            with self._lock:
                self.ends[task_id] = TaskEnd("SUCCESS", outcome.to_json())
            done += 1


def _job(output: Path) -> Job:
    return Job.model_validate(
        {
            "version": 1,
            "name": "harbour",
            "urls": URLS,
            "output": str(output),
            "defaults": {"viewport": "320x240"},
        }
    )


async def _submit(job: Job, queue: FakeQueue, events: list[ProgressEvent], **kw: Any) -> Any:
    return await submit_job(
        job,
        URLS,
        queue=queue,
        broker_url=BROKER,
        on_event=events.append,
        poll_s=0.01,
        **{"seams": SEAMS, **kw},
    )


async def test_a_queued_run_writes_the_same_run_folder_as_a_local_run(tmp_path: Path) -> None:
    queue, events = FakeQueue(tmp_path / "archives"), []
    worker = asyncio.create_task(queue.work(worker_root=tmp_path / "mounted-elsewhere"))
    (tmp_path / "mounted-elsewhere").symlink_to(tmp_path / "archives")

    result = await _submit(_job(tmp_path / "archives"), queue, events)
    worker.cancel()

    assert len(queue.sent) == len(URLS)
    assert [p["url"] for _, p in queue.sent] == URLS
    assert all(not Path(p["folder"]).is_absolute() for _, p in queue.sent)
    assert sorted(r.url for r in result.results) == URLS
    assert result.not_started == 0
    run = json.loads((result.folder / "run.json").read_text())
    assert run["state"] == "finished"
    assert run["counts"] == {"complete": 6, "partial": 0, "failed": 0}
    assert run["queue"]["broker"] == "redis://:***@queue-host:6379/0"
    assert "hunter2" not in (result.folder / "run.json").read_text()
    rows = (result.folder / "results.jsonl").read_text().splitlines()
    assert sorted(json.loads(row)["url"] for row in rows) == URLS
    assert result.report == result.folder / "index.html"
    assert result.wacz == result.folder / "harbour.wacz"
    assert isinstance(events[0], RunStarted)
    assert sum(isinstance(e, CaptureFinished) for e in events) == len(URLS)
    assert isinstance(events[-1], RunFinished)


async def _stopped_after_two(output: Path, queue: FakeQueue, events: list[ProgressEvent]) -> Any:
    """Return the run stopped once two tasks ended (the rest end as cancelled)."""
    stop = asyncio.Event()

    async def two_then_stop() -> None:
        await queue.work(limit=2)
        stop.set()
        assert await asyncio.to_thread(queue.cancelled.wait, 5)
        await queue.work()  # the rest of the tasks end as cancelled

    worker = asyncio.create_task(two_then_stop())
    try:
        return await _submit(_job(output), queue, events, stop=stop)
    finally:
        worker.cancel()


async def test_stopping_cancels_what_has_not_started_and_resume_sends_only_the_rest(
    tmp_path: Path,
) -> None:
    output = tmp_path / "archives"
    queue, events = FakeQueue(output), []
    first = await _stopped_after_two(output, queue, events)

    assert len(first.results) == 2
    assert first.not_started == 4
    assert json.loads((first.folder / "run.json").read_text())["state"] == "interrupted"
    assert len(queue.renderer.rendered) == 2

    again = FakeQueue(output)
    worker = asyncio.create_task(again.work())
    second = await _submit(_job(output), again, events, resume=True)
    worker.cancel()

    assert second.folder == first.folder
    assert sorted(p["url"] for _, p in again.sent) == sorted(
        set(URLS) - {r.url for r in first.results}
    )
    assert sorted(again.renderer.rendered + queue.renderer.rendered) == sorted(URLS)
    run = json.loads((second.folder / "run.json").read_text())
    assert run["state"] == "finished"
    assert len(run["resumed_at"]) == 1


async def test_a_task_sent_twice_is_captured_once(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    queue, events = FakeQueue(output), []
    original_send = queue.send

    def send_twice(payloads: Sequence[dict[str, Any]]) -> list[str]:
        ids = original_send(payloads)
        original_send(payloads)  # as a redelivery after a worker died would
        return ids

    queue.send = send_twice  # type: ignore[method-assign]
    worker = asyncio.create_task(queue.work(limit=2 * len(URLS)))
    result = await _submit(_job(output), queue, events)
    await asyncio.wait_for(worker, timeout=10)

    assert sorted(queue.renderer.rendered) == URLS
    outcomes = [end.value["outcome"] for end in queue.ends.values() if end.value]
    assert outcomes.count("captured") == len(URLS)
    # The second of each pair finds its folder finished, or, once the run ended, its run retired.
    assert outcomes.count("skipped") + outcomes.count("cancelled") == len(URLS)
    assert result.not_started == 0


def _sealed(seams: Seams, key: SigningKey) -> Seams:
    return replace(seams, sealing=Sealing(key=key), clock=now)


async def test_the_submitter_seals_each_capture_and_no_task_carries_the_key(
    tmp_path: Path,
) -> None:
    output = tmp_path / "archives"
    key = generate_key_pair(tmp_path / "clerk")
    queue, events = FakeQueue(output), []
    worker = asyncio.create_task(queue.work())
    result = await _submit(_job(output), queue, events, seams=_sealed(SEAMS, key))
    worker.cancel()

    sent = json.dumps([payload for _, payload in queue.sent])
    assert all(p["sealing"] == {"signer": key.fingerprint, "tsa": []} for _, p in queue.sent)
    assert (tmp_path / "clerk").read_text().strip().splitlines()[1] not in sent
    report = verify_path(result.folder, public_key=tmp_path / "clerk.pub")
    assert report.ok, report.to_text()
    for capture in (result.folder / "captures").iterdir():
        assert (capture / "seal.json").is_file()
        # The worker, without the key, still names the signer in the folder's own account.
        assert key.fingerprint in (capture / "provenance.html").read_text()


async def test_a_resumed_run_seals_what_the_stopped_one_finished_unsealed(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    first = await _stopped_after_two(output, FakeQueue(output), [])  # no key: left unsealed
    events: list[ProgressEvent] = []
    assert not list(first.folder.glob("captures/*/seal.json"))

    key = generate_key_pair(tmp_path / "clerk")
    again = FakeQueue(output)
    worker = asyncio.create_task(again.work())
    second = await _submit(_job(output), again, events, resume=True, seams=_sealed(SEAMS, key))
    worker.cancel()

    assert len(again.sent) == len(URLS) - 2
    report = verify_path(second.folder, public_key=tmp_path / "clerk.pub")
    assert report.ok, report.to_text()


async def test_a_task_asks_its_worker_for_the_replay_check(tmp_path: Path) -> None:
    output = tmp_path / "archives"
    queue, events = FakeQueue(output), []
    job = _job(output).model_copy(update={"qa": True})
    worker = asyncio.create_task(queue.work())
    await _submit(job, queue, events)
    worker.cancel()

    assert all(payload["qa"] is True for _, payload in queue.sent)
    assert read_payload(queue.sent[0][1], output).qa


def test_a_folder_that_changed_after_the_worker_wrote_it_is_not_sealed(tmp_path: Path) -> None:
    folder = make_capture(tmp_path / "capture")
    (folder / "article.txt").write_text("Something else.\n", encoding="utf-8")
    key = generate_key_pair(tmp_path / "clerk")

    unsealed, _ = seal_finished(folder, Sealing(key=key), now)

    assert unsealed is not None
    assert unsealed.message().startswith(f"Did not seal {folder} (article.txt: is sha256:")
    assert "capture verify" in unsealed.message()
    assert not (folder / "seal.json").exists()
    assert seal_finished(make_capture(tmp_path / "fine"), Sealing(key=key), now) == (None, ())
    assert (tmp_path / "fine" / "seal.json").is_file()


def test_a_seal_cut_off_before_seal_json_is_made_again_whole(tmp_path: Path) -> None:
    folder = make_capture(tmp_path / "capture")
    key = generate_key_pair(tmp_path / "clerk")
    (folder / "timestamps").mkdir()
    (folder / "timestamps" / "capture.json.01.tsa.example.tsr").write_bytes(b"left by a kill")

    assert seal_finished(folder, Sealing(key=key), now) == (None, ())

    assert not (folder / "timestamps").exists()
    report = verify_path(folder, public_key=tmp_path / "clerk.pub")
    assert report.ok, report.to_text()


async def test_a_capture_that_cannot_be_sealed_is_listed_and_the_run_is_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "archives"
    key = generate_key_pair(tmp_path / "clerk")
    real_seal = sealing_module.seal_capture

    def refused_once(folder: Path, **kw: Any) -> Any:
        if "-story-2-" in folder.name:
            raise OutputError(f"Could not write {folder / 'seal.json'} (Permission denied).")
        return real_seal(folder, **kw)

    monkeypatch.setattr(sealing_module, "seal_capture", refused_once)
    queue, events = FakeQueue(output), []
    worker = asyncio.create_task(queue.work())
    result = await _submit(_job(output), queue, events, seams=_sealed(SEAMS, key))
    worker.cancel()

    (message,) = result.unsealed
    assert message.startswith("Did not seal ") and "Permission denied" in message
    assert "write to the capture folders" in message
    assert exit_code_for(result) == ExitCode.PARTIAL
    run = json.loads((result.folder / "run.json").read_text())
    assert run["state"] == "finished"
    (entry,) = run["unsealed"]
    assert entry["folder"].startswith("captures/") and "-story-2-" in entry["folder"]
    assert len(list(result.folder.glob("captures/*/seal.json"))) == len(URLS) - 1
    assert run["sealing"] == {"signer": key.fingerprint, "tsa": []}
    failures = verify_path(result.folder).failures  # no key given: run.json says it seals
    assert [check.subject for check in failures] == [f"{entry['folder']}/seal.json"]


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_task_that_ends_twice_while_its_seal_is_made_is_sealed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_capture(tmp_path / "capture")
    calls: list[Path] = []
    real = sealing_module.seal_capture

    def slow_seal(folder: Path, **kw: Any) -> Any:
        calls.append(folder)
        time.sleep(0.05)  # in the sealer's thread, as a TSA's answer would take
        return real(folder, **kw)

    monkeypatch.setattr(sealing_module, "seal_capture", slow_seal)
    sealer = Sealer(Sealing(key=generate_key_pair(tmp_path / "clerk")), now)

    sealer.seal(folder)
    sealer.seal(folder)  # the redelivered task's end, reported while the first seal runs
    assert await sealer.finish([folder]) == ()

    assert calls == [folder]
    assert verify_path(folder, public_key=tmp_path / "clerk.pub").ok


async def test_a_seal_that_fails_in_an_unforeseen_way_is_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_capture(tmp_path / "capture")

    def broken(folder: Path, sealing: Sealing, clock: Any) -> Any:
        raise RuntimeError("a library's odd error")

    monkeypatch.setattr(sealing_module, "seal_finished", broken)
    sealer = Sealer(Sealing(key=generate_key_pair(tmp_path / "clerk")), now)

    sealer.seal(folder)
    (unsealed,) = await sealer.finish([folder])

    assert unsealed.folder == folder and "a library's odd error" in unsealed.reason
    assert "bug" in unsealed.remedy
