"""The command line: argv -> library calls; results -> lines; errors -> messages and exit codes.

This package is the only code that parses arguments, prints, sets up logging or picks exit codes.
Its commands are one table (`COMMAND_TABLE`), from which both their parsers and the dispatch to
what they do (`capture.cli.commands`) are derived.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable, Sequence

from capture.cli import arguments, commands
from capture.cli.commands import exit_code_for, seams_for, site_matcher
from capture.cli.display import Printer
from capture.cli.interrupts import AsyncCommand, run_async
from capture.cli.logs import show_log
from capture.cli.parser import EXIT_CODES_HELP, Command, overview, parser_for
from capture.errors import CaptureError, ExitCode

__all__ = [
    "COMMANDS",
    "COMMAND_TABLE",
    "EXIT_CODES_HELP",
    "Printer",
    "build_parser",
    "exit_code_for",
    "main",
    "run",
    "seams_for",
    "site_matcher",
]


def _in_event_loop(command: AsyncCommand) -> Callable[[argparse.Namespace], ExitCode]:
    """Return a handler that runs an async command, stopping it on Ctrl-C or SIGTERM."""
    return functools.partial(run_async, command)


COMMAND_TABLE: tuple[Command, ...] = (
    Command(
        "run",
        "JOB.yaml",
        "run a job file into <output>/<job name>/<run id>/ (--resume continues)",
        arguments.RUN_DESCRIPTION,
        arguments.add_run_arguments,
        _in_event_loop(commands.run_job),
    ),
    Command(
        "worker",
        "--broker URL",
        "capture tasks of `capture run --broker` (on each machine)",
        None,
        arguments.add_worker_arguments,
        commands.worker,
    ),
    Command(
        "demo",
        "",
        "capture the bundled demo article (served on 127.0.0.1)",
        arguments.DEMO_DESCRIPTION,
        arguments.add_demo_arguments,
        _in_event_loop(commands.demo),
    ),
    Command(
        "doctor",
        "",
        "show which browser will be used and what is missing",
        arguments.DOCTOR_DESCRIPTION,
        arguments.add_doctor_arguments,
        _in_event_loop(commands.doctor),
    ),
    Command(
        "extract",
        "PATH",
        "re-extract the article from an HTML file, capture folder or WARC",
        arguments.EXTRACT_DESCRIPTION,
        arguments.add_extract_arguments,
        commands.extract,
    ),
    Command(
        "check-config",
        "PATH",
        "validate job and site config files without capturing",
        arguments.CHECK_CONFIG_DESCRIPTION,
        arguments.add_check_config_arguments,
        commands.check_config,
    ),
    Command(
        "schema",
        "",
        "print the JSON Schema of job and site config files",
        arguments.SCHEMA_DESCRIPTION,
        arguments.add_schema_arguments,
        commands.schema,
    ),
    Command(
        "keygen",
        "KEY",
        "make an Ed25519 key pair for signing (KEY and KEY.pub)",
        arguments.KEYGEN_DESCRIPTION,
        arguments.add_keygen_arguments,
        commands.keygen,
    ),
    Command(
        "verify",
        "PATH",
        "check a capture folder, run folder or WACZ: hashes, signature, time",
        arguments.VERIFY_DESCRIPTION,
        arguments.add_verify_arguments,
        commands.verify,
    ),
    Command(
        "qa",
        "PATH",
        "replay captures from their WARCs and score them against the capture",
        None,
        arguments.add_qa_arguments,
        _in_event_loop(commands.qa),
    ),
    Command(
        "login",
        "--site S.yaml",
        "make a session file once (by the config, by hand, from cookies)",
        None,
        arguments.add_login_arguments,
        _in_event_loop(commands.login),
    ),
)
"""Every command after `capture`: its parser and its dispatch are both derived from here."""

_CAPTURE_URLS = Command(
    "",
    "URL [URL ...]",
    "capture pages into archives/<run id>/captures/<slug>/",
    None,
    arguments.add_urls_arguments,
    _in_event_loop(commands.capture_pages),
)
CAPTURE_URLS = dataclasses.replace(
    _CAPTURE_URLS, description=overview((_CAPTURE_URLS, *COMMAND_TABLE))
)
"""Plain `capture URL...`, whose help lists every command."""

COMMANDS = tuple(command.name for command in COMMAND_TABLE)
_BY_NAME = {command.name: command for command in COMMAND_TABLE}


def build_parser(name: str | None) -> argparse.ArgumentParser:
    """Return the parser of the command called name, or of plain `capture URL...` for None."""
    return parser_for(CAPTURE_URLS if name is None else _BY_NAME[name])


def run(argv: Sequence[str]) -> ExitCode:
    """Run the command line argv (without the program name) and return its exit code."""
    command = _BY_NAME.get(argv[0], CAPTURE_URLS) if argv else CAPTURE_URLS
    try:
        args = parser_for(command).parse_args(list(argv[1:] if command.name else argv))
    except SystemExit as stop:  # argparse exits 2 on bad usage and 0 for --help.
        return ExitCode.OK if stop.code in (0, None) else ExitCode.USAGE
    show_log(verbose=args.verbose)
    return command.handler(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `capture` command: returns the process exit code."""
    try:
        return int(run(list(sys.argv[1:] if argv is None else argv)))
    except CaptureError as exc:
        print(f"capture: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("capture: interrupted; finished captures are kept.", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
