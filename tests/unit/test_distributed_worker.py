"""A worker process's tasks with a fake browser and fake shared state: no Redis, no Chromium.

The worker's waits (polls, lease renewals, host turns, back-offs) run on the fake shared state's
FakeClock: virtual time, exact, and no sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from capture import paths
from capture.browser.recorder import ExchangeSink
from capture.browser.recycle import RecyclingRenderer
from capture.distributed.payload import TaskSpec
from capture.distributed.worker import Worker, WorkerSettings
from capture.errors import NavigationError
from capture.models import CaptureRequest, PageCapture
from capture.options import CaptureOptions
from capture.run.pipeline import Seams, capture_page
from capture.run.runner import RunPolicy
from tests.fakes import FAKE_BROWSER, FAKE_MACHINE, FakeClock, FakeRenderer, small_viewport

SEAMS = Seams(machine=FAKE_MACHINE)
URL = "https://news.example/story/1"
KEY = "news/run-1/captures/news.example-story-1"


class MemoryCoordination:
    """Leases and cancellations in a dict, as RedisCoordination keeps them in Redis; its host
    turns are on `clock`, which the workers that share it wait on too."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.leases: dict[str, str] = {}
        self.stopped: set[str] = set()
        self.turns: dict[str, float] = {}
        self.hosts_asked: list[str] = []

    async def claim(self, key: str, owner: str, ttl_s: float) -> bool:
        return self.leases.setdefault(key, owner) == owner

    async def renew(self, key: str, owner: str, ttl_s: float) -> bool:
        return self.leases.get(key) == owner

    async def release(self, key: str, owner: str) -> None:
        if self.leases.get(key) == owner:
            del self.leases[key]

    async def cancelled(self, submission: str) -> bool:
        return submission in self.stopped

    async def host_turn(self, host: str, delay_s: float) -> float:
        self.hosts_asked.append(host)
        now = self.clock.now()
        start = max(now, self.turns.get(host, now))
        self.turns[host] = start + delay_s
        return start - now


class ReadyFake(FakeRenderer):
    """The fake renderer with RecyclingRenderer's `ready`."""

    async def ready(self) -> None:
        return None


def _spec(root: Path, *, retries: int = 0, submission: str = "sub") -> TaskSpec:
    request = CaptureRequest(URL, root / KEY, CaptureOptions(viewport=small_viewport()))
    return TaskSpec(request, RunPolicy(1, retries, 0.0, 0.0), submission, KEY)


def _worker(root: Path, renderer: ReadyFake, shared: MemoryCoordination, **kw: float) -> Worker:
    settings = WorkerSettings(output=root, lease_s=kw.get("lease_s", 30.0))
    if "lease_wait_s" in kw:
        settings = WorkerSettings(output=root, lease_wait_s=kw["lease_wait_s"])
    seams = replace(SEAMS, monotonic=shared.clock)
    return Worker(settings, renderer, shared, seams=seams, owner="me", poll_s=0.01)


async def test_a_task_captures_its_folder_and_gives_the_lease_back(tmp_path: Path) -> None:
    fake, shared = ReadyFake(), MemoryCoordination()

    outcome = await _worker(tmp_path, fake, shared).handle(_spec(tmp_path))

    assert outcome.to_json() == {"outcome": "captured", "key": KEY, "state": "complete"}
    assert fake.rendered == [URL]
    assert (tmp_path / KEY / paths.CAPTURE_JSON).is_file()
    assert shared.leases == {}


async def test_a_redelivered_task_finds_the_finished_folder_and_does_not_capture(
    tmp_path: Path,
) -> None:
    fake, shared = ReadyFake(), MemoryCoordination()
    worker = _worker(tmp_path, fake, shared)
    await worker.handle(_spec(tmp_path))

    again = await worker.handle(_spec(tmp_path))

    assert again.outcome == "skipped"
    assert again.state == "complete"
    assert fake.rendered == [URL]


async def test_leftovers_of_a_killed_delivery_are_cleared_before_capturing(tmp_path: Path) -> None:
    folder = tmp_path / KEY
    folder.mkdir(parents=True)
    (folder / "page.warc.gz.open").write_bytes(b"half a record")
    (folder / "stale.png").write_bytes(b"from the dead attempt")

    await _worker(tmp_path, ReadyFake(), MemoryCoordination()).handle(_spec(tmp_path))

    assert not (folder / "stale.png").exists()
    assert not list(folder.glob("*.open"))
    manifest = json.loads((folder / paths.CAPTURE_JSON).read_text())["files"]
    assert "stale.png" not in json.dumps(manifest)


