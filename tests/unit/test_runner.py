"""Runs with the fake renderer: concurrency, politeness, retries, stopping and resuming."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from capture import api
from capture.api import RunResult
from capture.browser.recorder import ExchangeSink
from capture.config.job import Job
from capture.errors import OutputError, UsageError
from capture.models import CaptureRequest, CaptureState, PageCapture
from capture.options import CaptureOptions
from capture.output.runfolder import RunFolder
from capture.plan import plan
from capture.progress import CaptureRetrying, CaptureStarted, ProgressEvent
from capture.run.pipeline import Seams
from capture.run.runner import RunPolicy, run_captures
from tests.fakes import (
    FAKE_MACHINE,
    FakeClock,
    FakeRenderer,
    complete_page,
    failed_page,
    small_viewport,
)

OPTIONS = CaptureOptions(viewport=small_viewport())
SEAMS = Seams(machine=FAKE_MACHINE)
URLS = [f"https://news.example/story/{n}" for n in range(1, 7)]
TIMEOUT = "Could not load {url} (Timeout 30000ms exceeded.)."
RESET = "Could not load {url} (net::ERR_CONNECTION_RESET at {url})."
DNS = "Could not load {url} (net::ERR_NAME_NOT_RESOLVED at {url})."


def requests(tmp_path: Path, urls: Sequence[str] = URLS) -> list[CaptureRequest]:
    """Return the planned requests of urls in a run folder under tmp_path."""
    return plan(urls, tmp_path / "run", OPTIONS)


def failing(error: str, times: int = 1_000, status: int | None = None) -> Callable[..., Any]:
    """Return a page maker that fails with error (formatted with the URL) `times` times, then
    completes; with status, the failures are rendered documents with that status instead."""
    calls = {"n": 0}

    def make(request: CaptureRequest) -> PageCapture:
        calls["n"] += 1
        if calls["n"] > times:
            return complete_page(request)
        if status is not None:
            return replace(complete_page(request), status=status)
        return replace(failed_page(request), error=error.format(url=request.url))

    return make


async def stop_after(clock: FakeClock, delay_s: float, stop: asyncio.Event) -> None:
    """Set stop once delay_s have passed on clock (a Ctrl-C that comes a little later)."""
    await clock.sleep(delay_s)
    stop.set()


def capture_json(result_folder: Path) -> dict[str, Any]:
    """Return a capture folder's capture.json."""
    data: dict[str, Any] = json.loads((result_folder / "capture.json").read_text("utf-8"))
    return data


class Starts:
    """Records when each attempt started (on the run's clock), by URL, from progress events."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.at: list[tuple[str, float]] = []
        self.events: list[ProgressEvent] = []

    def __call__(self, event: ProgressEvent) -> None:
        self.events.append(event)
        if isinstance(event, CaptureStarted):
            self.at.append((event.url, self.clock.now()))

    @property
    def seams(self) -> Seams:
        """Return the run's seams, on this clock: its host delays and back-offs are virtual."""
        return replace(SEAMS, monotonic=self.clock)

    def of(self, url: str) -> list[float]:
        return [moment for started, moment in self.at if started == url]


# -- concurrency and politeness -------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3, 6])
async def test_no_more_captures_run_at_once_than_the_concurrency(
    tmp_path: Path, concurrency: int
) -> None:
    fake = FakeRenderer(default_yields=20)
    results = await run_captures(
        requests(tmp_path), fake, seams=SEAMS, policy=RunPolicy(concurrency=concurrency)
    )

    assert fake.max_active == concurrency
    assert [r.url for r in results] == URLS
    assert {r.state for r in results} == {CaptureState.COMPLETE}


async def test_pages_of_one_host_start_at_least_the_host_delay_apart(tmp_path: Path) -> None:
    starts = Starts()
    urls = URLS[:3]
    await run_captures(
        requests(tmp_path, urls),
        FakeRenderer(),
        seams=starts.seams,
        on_event=starts,
        policy=RunPolicy(concurrency=3, host_delay_s=15),
    )
    moments = sorted(moment for _, moment in starts.at)
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    assert len(moments) == 3
    assert gaps == [pytest.approx(15), pytest.approx(15)]  # the delay apart, no more


