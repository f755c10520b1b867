"""One capture end to end, and runs of many, through the fake renderer (no browser)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from capture import api
from capture.api import capture_urls
from capture.browser.recorder import ExchangeSink
from capture.errors import NavigationError, OutputError, UsageError
from capture.exchanges import Exchange
from capture.models import CaptureRequest, CaptureState, FirstScreen, PageCapture
from capture.options import CaptureOptions
from capture.output import files
from capture.output import folder as folder_files
from capture.output.warc import WarcFile
from capture.progress import CaptureFinished, CaptureStarted, ProgressEvent
from capture.run import pipeline, runner
from capture.run.pipeline import Seams, capture_page
from tests.fakes import (
    ARTICLE_TITLE,
    FAKE_MACHINE,
    FakeRenderer,
    complete_page,
    counting_ids,
    exchange,
    failed_page,
    fixed_clock,
    partial_page,
    small_viewport,
)

URL = "https://news.example.org/story"
OPTIONS = CaptureOptions(viewport=small_viewport())
EVERY_FILE = [
    "article.json",
    "article.md",
    "article.txt",
    "capture.json",
    "dom.html",
    "page.warc.gz",
    "provenance.html",
    "screenshot.png",
    "thumbnail.webp",
    "viewport.png",
]


@pytest.fixture
def seams() -> Seams:
    """Return seams with a fixed clock, counting record ids and a fixed machine."""
    return Seams(clock=fixed_clock(), new_id=counting_ids(), machine=FAKE_MACHINE)


def request_for(folder: Path, url: str = URL) -> CaptureRequest:
    """Return a request for url into folder with a small viewport."""
    return CaptureRequest(url, folder, OPTIONS)


def warc_records(path: Path) -> list[tuple[str, str, bytes]]:
    """Return (type, target URI, content) of each record, with digests checked."""
    found = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests="raise"):
            content = record.content_stream().read()
            assert record.digest_checker.passed is True
            headers = record.rec_headers
            found.append(
                (headers.get_header("WARC-Type"), headers.get_header("WARC-Target-URI"), content)
            )
    return found


def read_capture_json(folder: Path) -> dict[str, Any]:
    """Return the folder's capture.json."""
    data: dict[str, Any] = json.loads((folder / "capture.json").read_text("utf-8"))
    return data


def files_in(folder: Path) -> list[str]:
    """Return the names of every file in folder, hidden ones included."""
    return sorted(path.name for path in folder.iterdir())


# -- one capture --------------------------------------------------------------------------------


async def test_a_complete_capture_writes_every_file(tmp_path: Path, seams: Seams) -> None:
    folder = tmp_path / "capture"
    result = await capture_page(request_for(folder), FakeRenderer(), seams)

    assert files_in(folder) == EVERY_FILE
    assert (result.url, result.state, result.folder, result.error) == (
        URL,
        CaptureState.COMPLETE,
        folder,
        None,
    )
    assert (result.title, result.exchanges, result.duration_s) == (ARTICLE_TITLE, 1, 1.5)


async def test_the_files_hold_what_the_browser_saw(tmp_path: Path, seams: Seams) -> None:
    renderer = FakeRenderer()
    await capture_page(request_for(tmp_path), renderer, seams)

    with Image.open(tmp_path / "screenshot.png") as shot:
        assert shot.size == (320, 480)
    with Image.open(tmp_path / "viewport.png") as view:
        assert view.size == (320, 240)
    with Image.open(tmp_path / "thumbnail.webp") as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (400, 300))
    assert "<h1>Harbour Council Approves New Sea Wall</h1>" in (tmp_path / "dom.html").read_text()
    text = (tmp_path / "article.txt").read_text("utf-8")
    assert text.startswith("The harbour council voted on Tuesday evening")
    assert "Copyright" not in text
    assert json.loads((tmp_path / "article.json").read_text())["title"] == ARTICLE_TITLE


async def test_first_screen_files_made_with_the_shot_are_written_as_they_came(
    tmp_path: Path, seams: Seams
) -> None:
    def with_first_screen(request: CaptureRequest) -> PageCapture:
        page = complete_page(request)
        assert page.screenshot is not None
        made = FirstScreen(b"view made by the renderer", b"thumbnail made by the renderer")
        return replace(page, screenshot=replace(page.screenshot, first_screen=made))

    renderer = FakeRenderer(outcomes={URL: with_first_screen})
    await capture_page(request_for(tmp_path), renderer, seams)

    assert (tmp_path / "viewport.png").read_bytes() == b"view made by the renderer"
    assert (tmp_path / "thumbnail.webp").read_bytes() == b"thumbnail made by the renderer"


