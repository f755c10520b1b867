"""`capture run`, `capture check-config` and `capture schema` through `capture.cli.main`, with the
fake renderer in place of Chromium: exit codes, flags over the file, progress, signals, resume."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from capture import api, cli
from capture.browser.recorder import ExchangeSink
from capture.cli.display import Printer
from capture.errors import ExitCode, OutputError
from capture.models import CaptureRequest, PageCapture
from capture.output.runfolder import RunFolder
from capture.progress import CaptureFinished, CaptureStarted, RunFinished, RunStarted
from tests.fakes import FakeRenderer, failed_page, partial_page

REPO = Path(__file__).resolve().parents[2]
JOBS = REPO / "tests" / "sites" / "jobs"
URLS = [f"https://news.example/story/{n}" for n in range(1, 5)]


@dataclass
class SignallingRenderer(FakeRenderer):
    """A fake renderer that, when it starts certain URLs, sends this process SIGINT and holds.

    `signals` maps a URL to how many SIGINTs to send as its render starts; `hold_s` maps a URL
    to how long its render takes (a page still loading when the signal lands). The hold is
    real time: the CLI builds its own run (no clock to inject through argv), and a real OS
    signal has to reach its handlers meanwhile.
    """

    signals: dict[str, int] = field(default_factory=dict)
    hold_s: dict[str, float] = field(default_factory=dict)
    requests: list[CaptureRequest] = field(default_factory=list)

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        self.requests.append(request)
        for _ in range(self.signals.get(request.url, 0)):
            os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(self.hold_s.get(request.url, 0.0))
        return await super().render(request, sink)


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    """Restore SIGINT and SIGTERM handlers, so nothing a command installs outlives the test."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> SignallingRenderer:
    """Put a fake renderer where run_job opens Chromium, and return it."""
    renderer = SignallingRenderer()

    @asynccontextmanager
    async def open_fake(
        browser_path: str | None = None, *, spares: bool = True
    ) -> AsyncIterator[FakeRenderer]:
        yield renderer

    monkeypatch.setattr(api, "open_renderer", open_fake)
    return renderer


def main(*argv: str | Path) -> int:
    """Run the command line with argv."""
    return cli.main([str(arg) for arg in argv])