async def test_pages_of_different_hosts_do_not_wait_for_each_other(tmp_path: Path) -> None:
    starts = Starts()
    urls = ["https://a.example/1", "https://b.example/1", "https://c.example/1"]
    began = starts.clock.now()
    await run_captures(
        requests(tmp_path, urls),
        FakeRenderer(),
        seams=starts.seams,
        on_event=starts,
        policy=RunPolicy(concurrency=3, host_delay_s=5.0),
    )
    assert starts.clock.now() == began  # no wait at all, not the 10 s two host delays take
    assert [moment for _, moment in starts.at] == [began] * 3


async def test_a_page_of_another_host_does_not_wait_behind_a_polite_host(tmp_path: Path) -> None:
    starts = Starts()
    urls = [*(f"https://a.example/{n}" for n in range(4)), "https://b.example/1"]
    began = starts.clock.now()
    await run_captures(
        requests(tmp_path, urls),
        FakeRenderer(),
        seams=starts.seams,
        on_event=starts,
        policy=RunPolicy(concurrency=2, host_delay_s=0.5),
    )
    assert starts.of("https://b.example/1") == [began]  # at once, not behind a.example's 0.5 s
    polite = sorted(moment for url, moment in starts.at if "a.example" in url)
    gaps = [later - earlier for earlier, later in itertools.pairwise(polite)]
    assert len(polite) == 4 and min(gaps) >= 0.5 - 1e-9, gaps


# -- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [TIMEOUT, RESET, "Page crashed"])
async def test_a_transient_failure_is_retried_and_every_attempt_recorded(
    tmp_path: Path, error: str
) -> None:
    url = URLS[0]
    fake = FakeRenderer(outcomes={url: failing(error, times=1)})
    starts = Starts()
    (result,) = await run_captures(
        requests(tmp_path, [url]),
        fake,
        seams=SEAMS,
        on_event=starts,
        policy=RunPolicy(retries=2, retry_backoff_s=0.0),
    )

    assert fake.rendered == [url, url]
    assert (result.state, result.attempts) == (CaptureState.COMPLETE, 2)
    attempts = capture_json(result.folder)["attempts"]
    assert [(a["number"], a["state"]) for a in attempts] == [(1, "failed"), (2, "complete")]
    assert attempts[0]["error"] == error.format(url=url)
    assert attempts[1]["error"] is None
    (retrying,) = [e for e in starts.events if isinstance(e, CaptureRetrying)]
    assert (retrying.attempt, retrying.error) == (1, error.format(url=url))


@pytest.mark.parametrize("status", [429, 503])
async def test_a_busy_server_is_asked_again(tmp_path: Path, status: int) -> None:
    url = URLS[0]
    fake = FakeRenderer(outcomes={url: failing("", times=1, status=status)})
    (result,) = await run_captures(
        requests(tmp_path, [url]), fake, seams=SEAMS, policy=RunPolicy(retries=1, retry_backoff_s=0)
    )
    assert fake.rendered == [url, url]
    assert result.status == 200
    # The busy answer is no content: its attempt failed (issue 16), the second is complete.
    assert [a["state"] for a in capture_json(result.folder)["attempts"]] == ["failed", "complete"]


async def test_retries_stop_after_the_limit_and_the_last_failure_is_kept(tmp_path: Path) -> None:
    url = URLS[0]
    fake = FakeRenderer(outcomes={url: failing(TIMEOUT)})
    (result,) = await run_captures(
        requests(tmp_path, [url]), fake, seams=SEAMS, policy=RunPolicy(retries=2, retry_backoff_s=0)
    )

    assert fake.rendered == [url] * 3
    assert (result.state, result.attempts) == (CaptureState.FAILED, 3)
    document = capture_json(result.folder)
    assert [a["number"] for a in document["attempts"]] == [1, 2, 3]
    assert document["error"] == TIMEOUT.format(url=url)