async def test_the_warc_holds_the_exchanges_then_every_output_as_resources(
    tmp_path: Path, seams: Seams
) -> None:
    body = b"<html>the page</html>"
    renderer = FakeRenderer(exchanges={URL: [exchange(URL, body)]})
    await capture_page(request_for(tmp_path), renderer, seams)

    found = warc_records(tmp_path / "page.warc.gz")
    assert [(kind, uri) for kind, uri, _ in found] == [
        ("warcinfo", None),
        ("response", URL),
        ("request", URL),
        ("resource", f"urn:screenshot:{URL}"),
        ("resource", f"urn:view:{URL}"),
        ("resource", f"urn:thumbnail:{URL}"),
        ("resource", f"urn:dom:{URL}"),
        ("resource", f"urn:text:{URL}"),
        ("resource", f"urn:markdown:{URL}"),
        ("resource", f"urn:provenance:{URL}"),
    ]
    assert found[1][2] == body
    contents = {uri: content for kind, uri, content in found if kind == "resource"}
    assert contents[f"urn:screenshot:{URL}"] == (tmp_path / "screenshot.png").read_bytes()
    assert contents[f"urn:text:{URL}"] == (tmp_path / "article.txt").read_bytes()
    assert b"isPartOf: " + URL.encode() in found[0][2]


