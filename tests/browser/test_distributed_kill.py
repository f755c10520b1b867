"""A worker killed with SIGKILL mid-capture, with every setting at its default.

The broker would deliver the dead worker's task again only after its visibility timeout (600 s);
the submitting `capture run --broker` sends it again once the capture's lease lapses (30 s), so
the run ends about a minute after the kill with every URL captured exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html
from tests.redis_server import redis_server

pytestmark = pytest.mark.browser

URLS = 3
PAGE_DELAY_S = 4.0
"""Each page answers this late, so the kill lands while the first one loads."""
AFTER_KILL_S = 90.0
"""The run's end after the kill, bounded generously: lease (30 s) + two checks (10 s) + pages."""


class SlowSite:
    """Article pages that answer after PAGE_DELAY_S and log when each was asked for."""

    def __init__(self) -> None:
        self.site = LocalSite()
        self.fetches: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        for number in range(URLS):
            self.site.add_route(f"/p/{number}", self._page)

    def _page(self, request: SiteRequest) -> Reply:
        with self._lock:
            self.fetches.setdefault(request.path, []).append(time.monotonic())
        title = f"Ferry timetable {request.path.rsplit('/', 1)[-1]}"
        body = f"<h1>{title}</h1>" + "<p>The winter timetable starts in November.</p>" * 8
        page = html(f"<!doctype html><title>{title}</title><article>{body}</article>")
        return Reply(page.status, page.headers, page.body, delay_s=PAGE_DELAY_S)

    def fetched(self) -> int:
        """Return how many page requests arrived so far."""
        with self._lock:
            return sum(len(times) for times in self.fetches.values())


@pytest.fixture
def site() -> Iterator[SlowSite]:
    """Yield the slow site, started on 127.0.0.1."""
    slow = SlowSite()
    with slow.site:
        yield slow


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _worker(name: str, broker: str, output: Path, logs: Path) -> subprocess.Popen[bytes]:
    """Start `capture worker` with its defaults: one process, no timeout flags."""
    command = [sys.executable, "-m", "capture.cli", "worker", "--broker", broker]
    return _start([*command, "--output", str(output), "--name", name, "-v"], logs / f"{name}.log")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _write_job(path: Path, output: Path, urls: list[str]) -> Path:
    path.write_text(
        f"version: 1\nname: ferry\noutput: {output}\ndefaults:\n  timeout_s: 30\nurls:\n"
        + "".join(f"  - {url}\n" for url in urls),
        encoding="utf-8",
    )
    return path


def test_a_killed_workers_capture_is_done_again_within_a_minute_with_the_defaults(
    site: SlowSite, tmp_path: Path
) -> None:
    output = tmp_path / "archives"
    urls = [site.site.url(f"/p/{number}") for number in range(URLS)]
    job = _write_job(tmp_path / "ferry.yaml", output, urls)
    processes: list[subprocess.Popen[bytes] | None] = []
    with redis_server(tmp_path) as port:
        broker = f"redis://127.0.0.1:{port}/0"
        try:
            doomed = _worker("doomed", broker, output, tmp_path)
            processes.append(doomed)
            run = [sys.executable, "-m", "capture.cli", "run", str(job), "--broker", broker]
            submitter = _start(run, tmp_path / "submit.log")
            processes.append(submitter)
            deadline = time.monotonic() + 90
            while site.fetched() == 0:  # the doomed worker, alone, is loading the first page
                assert submitter.poll() is None, (tmp_path / "submit.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "doomed.log").read_text()
                time.sleep(0.05)
            os.killpg(doomed.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            (cut,) = site.fetches
            processes.append(_worker("survivor", broker, output, tmp_path))
            code = submitter.wait(timeout=AFTER_KILL_S + 30)
            ended_s = time.monotonic() - killed_at
        finally:
            for process in reversed(processes):
                _stop(process)

    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert code == 0, logs["submit.log"] + logs["survivor.log"]
    assert ended_s < AFTER_KILL_S, f"the run ended {ended_s:.0f} s after the kill"
    assert "its task is sent again" in logs["submit.log"]
    (run_json,) = output.glob("ferry/*/run.json")
    info = json.loads(run_json.read_text(encoding="utf-8"))
    assert info["state"] == "finished"
    assert info["counts"] == {"complete": URLS, "partial": 0, "failed": 0}
    rows = (run_json.parent / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(row)["url"] for row in rows) == sorted(urls)
    for folder in (run_json.parent / "captures").iterdir():
        capture = json.loads((folder / "capture.json").read_text(encoding="utf-8"))
        assert capture["state"] == "complete", folder
        assert len(capture["attempts"]) == 1, folder
    captured = re.findall(r"'outcome': 'captured', 'key': '([^']+)'", logs["survivor.log"])
    assert len(captured) == URLS == len(set(captured))  # all by the survivor, each once
    assert "'outcome': 'captured'" not in logs["doomed.log"]  # it died before its first
    # The page cut by the kill was asked for twice (the dead attempt and the one sent again).
    assert {path: len(times) for path, times in site.fetches.items()} == {
        f"/p/{number}": 2 if f"/p/{number}" == cut else 1 for number in range(URLS)
    }