@pytest.mark.parametrize(
    "outcome",
    [failing(DNS), failing(RESET.replace("RESET", "REFUSED")), failing("", status=404)],
    ids=["dns", "refused", "404"],
)
async def test_a_permanent_failure_is_not_retried(tmp_path: Path, outcome: Any) -> None:
    url = URLS[0]
    fake = FakeRenderer(outcomes={url: outcome})
    (result,) = await run_captures(
        requests(tmp_path, [url]), fake, seams=SEAMS, policy=RunPolicy(retries=3, retry_backoff_s=0)
    )
    assert fake.rendered == [url]
    assert len(capture_json(result.folder)["attempts"]) == 1


async def test_retries_wait_a_doubling_backoff(tmp_path: Path) -> None:
    url = URLS[0]
    starts = Starts()
    await run_captures(
        requests(tmp_path, [url]),
        FakeRenderer(outcomes={url: failing(TIMEOUT)}),
        seams=starts.seams,
        on_event=starts,
        policy=RunPolicy(retries=2, retry_backoff_s=10),
    )
    first, second, third = starts.of(url)
    assert second - first == pytest.approx(10)
    assert third - second == pytest.approx(20)
    delays = [e.delay_s for e in starts.events if isinstance(e, CaptureRetrying)]
    assert delays == [10, 20]


async def test_a_retry_starts_from_an_empty_folder(tmp_path: Path) -> None:
    url = URLS[0]
    (request,) = requests(tmp_path, [url])
    request.folder.mkdir(parents=True)
    (request.folder / "stale.txt").write_text("from an earlier attempt")
    (result,) = await run_captures(
        [request],
        FakeRenderer(outcomes={url: failing(TIMEOUT, times=1)}),
        seams=SEAMS,
        policy=RunPolicy(retries=1, retry_backoff_s=0),
    )
    assert not (result.folder / "stale.txt").exists()
    assert not list(result.folder.glob("*.open"))


async def test_an_unexpected_error_fails_that_url_only(tmp_path: Path) -> None:
    fake = FakeRenderer(outcomes={URLS[1]: RuntimeError("renderer bug")})
    results = await run_captures(
        requests(tmp_path, URLS[:3]), fake, seams=SEAMS, policy=RunPolicy(concurrency=2)
    )
    assert [r.state for r in results] == [
        CaptureState.COMPLETE,
        CaptureState.FAILED,
        CaptureState.COMPLETE,
    ]
    document = capture_json(results[1].folder)
    assert "RuntimeError: renderer bug" in document["error"]
    assert not list(results[1].folder.glob("*.open"))


async def test_a_crashed_attempt_is_recorded_in_capture_json(tmp_path: Path) -> None:
    url = URLS[0]
    (result,) = await run_captures(
        requests(tmp_path, [url]),
        FakeRenderer(outcomes={url: RuntimeError("renderer bug")}),
        seams=SEAMS,
        policy=RunPolicy(retries=0),
    )
    attempts = capture_json(result.folder)["attempts"]
    assert [(a["number"], a["state"]) for a in attempts] == [(1, "failed")]


async def test_a_full_disk_stops_the_run_with_an_output_error(tmp_path: Path) -> None:
    full = OutputError("Could not write page.warc.gz (No space left on device).")
    fake = FakeRenderer(outcomes={URLS[1]: full})
    with pytest.raises(OutputError):
        await run_captures(requests(tmp_path, URLS[:3]), fake, seams=SEAMS)


# -- stopping -------------------------------------------------------------------------------------


