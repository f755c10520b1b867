"""The command line through `capture.cli.main`, with the fake renderer in place of Chromium."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from capture import api, cli
from capture.browser import renderer as render
from capture.cli.logs import FORMAT, FactsFormatter
from capture.errors import BrowserNotFoundError, ExitCode
from tests.fakes import FakeRenderer, failed_page, partial_page

README = Path(__file__).resolve().parents[2] / "README.md"
A = "https://a.example/story"
B = "https://b.example/story"

OpenRenderer = Callable[[str | None], object]


def opener(renderer: FakeRenderer | Exception) -> OpenRenderer:
    """Return a stand-in for open_renderer that yields renderer (or raises it)."""

    @asynccontextmanager
    async def open_fake(browser_path: str | None = None) -> AsyncIterator[FakeRenderer]:
        if isinstance(renderer, Exception):
            raise renderer
        yield renderer

    return open_fake


@pytest.fixture(autouse=True)
def keep_sigterm() -> Iterator[None]:
    """Restore the SIGTERM handler main() installs, so it does not outlive the test."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRenderer:
    """Put a fake renderer where capture_urls opens Chromium, and return it."""
    renderer = FakeRenderer()
    monkeypatch.setattr(api, "open_renderer", opener(renderer))
    return renderer


def main(*argv: str | Path) -> int:
    """Run the command line with argv."""
    return cli.main([str(arg) for arg in argv])