async def test_a_task_of_a_stopped_submission_does_nothing(tmp_path: Path) -> None:
    fake, shared = ReadyFake(), MemoryCoordination()
    shared.stopped.add("sub")

    outcome = await _worker(tmp_path, fake, shared).handle(_spec(tmp_path))

    assert outcome.outcome == "cancelled"
    assert fake.rendered == []
    assert not (tmp_path / KEY).exists()


async def test_a_task_waits_for_another_workers_capture_then_skips_it(tmp_path: Path) -> None:
    fake, shared = ReadyFake(), MemoryCoordination()
    shared.leases[KEY] = "other worker"

    async def other_worker_finishes() -> None:
        await shared.clock.sleep(0.05)
        await capture_page(_spec(tmp_path).request, FakeRenderer(), SEAMS)
        await shared.release(KEY, "other worker")

    finishing = asyncio.create_task(other_worker_finishes())
    outcome = await _worker(tmp_path, fake, shared).handle(_spec(tmp_path))
    await finishing

    assert outcome.outcome == "skipped"
    assert fake.rendered == []


async def test_a_task_whose_lease_stays_taken_goes_back_to_the_queue(tmp_path: Path) -> None:
    fake, shared = ReadyFake(), MemoryCoordination()
    shared.leases[KEY] = "a worker that is still at it"

    outcome = await _worker(tmp_path, fake, shared, lease_wait_s=0.05).handle(_spec(tmp_path))

    assert outcome.outcome == "busy"
    assert fake.rendered == []


async def test_retries_follow_the_jobs_retries_within_one_task(tmp_path: Path) -> None:
    class FlakyOnce(ReadyFake):
        async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
            if not self.rendered:
                self.rendered.append(request.url)
                raise NavigationError(f"Could not load {URL} (Timeout 30000ms exceeded.).")
            return await super().render(request, sink)

    fake = FlakyOnce()
    outcome = await _worker(tmp_path, fake, MemoryCoordination()).handle(_spec(tmp_path, retries=2))

    capture = json.loads((tmp_path / KEY / paths.CAPTURE_JSON).read_text())
    assert outcome.state == "complete"
    assert fake.rendered == [URL, URL]
    assert [attempt["state"] for attempt in capture["attempts"]] == ["failed", "complete"]


@dataclass
class FakeBrowser:
    connected: bool = True

    def is_connected(self) -> bool:
        return self.connected


@dataclass
class Launched(FakeRenderer):
    browser: FakeBrowser = field(default_factory=FakeBrowser)


@dataclass
class Launcher:
    """Counts launches and closes, as open_renderer would launch and close Chromium."""

    launched: list[Launched] = field(default_factory=list)
    closed: int = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Launched]:
        renderer = Launched()
        self.launched.append(renderer)
        try:
            yield renderer
        finally:
            self.closed += 1


def _request(n: int, tmp_path: Path) -> CaptureRequest:
    return CaptureRequest(f"https://a.example/{n}", tmp_path / str(n), CaptureOptions())


async def test_one_browser_serves_many_captures_and_is_relaunched_after_n(tmp_path: Path) -> None:
    launcher = Launcher()
    renderer = RecyclingRenderer(launcher, restart_after=3)

    for n in range(7):
        await renderer.render(_request(n, tmp_path), lambda exchange: None)

    assert [len(b.rendered) for b in launcher.launched] == [3, 3, 1]
    assert launcher.closed == 2
    assert renderer.info == FAKE_BROWSER
    await renderer.close()
    assert launcher.closed == 3


async def test_a_crashed_browser_is_replaced_before_the_next_capture(tmp_path: Path) -> None:
    launcher = Launcher()
    renderer = RecyclingRenderer(launcher, restart_after=100)
    await renderer.render(_request(1, tmp_path), lambda exchange: None)

    launcher.launched[0].browser.connected = False
    await renderer.render(_request(2, tmp_path), lambda exchange: None)

    assert len(launcher.launched) == 2
    assert launcher.launched[1].rendered == ["https://a.example/2"]
    assert launcher.closed == 1