async def test_capture_json_is_written_last_and_its_manifest_covers_every_file(
    tmp_path: Path, seams: Seams, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []

    def recording(real: Callable[[Path, Any], Path]) -> Callable[[Path, Any], Path]:
        def write(path: Path, data: Any) -> Path:
            written.append(path.name)
            return real(path, data)

        return write

    monkeypatch.setattr(folder_files, "write_bytes", recording(files.write_bytes))
    monkeypatch.setattr(folder_files, "write_json", recording(files.write_json))
    monkeypatch.setattr(pipeline, "write_bytes", recording(files.write_bytes))
    await capture_page(request_for(tmp_path), FakeRenderer(), seams)
    document = read_capture_json(tmp_path)

    assert written[-1] == "capture.json"
    assert [entry["name"] for entry in document["files"]] == [
        name for name in EVERY_FILE if name != "capture.json"
    ]
    for entry in document["files"]:
        data = (tmp_path / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert document["state"] == "complete"
    assert document["article"]["title"] == ARTICLE_TITLE
    assert document["machine"]["hostname"] == "test-host"


async def test_a_partial_capture_says_why(tmp_path: Path, seams: Seams) -> None:
    renderer = FakeRenderer(outcomes={URL: partial_page})
    result = await capture_page(request_for(tmp_path), renderer, seams)

    assert result.state is CaptureState.PARTIAL
    assert result.error == "screenshot: timed out after 5.0 s"
    assert "screenshot.png" not in files_in(tmp_path)
    assert read_capture_json(tmp_path)["partial_reasons"] == ["screenshot: timed out after 5.0 s"]


async def test_a_failed_page_still_gets_a_warc_and_capture_json(
    tmp_path: Path, seams: Seams
) -> None:
    renderer = FakeRenderer(outcomes={URL: failed_page})
    result = await capture_page(request_for(tmp_path), renderer, seams)

    assert result.state is CaptureState.FAILED
    assert result.error == f"Could not load {URL} (net::ERR_CONNECTION_REFUSED)."
    assert files_in(tmp_path) == ["capture.json", "page.warc.gz", "provenance.html"]
    kinds = [kind for kind, _, _ in warc_records(tmp_path / "page.warc.gz")]
    assert kinds == ["warcinfo", "resource"]  # the provenance page says why it failed
    assert "ERR_CONNECTION_REFUSED" in (tmp_path / "provenance.html").read_text()
    document = read_capture_json(tmp_path)
    assert (document["state"], document["error"]) == ("failed", result.error)
    assert [entry["name"] for entry in document["files"]] == ["page.warc.gz", "provenance.html"]


async def test_a_renderer_page_error_becomes_a_failed_result(tmp_path: Path, seams: Seams) -> None:
    renderer = FakeRenderer(outcomes={URL: NavigationError(f"Could not load {URL} (refused).")})
    result = await capture_page(request_for(tmp_path), renderer, seams)

    assert result.state is CaptureState.FAILED
    assert (tmp_path / "page.warc.gz").exists()


async def test_an_unwritable_folder_is_an_output_error(tmp_path: Path, seams: Seams) -> None:
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(OutputError, match="Could not create the folder"):
        await capture_page(request_for(tmp_path / "file" / "capture"), FakeRenderer(), seams)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fail writes")
async def test_a_full_disk_is_an_output_error(tmp_path: Path, seams: Seams) -> None:
    (tmp_path / "capture").mkdir()
    (tmp_path / "capture" / "page.warc.gz.open").symlink_to("/dev/full")
    with pytest.raises(OutputError, match="No space left on device"):
        await capture_page(request_for(tmp_path / "capture"), FakeRenderer(), seams)
    assert not (tmp_path / "capture").exists()  # nothing `.open` or half-written stays


class SwallowingRenderer(FakeRenderer):
    """Feeds exchanges as the real recorder does: an error from the sink is logged, not raised."""

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        def swallowing(exchange: Exchange) -> None:
            with contextlib.suppress(Exception):
                sink(exchange)

        return await super().render(request, swallowing)


async def test_a_disk_that_fills_while_the_page_renders_stops_the_capture(
    tmp_path: Path, seams: Seams, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = WarcFile.write
    calls = 0

    def filling(self: WarcFile, *records: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # warcinfo goes in, the page's first exchange finds the disk full
            raise OutputError("Could not write page.warc.gz.open (No space left on device).")
        real_write(self, *records)

    monkeypatch.setattr(WarcFile, "write", filling)
    with pytest.raises(OutputError, match="No space left on device"):
        renderer = SwallowingRenderer(exchanges={URL: [exchange(URL, b"<p>story</p>")]})
        await capture_page(request_for(tmp_path), renderer, seams)
    assert not (tmp_path / "capture.json").exists()  # never passed off as a finished capture
    assert not (tmp_path / "page.warc.gz.open").exists()  # nothing left `.open`


# -- many captures ------------------------------------------------------------------------------


def requests_for(tmp_path: Path, count: int) -> list[CaptureRequest]:
    """Return count requests for distinct URLs, each into its own folder."""
    return [request_for(tmp_path / f"c{i}", f"https://site{i}.example/page") for i in range(count)]


async def test_a_crashing_renderer_fails_its_url_with_a_capture_json(
    tmp_path: Path, seams: Seams
) -> None:
    requests = requests_for(tmp_path, 3)
    crash = RuntimeError("renderer exploded")
    renderer = FakeRenderer(outcomes={requests[1].url: crash})

    results = await runner.run_captures(requests, renderer, seams=seams)

    assert [r.state for r in results] == [
        CaptureState.COMPLETE,
        CaptureState.FAILED,
        CaptureState.COMPLETE,
    ]
    assert results[1].error is not None
    assert "RuntimeError: renderer exploded" in results[1].error
    document = read_capture_json(requests[1].folder)
    assert (document["state"], document["url"]) == ("failed", requests[1].url)
    assert document["error"] == results[1].error
    assert (requests[2].folder / "capture.json").exists()


async def test_a_crashed_capture_json_manifest_lists_every_file(
    tmp_path: Path, seams: Seams
) -> None:
    (request,) = requests_for(tmp_path, 1)
    renderer = FakeRenderer(outcomes={request.url: RuntimeError("boom")})
    await runner.run_captures([request], renderer, seams=seams)

    listed = [entry["name"] for entry in read_capture_json(request.folder)["files"]]
    assert listed == [name for name in files_in(request.folder) if name != "capture.json"]


async def test_results_come_back_in_request_order_whatever_order_renders_finish(
    tmp_path: Path, seams: Seams
) -> None:
    requests = requests_for(tmp_path, 4)
    # The first request takes longest, the last is quickest.
    renderer = FakeRenderer(yields={r.url: 40 - 10 * i for i, r in enumerate(requests)})

    results = await runner.run_captures(requests, renderer, concurrency=4, seams=seams)

    assert renderer.finished == [r.url for r in reversed(requests)]
    assert [r.url for r in results] == [r.url for r in requests]


@pytest.mark.parametrize("concurrency", [1, 2, 6])
async def test_concurrency_bounds_the_renders_in_flight(
    tmp_path: Path, seams: Seams, concurrency: int
) -> None:
    renderer = FakeRenderer(default_yields=5)
    results = await runner.run_captures(
        requests_for(tmp_path, 6), renderer, concurrency=concurrency, seams=seams
    )

    assert renderer.max_active == concurrency
    assert len(results) == 6


async def test_progress_events_bracket_each_capture(tmp_path: Path, seams: Seams) -> None:
    events: list[ProgressEvent] = []
    requests = requests_for(tmp_path, 2)
    await runner.run_captures(requests, FakeRenderer(), on_event=events.append, seams=seams)

    assert [type(e).__name__ for e in events] == [
        "CaptureStarted",
        "CaptureFinished",
        "CaptureStarted",
        "CaptureFinished",
    ]
    started = [e for e in events if isinstance(e, CaptureStarted)]
    finished = [e for e in events if isinstance(e, CaptureFinished)]
    assert [(e.url, e.index, e.total) for e in started] == [
        (r.url, i, 2) for i, r in enumerate(requests)
    ]
    assert [e.result.url for e in finished] == [r.url for r in requests]


async def test_an_output_error_stops_the_run_as_an_output_error(
    tmp_path: Path, seams: Seams
) -> None:
    (tmp_path / "blocked").write_text("a file where a folder should be")
    requests = [request_for(tmp_path / "blocked" / "c0"), *requests_for(tmp_path, 2)]

    with pytest.raises(OutputError):
        await runner.run_captures(requests, FakeRenderer(), seams=seams)


# -- the library's front door -------------------------------------------------------------------


async def test_capture_urls_makes_a_run_folder_named_by_the_clock(
    tmp_path: Path, seams: Seams
) -> None:
    renderer = FakeRenderer(outcomes={"https://b.example/": partial_page})
    run = await capture_urls(
        ["https://a.example", "https://b.example/", "https://a.example/"],
        output=tmp_path,
        options=OPTIONS,
        renderer=renderer,
        seams=seams,
    )

    assert run.folder == tmp_path / "20261127T064500Z"
    assert [r.url for r in run.results] == ["https://a.example/", "https://b.example/"]
    assert renderer.rendered == ["https://a.example/", "https://b.example/"]
    assert run.worst_state is CaptureState.PARTIAL
    captures = run.folder / "captures"
    assert sorted(p.name for p in captures.iterdir()) == sorted(r.folder.name for r in run.results)


async def test_a_second_run_in_the_same_second_gets_its_own_folder(
    tmp_path: Path, seams: Seams
) -> None:
    first = await capture_urls(
        ["https://a.example/"], output=tmp_path, renderer=FakeRenderer(), seams=seams
    )
    second = await capture_urls(
        ["https://a.example/"], output=tmp_path, renderer=FakeRenderer(), seams=seams
    )

    assert second.folder == first.folder.with_name(first.folder.name + "-2")


async def test_a_bad_url_stops_the_run_before_the_disk_is_touched(
    tmp_path: Path, seams: Seams
) -> None:
    renderer = FakeRenderer()
    with pytest.raises(UsageError, match=r"ftp://x\.example/"):
        await capture_urls(
            ["https://a.example/", "ftp://x.example/"],
            output=tmp_path / "archives",
            renderer=renderer,
            seams=seams,
        )

    assert not (tmp_path / "archives").exists()
    assert renderer.rendered == []


def test_worst_state_prefers_failed_then_partial(tmp_path: Path) -> None:
    def result(state: CaptureState) -> pipeline.CaptureResult:
        return pipeline.CaptureResult("https://a.example/", state, tmp_path)

    def worst(*states: CaptureState) -> CaptureState:
        return api.RunResult(tmp_path, tuple(result(s) for s in states)).worst_state

    assert worst(CaptureState.COMPLETE, CaptureState.COMPLETE) is CaptureState.COMPLETE
    assert worst(CaptureState.PARTIAL, CaptureState.COMPLETE) is CaptureState.PARTIAL
    assert worst(CaptureState.PARTIAL, CaptureState.FAILED) is CaptureState.FAILED


def test_capture_result_to_json_is_one_json_line(tmp_path: Path) -> None:
    result = pipeline.CaptureResult("https://a.example/", CaptureState.FAILED, tmp_path, "why")
    line = json.dumps(result.to_json())
    assert "\n" not in line
    assert json.loads(line)["error"] == "why"


async def let_the_loop_run(rounds: int = 20) -> None:
    """Let every task the event loop can run take its turns (a cancel is delivered and handled):
    no wall-clock sleep, the thread the test holds waits on an event."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def test_a_capture_cancelled_while_its_files_are_written_lets_the_writing_end_first() -> None:
    # Clean-up after a cancel (the WARC abandoned) must never race a thread still writing.
    started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def write() -> str:
        started.set()
        release.wait(5)
        done.append("written")
        return "written"

    task = asyncio.ensure_future(pipeline._off_loop(write))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await let_the_loop_run()
    task.cancel()  # a second cancel (a shutdown after a lost lease) waits all the same
    await let_the_loop_run()
    assert not task.done()  # still waiting for the thread, which waits for release
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["written"]


async def test_a_writing_thread_that_fails_after_a_cancel_is_logged_not_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started, release = threading.Event(), threading.Event()

    def write() -> None:
        started.set()
        release.wait(5)
        raise OSError(28, "No space left on device")

    task = asyncio.ensure_future(pipeline._off_loop(write))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await let_the_loop_run()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "failed after it was cancelled" in caplog.text
