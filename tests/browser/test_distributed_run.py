"""A 40-URL job through Redis and two `capture worker` processes, one killed with SIGKILL.

Every URL must end with exactly one complete capture, the run WACZ must validate, no page may
be captured twice (a page is fetched again only when its first capture was cut by the kill),
the broker password must appear in no output, and every capture must be sealed with the job's
key, which only the submitting process holds.

Its short lease and visibility timeout make the submitter's sending again of the dead worker's
tasks and the broker's own redelivery of them race: the lease must still let one capture each.
(test_distributed_kill.py kills a worker with every setting at its default.)
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
from capture.evidence.keys import generate_key_pair
from capture.evidence.verify import verify_path
from capture.evidence.waczfixity import verify_wacz
from tests.redis_server import redis_server

pytestmark = pytest.mark.browser

PASSWORD = "pa:ss@w%rd-7f3a"
URLS = 40
PROCESSES = 2
KILL_AFTER = 10
BIN = Path(sys.executable).parent
QUOTED_PASSWORD = "pa%3Ass%40w%25rd-7f3a"


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    """Yield the port of a fresh redis-server on 127.0.0.1 that asks for PASSWORD."""
    with redis_server(tmp_path, PASSWORD) as port:
        yield port


class CountingSite:
    """Forty article pages that answer after 300 ms and log when each was fetched."""

    def __init__(self) -> None:
        self.site = LocalSite()
        self.fetches: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        for number in range(URLS):
            self.site.add_route(f"/p/{number}", self._page)

    def _page(self, request: SiteRequest) -> Reply:
        with self._lock:
            self.fetches.setdefault(request.path, []).append(time.monotonic())
        title = f"Harbour story {request.path.rsplit('/', 1)[-1]}"
        body = f"<h1>{title}</h1>" + "<p>The council voted for the new sea wall.</p>" * 12
        page = html(f"<!doctype html><title>{title}</title><article>{body}</article>")
        return Reply(page.status, page.headers, page.body, delay_s=0.3)


@pytest.fixture
def site() -> Iterator[CountingSite]:
    """Yield the counting site, started on 127.0.0.1."""
    counting = CountingSite()
    with counting.site:
        yield counting


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "capture.cli", "worker"]


def _run_command() -> list[str]:
    return [sys.executable, "-m", "capture.cli", "run"]


def _start_worker(
    name: str, broker: str, output: Path, logs: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    command = [*_worker_command(), "--broker", broker, "--output", str(output)]
    command += ["--processes", str(PROCESSES), "--visibility-timeout", "12"]
    command += ["--lease-timeout", "5", "--name", name, "-v"]
    with (logs / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _finished_urls(output: Path) -> set[str]:
    urls = set()
    for path in output.glob("dist/*/captures/*/capture.json"):
        with contextlib.suppress(OSError, ValueError):
            urls.add(json.loads(path.read_text(encoding="utf-8"))["url"])
    return urls


def _results_rows(output: Path) -> int:
    return sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in output.glob("dist/*/results.jsonl")
    )


def _write_job(path: Path, output: Path, urls: list[str], key: Path) -> Path:
    path.write_text(
        "version: 1\nname: dist\nretries: 1\nretry_backoff_s: 1\n"
        f"output: {output}\nsign_key: {key}\ndefaults:\n  timeout_s: 30\nurls:\n"
        + "".join(f"  - {url}\n" for url in urls),
        encoding="utf-8",
    )
    return path


def _run_and_kill_one_worker(
    redis_port: int, job: Path, output: Path, logs: Path
) -> tuple[int, set[str]]:
    """Run the job on two workers, SIGKILL one mid-run; return (exit code, URLs done by then)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    plain = f"redis://127.0.0.1:{redis_port}/0"
    with_secret = f"redis://:{QUOTED_PASSWORD}@127.0.0.1:{redis_port}/0"
    secret_env = {**env, "CAPTURE_BROKER_PASSWORD": PASSWORD}
    doomed = _start_worker("doomed", with_secret, output, logs, env)
    survivor = _start_worker("survivor", plain, output, logs, secret_env)
    submitter: subprocess.Popen[bytes] | None = None
    try:
        with (logs / "submit.log").open("wb") as log:
            command = [*_run_command(), str(job), "--broker", with_secret]
            submitter = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while _results_rows(output) < KILL_AFTER:
            assert submitter.poll() is None, (logs / "submit.log").read_text()
            assert time.monotonic() < deadline, "the run did not get going within 60 s"
            time.sleep(0.1)
        os.killpg(doomed.pid, signal.SIGKILL)
        finished_at_kill = _finished_urls(output)
        return submitter.wait(timeout=75), finished_at_kill
    finally:
        for worker in (doomed, survivor):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM if worker is survivor else signal.SIGKILL)
        for process in (doomed, survivor, submitter):
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(
                    process.pid, signal.SIGKILL
                ) if process is not submitter else process.kill()
                process.wait(timeout=5)


