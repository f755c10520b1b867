"""A real job in a real `capture run` process, stopped mid-run and resumed.

The fixture site answers every page after a second, so captures are in flight when the signal
lands. The process is stopped with SIGINT (as `kill -INT`), with SIGINT to its whole process group
(as Ctrl-C in a terminal), and with SIGKILL; each time the files left must be valid and
`--resume` must finish the rest without capturing anything twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html
from capture.errors import ExitCode

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
PAGES = 6
PAGE_DELAY_S = 1.0
COMMAND = [sys.executable, "-m", "capture.cli"]


def page(request: SiteRequest) -> Reply:
    """Return a short article after PAGE_DELAY_S."""
    number = request.path.rsplit("/", 1)[1]
    body = html(
        f"<!doctype html><html lang=en><title>Story {number}</title><main><article>"
        f"<h1>Story {number}</h1><p>The harbour council met again on day {number}.</p>"
        "</article></main></html>"
    )
    return Reply(body.status, body.headers, body.body, delay_s=PAGE_DELAY_S)


@pytest.fixture(scope="module")
def slow_site() -> Iterator[LocalSite]:
    """Yield a site whose pages /story/0 ... each take a second to answer."""
    with LocalSite(routes={f"/story/{n}": page for n in range(PAGES)}) as site:
        yield site


@pytest.fixture
def job(tmp_path: Path, slow_site: LocalSite) -> Path:
    """Write a job over the slow site's pages, two at a time, into tmp_path/archives."""
    urls = "".join(f"  - {slow_site.url(f'/story/{n}')}\n" for n in range(PAGES))
    path = tmp_path / "job.yaml"
    path.write_text(
        "version: 1\nname: slow\nurls:\n"
        + urls
        + "defaults:\n  viewport: 800x600\n  timeout_s: 30\n"
        + f"concurrency: 2\nretries: 0\nwacz: false\noutput: {tmp_path / 'archives'}\n",
        encoding="utf-8",
    )
    return path


def start(job: Path, *flags: str) -> subprocess.Popen[str]:
    """Start `capture run job` in a new process group (so a group signal reaches only it)."""
    return subprocess.Popen(
        [*COMMAND, "run", str(job), *flags],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str], timeout_s: float = 45) -> tuple[int, str, str]:
    """Wait for the process; return its exit code, stdout and stderr (skip when no browser)."""
    out, err = process.communicate(timeout=timeout_s)
    if process.returncode == ExitCode.BROWSER and not os.environ.get("CI"):
        pytest.skip(f"no browser: {err.strip()}")
    return process.returncode, out, err


def wait_for_first_result(job: Path, process: subprocess.Popen[str]) -> Path:
    """Return the run folder once results.jsonl has its first row (the run is mid-way)."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        for results in (job.parent / "archives" / "slow").glob("*/results.jsonl"):
            if results.read_text("utf-8").strip():
                return results.parent
        if process.poll() is not None:
            finish(process)
            pytest.fail(f"capture run ended early ({process.returncode})")
        time.sleep(0.05)
    process.kill()
    pytest.fail("no capture finished within 40 s")


def read_json(path: Path) -> dict[str, Any]:
    """Return a JSON file's object."""
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def rows(folder: Path) -> list[dict[str, Any]]:
    """Return results.jsonl's rows (each line must be whole JSON)."""
    lines = (folder / "results.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def check_no_corrupt_file(folder: Path) -> dict[str, str]:
    """Check every capture folder and return {folder name: started_at} of the finished ones.

    A finished capture has capture.json, a WARC that reads to the end with valid digests, and
    no `.open` file; an unfinished one has no capture.json and its WARC (if any) still `.open`.
    """
    finished = {}
    for capture in sorted((folder / "captures").iterdir()):
        document = capture / "capture.json"
        if document.is_file():
            assert not list(capture.glob("*.open")), capture
            with (capture / "page.warc.gz").open("rb") as handle:
                records = 0
                for record in ArchiveIterator(handle, check_digests="raise"):
                    record.raw_stream.read()
                    records += 1
            assert records > 2, capture
            finished[capture.name] = read_json(document)["started_at"]
        else:
            assert {p.name for p in capture.iterdir()} <= {"page.warc.gz.open"}, capture
    return finished


def resume_and_check(job: Path, folder: Path, site: LocalSite, kept: dict[str, str]) -> None:
    """Resume the run; check it finishes, keeps what was finished and fetches each page once."""
    site.clear_requests()
    code, out, err = finish(start(job, "--resume"))
    assert code == ExitCode.OK, err
    assert f"resuming: {len(kept)} of {PAGES} already captured" in out

    again = [r.path for r in site.requests if r.path.startswith("/story/")]
    assert len(again) == PAGES - len(kept)
    assert read_json(folder / "run.json")["state"] == "finished"
    finished = check_no_corrupt_file(folder)
    assert len(finished) == PAGES
    assert {name: finished[name] for name in kept} == kept  # not captured again
    assert [row["state"] for row in rows(folder)] == ["complete"] * PAGES
    assert (folder / "index.html").is_file()


def test_an_interrupted_run_keeps_its_captures_and_resume_finishes_it(
    job: Path, slow_site: LocalSite
) -> None:
    process = start(job)
    folder = wait_for_first_result(job, process)
    began = time.monotonic()
    process.send_signal(signal.SIGINT)
    code, out, err = finish(process)

    assert code == ExitCode.INTERRUPTED, err
    assert time.monotonic() - began < 20
    assert "stopping; captures in flight finish" in err
    assert read_json(folder / "run.json")["state"] == "interrupted"
    kept = check_no_corrupt_file(folder)
    assert 1 <= len(kept) < PAGES
    assert [row["state"] for row in rows(folder)] == ["complete"] * len(kept)
    assert "not started (resume with --resume)" in out

    resume_and_check(job, folder, slow_site, kept)


def test_ctrl_c_in_a_terminal_lets_captures_in_flight_finish(
    job: Path, slow_site: LocalSite
) -> None:
    process = start(job)
    folder = wait_for_first_result(job, process)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    code, _, err = finish(process)

    assert code == ExitCode.INTERRUPTED, err
    assert [row["state"] for row in rows(folder)] == ["complete"] * len(rows(folder))


def test_a_killed_run_leaves_no_corrupt_file_and_resume_finishes_it(
    job: Path, slow_site: LocalSite
) -> None:
    process = start(job)
    folder = wait_for_first_result(job, process)
    time.sleep(0.5)  # the next captures are mid-way
    process.kill()
    process.communicate(timeout=30)

    assert read_json(folder / "run.json")["state"] == "running"
    kept = check_no_corrupt_file(folder)
    assert 1 <= len(kept) < PAGES
    assert len(rows(folder)) == len(kept)

    resume_and_check(job, folder, slow_site, kept)