def write_job(tmp_path: Path, urls: list[str] = URLS, **extra: Any) -> Path:
    """Write a job file (small viewport, one at a time, no retries, no WACZ) and return it."""
    fields = {
        "concurrency": 1,
        "retries": 0,
        "wacz": "false",
        "output": str(tmp_path / "archives"),
        **extra,
    }
    lines = ["version: 1", "name: daily", "urls:", *(f"  - {url}" for url in urls)]
    lines += ["defaults:", "  viewport: 320x240"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    path = tmp_path / "job.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_folder(tmp_path: Path) -> Path:
    """Return the only run folder of the job named daily."""
    (folder,) = (tmp_path / "archives" / "daily").iterdir()
    return folder


def rows(folder: Path) -> list[dict[str, Any]]:
    """Return results.jsonl's rows."""
    lines = (folder / "results.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def state_of(folder: Path) -> Any:
    """Return run.json's state."""
    return json.loads((folder / "run.json").read_text("utf-8"))["state"]


def started_at(capture_folder: Path) -> Any:
    """Return when a capture started, from its capture.json."""
    return json.loads((capture_folder / "capture.json").read_text("utf-8"))["started_at"]


def check_warcs(folder: Path) -> None:
    """Read every finished WARC under folder record by record (fails on a corrupt one)."""
    for warc in folder.rglob("page.warc.gz"):
        with warc.open("rb") as handle:
            records = 0
            for record in ArchiveIterator(handle, check_digests="raise"):
                record.raw_stream.read()
                records += 1
        assert records > 0, warc


# -- exit codes -----------------------------------------------------------------------------------


def test_a_complete_run_exits_0_and_writes_the_run_folder(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(tmp_path, URLS[:2], wacz="true")
    assert main("run", job) == ExitCode.OK

    folder = run_folder(tmp_path)
    out = capsys.readouterr().out
    assert f"run folder: {folder}" in out
    assert "2 complete, 0 partial, 0 failed" in out
    assert fake.rendered == URLS[:2]
    assert state_of(folder) == "finished"
    assert (folder / "index.html").is_file()
    assert (folder / "daily.wacz").is_file()
    assert [row["state"] for row in rows(folder)] == ["complete", "complete"]


@pytest.mark.parametrize(
    ("outcome", "code"), [(partial_page, ExitCode.PARTIAL), (failed_page, ExitCode.FAILED)]
)
def test_a_partial_run_exits_10_and_a_failed_one_11(
    fake: SignallingRenderer, tmp_path: Path, outcome: Any, code: ExitCode
) -> None:
    fake.outcomes = {URLS[1]: outcome}
    assert main("run", write_job(tmp_path, URLS[:3])) == code
    assert fake.rendered == URLS[:3]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("version: 1\nname: d\nurls: [https://a.example/\n", "not valid YAML"),
        (
            "version: 1\nname: d\nurls: [https://a.example/]\ncolour: red\n",
            ":4: colour: unknown key",
        ),
        ("version: 1\nname: d\nurls:\n  - ftp://a.example/x\n", ":4: urls[0]: Cannot capture"),
        ("version: 1\nname: d\nurls_file: gone.txt\n", "no such URL file"),
        ("version: 1\nname: d\nurls: [https://a.example/]\nsites: [gone]\n", "is not a folder"),
    ],
    ids=["not-yaml", "unknown-key", "ftp-url", "no-url-file", "no-sites-folder"],
)
def test_bad_job_files_exit_2_before_anything_starts(
    fake: SignallingRenderer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    says: str,
) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(text, encoding="utf-8")
    assert main("run", job, "--output", tmp_path / "archives") == ExitCode.USAGE

    err = capsys.readouterr().err
    assert err.startswith(f"capture: error: {job}") or f"capture: error: {tmp_path}" in err
    assert says in err
    assert fake.rendered == []
    assert not (tmp_path / "archives").exists()


def test_a_missing_job_file_exits_2(fake: SignallingRenderer, tmp_path: Path) -> None:
    assert main("run", tmp_path / "nowhere.yaml") == ExitCode.USAGE


@pytest.mark.parametrize(
    "flags", [["--retries", "-1"], ["--concurrency", "0"], ["--timeout", "0"], ["--bogus"]]
)
def test_bad_flags_exit_2(fake: SignallingRenderer, tmp_path: Path, flags: list[str]) -> None:
    assert main("run", write_job(tmp_path), *flags) == ExitCode.USAGE
    assert fake.rendered == []


def test_an_output_that_cannot_be_a_folder_exits_4(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "archives"
    blocker.write_text("a file, not a folder")
    assert main("run", write_job(tmp_path), "--output", blocker) == ExitCode.OUTPUT
    assert "Choose an --output folder you can write to" in capsys.readouterr().err


def test_a_write_error_mid_run_exits_4_and_keeps_what_finished(
    fake: SignallingRenderer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_append = RunFolder.append_result
    calls = {"n": 0}

    def append_or_fail(self: RunFolder, row: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OutputError(
                f"Could not append to {self.path / 'results.jsonl'} (No space left on device). "
                "Free some space; the run can be resumed with --resume."
            )
        real_append(self, row)

    monkeypatch.setattr(RunFolder, "append_result", append_or_fail)
    job = write_job(tmp_path)
    assert main("run", job) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    assert "No space left on device" in err
    assert "--resume" in err

    folder = run_folder(tmp_path)
    assert state_of(folder) == "interrupted"
    assert [row["url"] for row in rows(folder)] == URLS[:2]
    check_warcs(folder)

    monkeypatch.setattr(RunFolder, "append_result", real_append)
    fake.rendered.clear()
    assert main("run", job, "--resume") == ExitCode.OK
    assert fake.rendered == URLS[2:]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """Yield a 160 KiB tmpfs (root only; skipped where mount is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_exits_4_leaves_valid_files_and_resumes(
    fake: SignallingRenderer,
    tmp_path: Path,
    small_disk: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls = [f"https://news.example/story/{n}" for n in range(1, 21)]
    job = write_job(tmp_path, urls, output=small_disk)

    assert main("run", job) == ExitCode.OUTPUT
    assert "No space left on device" in capsys.readouterr().err
    (folder,) = (small_disk / "daily").iterdir()
    assert 0 < len(fake.rendered) < len(urls)
    json.loads((folder / "run.json").read_text("utf-8"))
    for row in rows(folder):
        assert (Path(row["folder"]) / "capture.json").is_file()
    for document in folder.rglob("capture.json"):
        json.loads(document.read_text("utf-8"))
    check_warcs(folder)

    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    fake.rendered.clear()
    assert main("run", job, "--resume") == ExitCode.OK
    assert [row["url"] for row in rows(folder)] == urls
    assert not any(url in fake.rendered for url in urls[:1])


# -- flags over the file --------------------------------------------------------------------------


def test_flags_override_the_job_file(fake: SignallingRenderer, tmp_path: Path) -> None:
    job = write_job(tmp_path, URLS[:2], wacz="true", retries=3)
    other = tmp_path / "elsewhere"
    code = main(
        "run",
        job,
        *("--output", other, "--concurrency", "2", "--retries", "0", "--no-wacz"),
        *("--timeout", "12", "--viewport", "800x600", "--consent", "reject"),
    )
    assert code == ExitCode.OK

    (folder,) = (other / "daily").iterdir()
    info = json.loads((folder / "run.json").read_text("utf-8"))
    assert info["policy"]["concurrency"] == 2
    assert info["policy"]["retries"] == 0
    assert info["job"]["wacz"] is False
    assert not list(folder.glob("*.wacz"))
    options = [request.options for request in fake.requests]
    assert {(o.timeout_s, str(o.viewport), o.consent) for o in options} == {
        (12.0, "800x600", "reject")
    }
    assert not (tmp_path / "archives").exists()


def test_pdf_and_video_come_from_the_job_defaults_or_the_flags(
    fake: SignallingRenderer, tmp_path: Path
) -> None:
    job = write_job(tmp_path, URLS[:1])
    job.write_text(
        job.read_text("utf-8").replace(
            "  viewport: 320x240\n", "  viewport: 320x240\n  pdf: true\n"
        ),
        encoding="utf-8",
    )
    assert main("run", job) == ExitCode.OK
    # The fake renderer records no screencast: the video asked for cannot be made (partial).
    assert main("run", job, "--video") == ExitCode.PARTIAL

    assert [(r.options.pdf, r.options.video) for r in fake.requests] == [
        (True, False),
        (True, True),
    ]


def test_wacz_flag_turns_on_what_the_file_leaves_off(
    fake: SignallingRenderer, tmp_path: Path
) -> None:
    assert main("run", write_job(tmp_path, URLS[:1]), "--wacz") == ExitCode.OK
    assert (run_folder(tmp_path) / "daily.wacz").is_file()


def test_the_jobs_site_configs_reach_the_captures(fake: SignallingRenderer, tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "news.yaml").write_text("version: 1\nname: news\nmatch:\n  hosts: [news.example]\n")
    assert main("run", write_job(tmp_path, URLS[:1], sites="[sites]")) == ExitCode.OK
    (request,) = fake.requests
    assert request.site is not None


# -- progress -------------------------------------------------------------------------------------


def test_without_a_terminal_progress_is_plain_lines(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.outcomes = {URLS[1]: failed_page}
    main("run", write_job(tmp_path, URLS[:2]))
    out = capsys.readouterr().out
    assert "\r" not in out
    assert f"[1/2] complete {URLS[0]}" in out
    assert f"[2/2] failed {URLS[1]}" in out
    assert "net::ERR_CONNECTION_REFUSED" in out


def test_json_progress_is_one_json_object_a_line(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.outcomes = {URLS[1]: failed_page}
    main("run", write_job(tmp_path, URLS[:2]), "--json")
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [(o["url"], o["state"]) for o in objects] == [(URLS[0], "complete"), (URLS[1], "failed")]


def bar_output(finish: RunFinished | None) -> str:
    """Return what a progress bar printer writes for 4 URLs: 1 complete, 1 failed, then finish."""
    from capture.models import CaptureResult, CaptureState

    out = io.StringIO()
    printer = Printer(False, out, bar=True)
    printer(RunStarted("/runs/x", 4))
    printer(CaptureStarted(URLS[0], 0, 4))
    printer(CaptureFinished(CaptureResult(URLS[0], CaptureState.COMPLETE, Path("/x/a")), 0, 4))
    printer(
        CaptureFinished(CaptureResult(URLS[1], CaptureState.FAILED, Path("/x/b"), "boom"), 1, 4)
    )
    if finish is not None:
        printer(finish)
    return out.getvalue()


def test_on_a_terminal_progress_is_one_bar_redrawn_in_place() -> None:
    text = bar_output(None)
    assert "\r\x1b[2K[######.................." in text  # 1 of 4 done
    assert "\r\x1b[2K[[2/4] failed" not in text
    assert "[2/4] failed https://news.example/story/2" in text  # failures get a line of their own
    assert "] 2/4 | complete 1 partial 0 failed 1 |" in text


def test_on_a_terminal_the_summary_of_an_interrupted_run_is_the_last_thing_printed() -> None:
    text = bar_output(RunFinished("/runs/x", 1, 0, 1, 2))
    assert text.endswith("1 complete, 0 partial, 1 failed, 2 not started (resume with --resume)\n")


# -- signals and resume ---------------------------------------------------------------------------


def test_a_first_interrupt_lets_captures_in_flight_finish_and_exits_130(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.signals = {URLS[0]: 1}
    fake.hold_s = {URLS[0]: 0.3, URLS[1]: 0.3}
    job = write_job(tmp_path, concurrency=2)
    assert main("run", job) == ExitCode.INTERRUPTED

    folder = run_folder(tmp_path)
    out, err = capsys.readouterr()
    assert "stopping" in err
    assert fake.finished == URLS[:2]
    assert state_of(folder) == "interrupted"
    assert [(r["url"], r["state"]) for r in rows(folder)] == [(u, "complete") for u in URLS[:2]]
    assert "2 not started (resume with --resume)" in out
    assert not list(folder.rglob("*.open"))
    check_warcs(folder)


def test_a_second_interrupt_stops_at_once_leaving_nothing_half_done(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.signals = {URLS[1]: 2}
    fake.hold_s = {URLS[1]: 60.0}
    job = write_job(tmp_path)
    assert main("run", job) == ExitCode.INTERRUPTED

    folder = run_folder(tmp_path)
    assert state_of(folder) == "interrupted"
    assert [r["url"] for r in rows(folder)] == URLS[:1]
    assert not fake.requests[1].folder.exists()  # no `.open` WARC, no half a folder
    assert not list(folder.rglob("*.open"))
    check_warcs(folder)
    first = started_at(fake.requests[0].folder)

    fake.signals, fake.hold_s = {}, {}
    fake.rendered.clear()
    assert main("run", job, "--resume") == ExitCode.OK
    assert "resuming: 1 of 4 already captured" in capsys.readouterr().out
    assert fake.rendered == URLS[1:]
    assert started_at(fake.requests[0].folder) == first
    assert state_of(folder) == "finished"
    assert not list(folder.rglob("*.open"))
    assert [r["url"] for r in rows(folder)] == URLS


def test_sigterm_stops_like_a_first_interrupt(
    fake: SignallingRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def terminate_then_render(request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.1)  # real time: the signal reaches the CLI's handler via the OS
        return await FakeRenderer.render(fake, request, sink)

    monkeypatch.setattr(fake, "render", terminate_then_render)
    assert main("run", write_job(tmp_path)) == ExitCode.INTERRUPTED
    assert [r["url"] for r in rows(run_folder(tmp_path))] == URLS[:1]


def test_resume_with_a_run_folder_continues_that_run(
    fake: SignallingRenderer, tmp_path: Path
) -> None:
    fake.signals = {URLS[0]: 1}
    job = write_job(tmp_path)
    assert main("run", job) == ExitCode.INTERRUPTED
    folder = run_folder(tmp_path)

    fake.signals = {}
    fake.rendered.clear()
    assert main("run", job, "--resume", folder) == ExitCode.OK
    assert fake.rendered == URLS[1:]
    assert run_folder(tmp_path) == folder


def test_resume_of_a_folder_that_is_no_run_exits_2(
    fake: SignallingRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("run", write_job(tmp_path), "--resume", tmp_path) == ExitCode.USAGE
    assert "is not a run folder" in capsys.readouterr().err
    assert fake.rendered == []


# -- check-config and schema ----------------------------------------------------------------------


def test_check_config_passes_good_job_and_site_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("check-config", JOBS / "daily", REPO / "configs" / "jobs") == ExitCode.OK
    out = capsys.readouterr().out
    assert f"ok    {JOBS / 'daily' / 'daily.yaml'} (job)" in out
    assert f"ok    {JOBS / 'daily' / 'sites' / 'news.yaml'} (site)" in out
    assert f"ok    {REPO / 'configs' / 'jobs' / 'example.yaml'} (job)" in out


def test_check_config_reports_every_bad_file_with_its_line_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main("check-config", JOBS / "bad") == ExitCode.USAGE
    out = capsys.readouterr().out
    assert f"{JOBS / 'bad' / 'unknown-key.yaml'}:5: concurency: unknown key." in out
    assert f"{JOBS / 'bad' / 'ftp-url.yaml'}:5: urls[1]: Cannot capture 'ftp://" in out
    assert f"{JOBS / 'bad' / 'not-yaml.yaml'}:4: not valid YAML" in out
    assert "3 file(s) with problems" in out


def test_schema_of_jobs_is_json_schema_that_forbids_unknown_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main("schema", "job") == ExitCode.OK
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Job"
    assert schema["additionalProperties"] is False
    assert {"urls", "urls_file", "concurrency", "retries", "host_delay_s"} <= set(
        schema["properties"]
    )


def test_schema_without_a_kind_prints_job_and_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("schema") == ExitCode.OK
    assert set(json.loads(capsys.readouterr().out)) == {"job", "site"}


def test_python_dash_m_capture_cli_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "capture.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("capture ")


def test_a_broker_run_loads_its_signing_key_before_contacting_the_broker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(
        "version: 1\nname: sealed\nurls: [https://a.example/]\nqa: true\nsign_key: gone.key\n"
    )
    code = cli.main(
        ["run", str(job), "--broker", "redis://127.0.0.1:1/0", "--output", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2, err  # ExitCode.USAGE: the key is read here, before any broker is asked
    assert str(tmp_path / "gone.key") in err
    assert "redis" not in err.lower()