async def test_once_stopped_no_new_capture_starts_and_those_in_flight_finish(
    tmp_path: Path,
) -> None:
    stop = asyncio.Event()
    fake = FakeRenderer(default_yields=10)

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureStarted) and event.index == 1:
            stop.set()

    results = await run_captures(
        requests(tmp_path),
        fake,
        seams=SEAMS,
        on_event=on_event,
        policy=RunPolicy(concurrency=2),
        stop=stop,
    )
    assert fake.rendered == URLS[:2]
    assert fake.finished == URLS[:2]
    assert [(r.url, r.state) for r in results] == [(u, CaptureState.COMPLETE) for u in URLS[:2]]
    assert not (tmp_path / "run" / "captures" / requests(tmp_path)[2].folder.name).exists()


async def test_a_stop_during_a_retry_backoff_leaves_the_capture_for_resume(tmp_path: Path) -> None:
    url = URLS[0]
    stop = asyncio.Event()
    clock = FakeClock()
    stopping: list[asyncio.Task[None]] = []

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureRetrying):
            stopping.append(asyncio.ensure_future(stop_after(clock, 0.05, stop)))

    began = clock.now()
    (request,) = requests(tmp_path, [url])
    results = await run_captures(
        [request],
        FakeRenderer(outcomes={url: failing(TIMEOUT)}),
        seams=replace(SEAMS, monotonic=clock),
        on_event=on_event,
        policy=RunPolicy(retries=3, retry_backoff_s=30),
        stop=stop,
    )
    await asyncio.gather(*stopping)
    assert clock.now() - began == pytest.approx(0.05)  # the stop cut the 30 s back-off short
    # A transient failure is not kept as the URL's final word: the folder is cleared, so a
    # resumed run captures the URL again.
    assert results == []
    assert not (request.folder / "capture.json").exists()


async def test_a_stop_during_an_attempt_that_fails_for_now_leaves_it_for_resume(
    tmp_path: Path,
) -> None:
    url = URLS[0]
    stop = asyncio.Event()

    class StoppedMidway(FakeRenderer):
        async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
            stop.set()  # Ctrl-C (or a stopped broker run) while the page is loading
            return await super().render(request, sink)

    (request,) = requests(tmp_path, [url])
    results = await run_captures(
        [request],
        StoppedMidway(outcomes={url: failing(TIMEOUT)}),
        seams=SEAMS,
        policy=RunPolicy(retries=2, retry_backoff_s=0),
        stop=stop,
    )

    assert results == []  # a timeout it would have retried is not the URL's final word
    assert not (request.folder / "capture.json").exists()


async def test_a_capture_waiting_for_its_host_does_not_start_once_stopped(tmp_path: Path) -> None:
    stop = asyncio.Event()
    clock = FakeClock()
    stopping: list[asyncio.Task[None]] = []

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureStarted) and event.index == 0:
            stopping.append(asyncio.ensure_future(stop_after(clock, 0.05, stop)))

    fake = FakeRenderer()
    await run_captures(
        requests(tmp_path, URLS[:2]),
        fake,
        seams=replace(SEAMS, monotonic=clock),
        on_event=on_event,
        policy=RunPolicy(concurrency=2, host_delay_s=0.3),
        stop=stop,
    )
    await asyncio.gather(*stopping)
    assert fake.rendered == URLS[:1]
    assert clock.now() < 1000.3  # stopped while the second page waited for its host


# -- job runs: results.jsonl, run.json, resume ----------------------------------------------------


def job(tmp_path: Path, urls: Sequence[str] = URLS, **fields: Any) -> Job:
    """Return a job over urls writing under tmp_path/archives, without WACZ unless asked."""
    data: dict[str, Any] = {
        "version": 1,
        "name": "daily",
        "urls": list(urls),
        "output": tmp_path / "archives",
        "defaults": {"viewport": "320x240"},
        "concurrency": 1,
        "retries": 0,
        "wacz": False,
        **fields,
    }
    return Job.model_validate(data)


