"""Run folders: unique names, one process at a time, and resuming a run killed while packaging."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capture.api import capture_urls, execute
from capture.errors import UsageError
from capture.options import CaptureOptions
from capture.output.runfolder import RunFolder
from capture.plan import plan
from capture.progress import CaptureFinished, ProgressEvent
from capture.run.lifecycle import RunSettings
from capture.run.pipeline import Seams
from capture.run.runner import RunPolicy
from tests.fakes import FakeRenderer

MOMENT = datetime(2026, 11, 27, 7, 0, 0, tzinfo=UTC)


def test_runs_started_in_the_same_second_get_folders_of_their_own(tmp_path: Path) -> None:
    folders = {RunFolder.create(tmp_path, lambda: MOMENT).path for _ in range(3)}
    assert [p.name for p in sorted(folders)] == [
        "20261127T070000Z",
        "20261127T070000Z-2",
        "20261127T070000Z-3",
    ]


def test_a_run_folder_in_use_cannot_be_taken_by_a_second_run(tmp_path: Path) -> None:
    folder = RunFolder.create(tmp_path, lambda: MOMENT)
    second = RunFolder(folder.path)
    with (
        folder.locked(),
        pytest.raises(UsageError, match="in use by another capture run"),
        second.locked(),
    ):
        pass
    with RunFolder(folder.path).locked():  # free again once the first holder let go
        pass


async def test_a_run_killed_while_packaging_is_resumed_and_packaged(tmp_path: Path) -> None:
    urls = ["https://a.example/1", "https://a.example/2"]
    fake = FakeRenderer()
    first = await capture_urls(urls, output=tmp_path, renderer=fake)
    run_json = first.folder / "run.json"
    state = json.loads(run_json.read_text())
    assert state["state"] == "finished"
    # As if killed after every capture but before the report: state `captured`, no index.html.
    run_json.write_text(json.dumps({**state, "state": "captured"}))
    (first.folder / "index.html").unlink()

    folder = RunFolder.latest_unfinished(tmp_path)
    assert folder is not None and folder.path == first.folder
    again = await execute(
        folder,
        plan(urls, folder.path, CaptureOptions()),
        RunSettings(RunPolicy()),
        renderer=fake,
        seams=Seams(),
        on_event=None,
        stop=None,
    )
    assert fake.rendered == urls  # nothing captured twice
    assert (again.folder / "index.html").is_file()
    assert json.loads(run_json.read_text())["state"] == "finished"


async def test_rows_appended_while_resuming_name_the_url_that_just_finished(
    tmp_path: Path,
) -> None:
    urls = ["https://a.example/1", "https://a.example/2", "https://a.example/3"]
    first = await capture_urls(urls[:1], output=tmp_path, renderer=FakeRenderer())
    folder = RunFolder(first.folder)
    seen: list[tuple[str, str]] = []

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureFinished):
            last = (folder.path / "results.jsonl").read_text().splitlines()[-1]
            seen.append((event.result.url, json.loads(last)["url"]))

    await execute(
        folder,
        plan(urls, folder.path, CaptureOptions()),
        RunSettings(RunPolicy()),
        renderer=FakeRenderer(),
        seams=Seams(),
        on_event=on_event,
        stop=None,
    )
    assert seen == [(urls[1], urls[1]), (urls[2], urls[2])]