def test_complete_captures_exit_0_and_say_where_they_went(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(A, B, "--output", tmp_path)
    out = capsys.readouterr().out

    assert code == 0  # ExitCode.OK
    assert fake.rendered == [A, B]
    assert f"[1/2] complete {A}" in out
    assert f"[2/2] complete {B}" in out
    (run_folder,) = tmp_path.iterdir()
    assert f"run folder: {run_folder}" in out


def test_a_partial_capture_exits_10(fake: FakeRenderer, tmp_path: Path) -> None:
    fake.outcomes = {B: partial_page}
    assert main(A, B, "--output", tmp_path) == 10  # ExitCode.PARTIAL


def test_a_failed_capture_exits_11_and_the_other_urls_still_run(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.outcomes = {A: failed_page, B: partial_page}
    code = main(A, B, "--output", tmp_path)

    assert code == 11  # ExitCode.FAILED
    assert fake.rendered == [A, B]
    assert "net::ERR_CONNECTION_REFUSED" in capsys.readouterr().out


def test_json_lines_have_url_state_folder_and_error(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.outcomes = {B: failed_page}
    main(A, B, "--output", tmp_path, "--json")
    lines = capsys.readouterr().out.splitlines()

    rows = [json.loads(line) for line in lines]
    assert [(r["url"], r["state"]) for r in rows] == [(A, "complete"), (B, "failed")]
    assert all(set(r) == {"url", "state", "folder", "error", "reason", "verdict"} for r in rows)
    assert rows[0]["error"] is None
    assert rows[1]["error"].startswith(f"Could not load {B}")
    assert all((Path(r["folder"]) / "capture.json").is_file() for r in rows)


def test_progress_lines_follow_a_redirected_stdout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api, "open_renderer", opener(FakeRenderer()))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(A, "--output", tmp_path, "--json")
    assert f'"url": "{A}"' in out.getvalue()


def test_a_bad_url_exits_2_with_the_fix_and_captures_nothing(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(A, "ftp://files.example/x", "--output", tmp_path / "archives")
    err = capsys.readouterr().err

    assert code == 2  # ExitCode.USAGE
    assert "capture: error: Cannot capture 'ftp://files.example/x'" in err
    assert "https://example.org/page" in err
    assert fake.rendered == []
    assert not (tmp_path / "archives").exists()


@pytest.mark.parametrize(
    ("viewport", "says"),
    [("wide", "WIDTHxHEIGHT"), ("1280", "WIDTHxHEIGHT"), ("100x100", "out of range")],
)
def test_a_bad_viewport_exits_2_and_says_what_is_wrong(
    fake: FakeRenderer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    viewport: str,
    says: str,
) -> None:
    code = main(A, "--viewport", viewport, "--output", tmp_path)

    assert code == ExitCode.USAGE
    assert says in capsys.readouterr().err
    assert fake.rendered == []


def test_a_good_viewport_reaches_the_renderer(fake: FakeRenderer, tmp_path: Path) -> None:
    assert main(A, "--viewport", "1024x768", "--output", tmp_path, "--json") == ExitCode.OK
    (folder,) = (tmp_path).glob("*/captures/*")
    assert json.loads((folder / "capture.json").read_text())["viewport"] == "1024x768"


def test_pdf_and_video_flags_are_recorded_as_options(fake: FakeRenderer, tmp_path: Path) -> None:
    # The fake renderer records no screencast: the video asked for cannot be made (partial).
    assert main(A, "--pdf", "--video", "--output", tmp_path, "--json") == ExitCode.PARTIAL
    (folder,) = (tmp_path).glob("*/captures/*")
    document = json.loads((folder / "capture.json").read_text())
    assert (document["options"]["pdf"], document["options"]["video"]) == (True, True)
    assert [reason.split(":")[0] for reason in document["partial_reasons"]] == ["video"]


@pytest.mark.parametrize(
    "argv",
    [[], ["--concurrency", "0", A], ["--timeout", "0", A], ["--no-such-flag", A]],
)
def test_other_bad_command_lines_exit_2(fake: FakeRenderer, argv: list[str]) -> None:
    assert main(*argv) == ExitCode.USAGE
    assert fake.rendered == []


def test_no_browser_exits_3_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = BrowserNotFoundError("Could not find a browser (none). Install one.")
    monkeypatch.setattr(api, "open_renderer", opener(missing))

    assert main(A, "--output", tmp_path) == 3  # ExitCode.BROWSER
    assert "Install one." in capsys.readouterr().err


def test_an_unwritable_output_exits_4(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "archives"
    blocker.write_text("a file, not a folder")

    assert main(A, "--output", blocker) == 4  # ExitCode.OUTPUT
    assert "Choose an --output folder you can write to" in capsys.readouterr().err


def test_an_interrupt_exits_130(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.outcomes = {A: KeyboardInterrupt()}
    assert main(A, "--output", tmp_path) == 130  # ExitCode.INTERRUPTED
    assert "finished captures are kept" in capsys.readouterr().err


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Return what --help prints, checking it exits 0."""
    assert main(*argv, "--help") == ExitCode.OK
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *cli.COMMANDS])
def test_help_lists_every_exit_code(
    capsys: pytest.CaptureFixture[str], command: str | None
) -> None:
    text = help_text(capsys, *([command] if command else []))
    for code in ExitCode:  # each with its own meaning, not one text for all
        line = rf"^\s+{code.value}\s+{code.name.lower()}\s+{re.escape(code.meaning)}$"
        assert re.search(line, text, re.M), code
    assert len({code.meaning for code in ExitCode}) == len(ExitCode)


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    for command in cli.COMMANDS:
        assert f"capture {command}" in text


MINIMAL_ARGV = {
    "run": ["job.yaml"],
    "worker": ["--broker", "redis://127.0.0.1:1/0"],
    "extract": ["page.html"],
    "keygen": ["key"],
    "verify": ["folder"],
    "qa": ["folder"],
    "login": ["--site", "site.yaml"],
}
"""The fewest arguments each command accepts (none for those not listed)."""


def test_each_command_runs_the_handler_of_its_table_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[str, object]] = []

    def handler_of(name: str) -> Callable[[object], ExitCode]:
        def record(args: object) -> ExitCode:
            ran.append((name, args))
            return ExitCode.PARTIAL  # not OK, so the code is seen to come from the handler

        return record

    for command in cli.COMMAND_TABLE:
        stub = dataclasses.replace(command, handler=handler_of(command.name))
        monkeypatch.setitem(cli._BY_NAME, command.name, stub)
        assert main(command.name, *MINIMAL_ARGV.get(command.name, [])) == ExitCode.PARTIAL
    monkeypatch.setattr(
        cli, "CAPTURE_URLS", dataclasses.replace(cli.CAPTURE_URLS, handler=handler_of(""))
    )
    assert main(A) == ExitCode.PARTIAL

    assert [name for name, _ in ran] == [*cli.COMMANDS, ""]
    assert vars(ran[0][1])["job"] == Path("job.yaml")  # parsed by its own parser
    assert vars(ran[-1][1])["urls"] == [A]


def test_help_lists_each_command_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    for command in cli.COMMAND_TABLE:
        line = rf"^  capture {re.escape(command.name)}\b.* {re.escape(command.summary)}$"
        assert re.search(line, text, re.M), command.name


def test_version_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("--version") == ExitCode.OK
    assert capsys.readouterr().out.startswith("capture ")


def test_demo_serves_the_demo_article_and_captures_it(
    fake: FakeRenderer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from capture.demo import DEMO_ARTICLE_PATH

    assert main("demo", "--output", tmp_path) == ExitCode.OK
    out = capsys.readouterr().out
    (url,) = fake.rendered
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith(DEMO_ARTICLE_PATH)
    assert "demo site serving on http://127.0.0.1:" in out


def test_doctor_names_the_browser(
    fake: FakeRenderer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(render, "open_renderer", opener(fake))

    assert main("doctor") == ExitCode.OK
    out = capsys.readouterr().out
    assert f"browser: {fake.info.executable} (found by system)" in out
    assert "Playwright 1.65.2" in out


def test_doctor_says_which_video_encoder_will_be_used(
    fake: FakeRenderer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(render, "open_renderer", opener(fake))
    monkeypatch.setenv("CAPTURE_FFMPEG", "none")
    assert main("doctor") == ExitCode.OK
    assert "video (--video): animated WebP (capture.webp) through Pillow" in capsys.readouterr().out

    monkeypatch.setenv("CAPTURE_FFMPEG", "/bin/true")  # any executable stands for an ffmpeg
    assert main("doctor") == ExitCode.OK
    assert "video (--video): H.264 MP4 (capture.mp4) through ffmpeg at /bin/true" in (
        capsys.readouterr().out
    )


def test_doctor_without_a_browser_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = BrowserNotFoundError("Could not find a browser (none). Install one.")
    monkeypatch.setattr(render, "open_renderer", opener(missing))

    assert main("doctor") == ExitCode.BROWSER
    assert "Install one." in capsys.readouterr().err


def test_extract_reads_html_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes import ARTICLE_HTML

    monkeypatch.setattr("sys.stdin", io.StringIO(ARTICLE_HTML))
    assert main("extract", "-", "--format", "json", "--url", A) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["title"] == "Harbour Council Approves New Sea Wall"


# -- the README documents the command line ------------------------------------------------------


def readme_text() -> str:
    """Return README.md; skip when it is not written yet, except under CI."""
    if not README.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{README} is missing; it must document the commands and exit codes.")
        pytest.skip("README.md is not written yet")
    return README.read_text("utf-8")


def test_readme_documents_every_exit_code() -> None:
    text = readme_text()
    for code in ExitCode:
        assert re.search(rf"^\|\s*{code.value}\s*\|\s*{code.name.lower()}\s*\|", text, re.M), code


def test_readme_documents_every_command_and_option() -> None:
    text = readme_text()
    for command in cli.COMMANDS:
        assert re.search(rf"^capture {command}\b", text, re.M), command
    for action in cli.build_parser(None)._actions:
        names = [name for name in action.option_strings if name not in ("-h", "--help")]
        if names and "--version" not in names:
            assert any(f"`{name}" in text for name in names), names


def test_a_logged_warning_shows_its_facts_on_the_line() -> None:
    formatter = FactsFormatter(FORMAT)
    record = logging.LogRecord("capture.run.pipeline", logging.WARNING, "x.py", 1,
                               "timestamp failed", None, None)  # fmt: skip
    record.folder, record.error = "/archives/a", "Could not reach https://tsa.example (timed out)."

    line = formatter.format(record)

    assert line == (
        "WARNING capture.run.pipeline: timestamp failed (folder=/archives/a, "
        "error=Could not reach https://tsa.example (timed out).)"
    )
    plain = logging.LogRecord("capture", logging.WARNING, "x.py", 1, "no WACZ", None, None)
    assert formatter.format(plain) == "WARNING capture: no WACZ"
    celery = logging.LogRecord("celery.app.trace", logging.INFO, "x.py", 1, "done", None, None)
    celery.data = {"args": "the whole task"}
    assert formatter.format(celery) == "INFO celery.app.trace: done"


def test_a_logged_error_shows_its_facts_before_its_traceback_and_on_one_line() -> None:
    formatter = FactsFormatter(FORMAT)
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        record = logging.LogRecord("capture.run.runner", logging.ERROR, "x.py", 1,
                                   "capture crashed", None, sys.exc_info())  # fmt: skip
    record.url, record.error = "https://a.example/", "Timeout 30000ms exceeded.\nCall log:\n  - x"

    first, *rest = formatter.format(record).splitlines()

    assert first == (
        "ERROR capture.run.runner: capture crashed (url=https://a.example/, "
        "error=Timeout 30000ms exceeded. Call log: - x)"
    )
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "ZeroDivisionError: division by zero"