async def run(
    the_job: Job,
    fake: FakeRenderer,
    *,
    stop_after: int | None = None,
    resume: bool | Path = False,
) -> RunResult:
    """Run the job with the fake; stop_after=N sets stop when capture N (from 1) starts."""
    stop = asyncio.Event()

    def on_event(event: ProgressEvent) -> None:
        if not isinstance(event, CaptureStarted) or stop_after is None:
            return
        if event.index + 1 >= stop_after:
            stop.set()

    return await api.run_job(
        the_job,
        the_job.urls,
        resume=resume,
        renderer=fake,
        seams=SEAMS,
        on_event=on_event,
        stop=stop,
    )


def capture_bytes(folder: str) -> bytes:
    """Return the bytes of a capture folder's capture.json."""
    return Path(folder, "capture.json").read_bytes()


def rows(folder: Path) -> list[dict[str, Any]]:
    """Return the rows of a run folder's results.jsonl."""
    text = (folder / "results.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def run_json(folder: Path) -> dict[str, Any]:
    """Return a run folder's run.json."""
    data: dict[str, Any] = json.loads((folder / "run.json").read_text("utf-8"))
    return data


def valid_warc(path: Path) -> int:
    """Return the number of records of a WARC after reading every one (raises when corrupt)."""
    count = 0
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests="raise"):
            record.raw_stream.read()
            count += 1
    return count


async def test_a_job_run_writes_one_result_row_per_url_in_order(tmp_path: Path) -> None:
    fake = FakeRenderer(outcomes={URLS[2]: failing(DNS)})
    result = await run(job(tmp_path, URLS[:3]), fake)

    table = rows(result.folder)
    assert [(r["url"], r["state"], r["attempts"]) for r in table] == [
        (URLS[0], "complete", 1),
        (URLS[1], "complete", 1),
        (URLS[2], "failed", 1),
    ]
    assert table[2]["error"] == DNS.format(url=URLS[2])
    for row in table:
        assert {"started_at", "ended_at", "duration_s", "bytes", "exchanges", "folder"} <= set(row)
        assert (Path(row["folder"]) / "capture.json").is_file()
    assert table[0]["bytes"] > 0
    assert result.folder.parent == tmp_path / "archives" / "daily"
    assert (result.folder / "index.html").is_file()


async def test_run_json_holds_the_job_times_counts_and_versions(tmp_path: Path) -> None:
    result = await run(job(tmp_path, URLS[:2], retries=1, host_delay_s=0.01), FakeRenderer())

    info = run_json(result.folder)
    assert info["state"] == "finished"
    assert info["job"]["name"] == "daily"
    assert info["job"]["urls"] == URLS[:2]
    assert info["policy"] == {
        "concurrency": 1,
        "retries": 1,
        "retry_backoff_s": 2.0,
        "host_delay_s": 0.01,
    }
    assert info["counts"] == {"complete": 2, "partial": 0, "failed": 0}
    assert info["started_at"] <= info["ended_at"]
    assert info["software"]["capture"]


async def test_a_url_listed_twice_is_captured_once(tmp_path: Path) -> None:
    fake = FakeRenderer()
    result = await run(job(tmp_path, [URLS[0], URLS[1], "HTTPS://NEWS.EXAMPLE/story/1"]), fake)
    assert sorted(fake.rendered) == sorted(URLS[:2])
    assert len(rows(result.folder)) == 2


async def test_a_stopped_run_is_interrupted_and_keeps_what_finished(tmp_path: Path) -> None:
    fake = FakeRenderer()
    result = await run(job(tmp_path), fake, stop_after=2)

    assert fake.rendered == URLS[:2]
    assert result.not_started == 4
    assert run_json(result.folder)["state"] == "interrupted"
    assert [r["url"] for r in rows(result.folder)] == URLS[:2]
    for row in rows(result.folder):
        assert valid_warc(Path(row["folder"]) / "page.warc.gz") > 0
    assert not (result.folder / "index.html").exists()