async def test_a_worker_that_loses_its_lease_stops_writing_the_folder(tmp_path: Path) -> None:
    shared = MemoryCoordination()
    slow = ReadyFake(yields={URL: 2_000_000})  # renders for seconds

    async def steal() -> None:
        await shared.clock.sleep(0.05)
        shared.leases[KEY] = "another-worker"  # e.g. our lease expired while Redis was away

    thief = asyncio.create_task(steal())
    worker = _worker(tmp_path, slow, shared, lease_s=0.06)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(worker.handle(_spec(tmp_path)), timeout=5)
    await thief
    assert not (tmp_path / KEY / "capture.json").exists()
    assert shared.leases[KEY] == "another-worker"  # ours was not released over theirs


async def test_a_hosts_captures_are_spaced_out_across_worker_processes(tmp_path: Path) -> None:
    starts: list[float] = []

    class Timed(ReadyFake):
        async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
            starts.append(shared.clock.now())
            return await super().render(request, sink)

    shared, delay_s = MemoryCoordination(), 0.2
    urls = ["https://user:secret@News.example:8443/a", "https://news.example:8443/b"]
    specs = [
        TaskSpec(
            CaptureRequest(url, tmp_path / str(n), CaptureOptions(viewport=small_viewport())),
            RunPolicy(1, 0, 0.0, delay_s),
            "sub",
            str(n),
        )
        for n, url in enumerate(urls)
    ]
    workers = [_worker(tmp_path, Timed(), shared) for _ in specs]  # two processes, one host

    outcomes = await asyncio.gather(*(w.handle(s) for w, s in zip(workers, specs, strict=True)))

    assert [o.state for o in outcomes] == ["complete", "complete"]
    assert shared.hosts_asked == ["news.example:8443", "news.example:8443"]  # no credentials
    first, second = sorted(starts)
    assert second - first == pytest.approx(delay_s)


async def test_a_task_stopped_during_its_retry_wait_is_cancelled_and_keeps_no_failure(
    tmp_path: Path,
) -> None:
    shared = MemoryCoordination()

    class TimesOut(ReadyFake):
        async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
            self.rendered.append(request.url)
            shared.stopped.add("sub")  # the run is stopped while this attempt fails
            raise NavigationError(f"Could not load {URL} (Timeout 30000ms exceeded.).")

    fake = TimesOut()
    request = CaptureRequest(URL, tmp_path / KEY, CaptureOptions(viewport=small_viewport()))
    spec = TaskSpec(request, RunPolicy(1, 2, 30.0, 0.0), "sub", KEY)  # a 30 s backoff

    worker = _worker(tmp_path, fake, shared)
    outcome = await asyncio.wait_for(worker.handle(spec), timeout=5)

    assert outcome.outcome == "cancelled"
    assert fake.rendered == [URL]  # not tried again once stopped
    assert "sub" not in worker.sessions  # a stopped submission's sessions are not kept
    assert not (tmp_path / KEY / paths.CAPTURE_JSON).exists()  # resume captures it afresh


async def test_a_worker_that_cannot_renew_its_lease_stops_before_it_lapses(tmp_path: Path) -> None:
    class Unreachable(MemoryCoordination):
        """Redis goes away once the lease is taken."""

        def __init__(self) -> None:
            super().__init__()
            self.failed: list[str] = []

        async def renew(self, key: str, owner: str, ttl_s: float) -> bool:
            self.failed.append(key)
            raise ConnectionError("Connection refused")

    shared = Unreachable()
    slow = ReadyFake(yields={URL: 2_000_000})  # renders for seconds
    worker = _worker(tmp_path, slow, shared, lease_s=0.3)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(worker.handle(_spec(tmp_path)), timeout=5)

    # One failure is borne; after the second a third would come only as the lease lapses (and
    # the capture is sent again to another worker), so the capture stops there.
    assert len(shared.failed) == 2
    assert not (tmp_path / KEY / "capture.json").exists()


@dataclass
class SessionsSeen(ReadyFake):
    """The fake renderer, noting the run's session store each request carried."""

    stores: list[object] = field(default_factory=list)

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        self.stores.append(request.sessions)
        return await super().render(request, sink)


async def test_tasks_of_one_submission_share_the_workers_sessions_and_a_new_run_does_not(
    tmp_path: Path,
) -> None:
    fake = SessionsSeen()
    worker = _worker(tmp_path, fake, MemoryCoordination())
    for number, submission in enumerate(("sub", "sub", "next")):
        key = f"{KEY}-{number}"
        request = CaptureRequest(f"{URL}{number}", tmp_path / key, CaptureOptions())
        await worker.handle(TaskSpec(request, RunPolicy(), submission, key))

    first, second, other = fake.stores
    assert first is not None and first is second  # one login per run in this process
    assert other is not None and other is not first