def test_a_worker_killed_mid_run_loses_no_url_and_captures_none_twice(
    redis_port: int, site: CountingSite, tmp_path: Path
) -> None:
    output = tmp_path / "archives"
    urls = [site.site.url(f"/p/{number}") for number in range(URLS)]
    generate_key_pair(tmp_path / "clerk")
    job = _write_job(tmp_path / "dist.yaml", output, urls, tmp_path / "clerk")

    code, finished_at_kill = _run_and_kill_one_worker(redis_port, job, output, tmp_path)

    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert code == 0, logs["submit.log"] + logs["survivor.log"]
    assert len(finished_at_kill) < URLS, "the kill came after the run had finished"
    (run,) = output.glob("dist/*/run.json")
    _assert_one_complete_capture_per_url(run.parent, urls)
    _assert_no_page_captured_twice(site, urls, logs)
    texts = dict(logs)
    for path in run.parent.rglob("*"):
        if path.suffix in (".json", ".jsonl", ".html"):
            texts[str(path)] = path.read_text(errors="replace")
    for name, text in texts.items():
        assert PASSWORD not in text, name
        assert QUOTED_PASSWORD not in text, name
    info = json.loads(run.read_text(encoding="utf-8"))
    assert info["queue"]["broker"] == f"redis://:***@127.0.0.1:{redis_port}/0"
    report = verify_path(run.parent, public_key=tmp_path / "clerk.pub")
    assert report.ok, report.to_text()
    assert len(list(run.parent.glob("captures/*/seal.json"))) == URLS
    private = (tmp_path / "clerk").read_text().splitlines()[1]
    assert not any(private in text for text in texts.values())


def _assert_one_complete_capture_per_url(run_folder: Path, urls: list[str]) -> None:
    info = json.loads((run_folder / "run.json").read_text(encoding="utf-8"))
    assert info["state"] == "finished"
    assert info["counts"] == {"complete": URLS, "partial": 0, "failed": 0}
    rows = [json.loads(line) for line in (run_folder / "results.jsonl").read_text().splitlines()]
    assert sorted(row["url"] for row in rows) == sorted(urls)
    captures = sorted((run_folder / "captures").iterdir())
    assert len(captures) == URLS
    for folder in captures:
        assert not list(folder.glob("*.open")), folder
        capture = json.loads((folder / "capture.json").read_text(encoding="utf-8"))
        assert capture["state"] == "complete", folder
        assert len(capture["attempts"]) == 1, folder
    (wacz,) = run_folder.glob("*.wacz")
    assert verify_wacz(wacz) == []


def _assert_no_page_captured_twice(
    site: CountingSite, urls: list[str], logs: dict[str, str]
) -> None:
    """Each folder was captured by one task; a page is fetched again only after the kill."""
    captured = re.findall(r"'outcome': 'captured', 'key': '([^']+)'", "".join(logs.values()))
    assert len(captured) == len(set(captured)), sorted(captured)
    assert len(captured) >= URLS - PROCESSES  # the doomed worker may die before logging
    path_of = {url: "/" + url.split("/", 3)[3] for url in urls}
    assert sorted(site.fetches) == sorted(path_of.values())
    twice = {path for path, times in site.fetches.items() if len(times) > 1}
    assert all(len(times) <= 2 for times in site.fetches.values()), site.fetches
    assert len(twice) <= 2 * PROCESSES, twice  # the doomed worker's captures cut short