async def test_resume_captures_only_what_did_not_finish(tmp_path: Path) -> None:
    the_job = job(tmp_path)
    first = await run(the_job, FakeRenderer(), stop_after=2)
    kept = {row["folder"]: capture_bytes(row["folder"]) for row in rows(first.folder)}

    fake = FakeRenderer()
    second = await run(the_job, fake, resume=True)

    assert second.folder == first.folder
    assert fake.rendered == URLS[2:]
    for folder, document in kept.items():
        assert capture_bytes(folder) == document
    assert [r["url"] for r in rows(second.folder)] == URLS
    info = run_json(second.folder)
    assert info["state"] == "finished"
    assert len(info["resumed_at"]) == 1
    assert info["counts"]["complete"] == 6


async def test_resume_redoes_a_capture_left_open_and_clears_its_leftovers(tmp_path: Path) -> None:
    the_job = job(tmp_path, URLS[:3])
    first = await run(the_job, FakeRenderer())
    folders = [Path(row["folder"]) for row in rows(first.folder)]
    # As a SIGKILL leaves them: a WARC still open beside a finished-looking capture.json, and a
    # folder with only a half-written WARC.
    (folders[1] / "page.warc.gz.open").write_bytes(b"\x1f\x8b half a record")
    for name in list(folders[2].iterdir()):
        name.unlink()
    (folders[2] / "page.warc.gz.open").write_bytes(b"\x1f\x8b")
    info = run_json(first.folder)
    first.folder.joinpath("run.json").write_text(json.dumps({**info, "state": "running"}))

    fake = FakeRenderer()
    second = await run(the_job, fake, resume=True)

    assert second.folder == first.folder
    assert fake.rendered == URLS[1:3]
    for folder in folders:
        assert not list(folder.glob("*.open"))
        assert valid_warc(folder / "page.warc.gz") > 0
    assert len(rows(second.folder)) == 3


async def test_resume_of_a_named_run_folder_continues_that_one(tmp_path: Path) -> None:
    the_job = job(tmp_path)
    first = await run(the_job, FakeRenderer(), stop_after=1)
    fake = FakeRenderer()
    second = await run(the_job, fake, resume=first.folder)
    assert second.folder == first.folder
    assert fake.rendered == URLS[1:]


async def test_resume_without_an_unfinished_run_starts_a_new_one(tmp_path: Path) -> None:
    the_job = job(tmp_path, URLS[:1])
    first = await run(the_job, FakeRenderer())
    fake = FakeRenderer()
    seams_later = replace(SEAMS, clock=lambda: __import__("datetime").datetime(2030, 1, 1))
    second = await api.run_job(the_job, the_job.urls, resume=True, renderer=fake, seams=seams_later)
    assert second.folder != first.folder
    assert fake.rendered == URLS[:1]


async def test_resume_of_a_folder_that_is_not_a_run_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a run folder"):
        await run(job(tmp_path), FakeRenderer(), resume=tmp_path)


async def test_a_write_error_stops_the_run_and_what_finished_stays_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_append = RunFolder.append_result

    def append_or_fail(self: RunFolder, row: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OutputError("Could not append to results.jsonl (No space left on device).")
        real_append(self, row)

    monkeypatch.setattr(RunFolder, "append_result", append_or_fail)
    with pytest.raises(OutputError, match="No space left"):
        await run(job(tmp_path), FakeRenderer())

    (folder,) = (tmp_path / "archives" / "daily").iterdir()
    assert run_json(folder)["state"] == "interrupted"
    table = rows(folder)
    assert len(table) == 3  # the third capture finished on disk before the append failed
    for row in table:
        assert valid_warc(Path(row["folder"]) / "page.warc.gz") > 0
    finished = {Path(row["folder"]) for row in table}
    assert all(path.parent not in finished for path in folder.rglob("*.open"))

    monkeypatch.setattr(RunFolder, "append_result", real_append)
    fake = FakeRenderer()
    resumed = await run(job(tmp_path), fake, resume=True)
    assert fake.rendered == URLS[3:]
    assert [row["url"] for row in rows(resumed.folder)] == URLS
    assert not list(folder.rglob("*.open"))
