"""The command line: argv -> library calls; results -> lines; errors -> messages and exit codes.

This package is the only code that parses arguments, prints, sets up logging or picks exit codes.
Its commands are one table (`COMMAND_TABLE`), from which both their parsers and the dispatch to
what they do (`capture.cli.commands`) are derived.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence

from capture.cli import arguments, commands
from capture.cli.commands import exit_code_for, seams_for, site_matcher
from capture.cli.display import Printer
from capture.cli.interrupts import in_event_loop
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


COMMAND_TABLE: tuple[Command, ...] = (
    Command(
        name="run",
        synopsis="JOB.yaml",
        summary="run a job file into <output>/<job name>/<run id>/ (--resume continues)",
        description=arguments.RUN_DESCRIPTION,
        arguments=arguments.add_run_arguments,
        handler=in_event_loop(commands.run_job),
    ),
    Command(
        name="worker",
        synopsis="--broker URL",
        summary="capture tasks of `capture run --broker` (on each machine)",
        description=None,  # its arguments function sets it
        arguments=arguments.add_worker_arguments,
        handler=commands.worker,
    ),
    Command(
        name="demo",
        synopsis="",
        summary="capture the bundled demo article (served on 127.0.0.1)",
        description=arguments.DEMO_DESCRIPTION,
        arguments=arguments.add_demo_arguments,
        handler=in_event_loop(commands.demo),
    ),
    Command(
        name="doctor",
        synopsis="",
        summary="show which browser will be used and what is missing",
        description=arguments.DOCTOR_DESCRIPTION,
        arguments=arguments.add_doctor_arguments,
        handler=in_event_loop(commands.doctor),
    ),
    Command(
        name="extract",
        synopsis="PATH",
        summary="re-extract the article from an HTML file, capture folder or WARC",
        description=arguments.EXTRACT_DESCRIPTION,
        arguments=arguments.add_extract_arguments,
        handler=commands.extract,
    ),
    Command(
        name="check-config",
        synopsis="PATH",
        summary="validate job and site config files without capturing",
        description=arguments.CHECK_CONFIG_DESCRIPTION,
        arguments=arguments.add_check_config_arguments,
        handler=commands.check_config,
    ),
    Command(
        name="schema",
        synopsis="",
        summary="print the JSON Schema of job and site config files",
        description=arguments.SCHEMA_DESCRIPTION,
        arguments=arguments.add_schema_arguments,
        handler=commands.schema,
    ),
    Command(
        name="keygen",
        synopsis="KEY",
        summary="make an Ed25519 key pair for signing (KEY and KEY.pub)",
        description=arguments.KEYGEN_DESCRIPTION,
        arguments=arguments.add_keygen_arguments,
        handler=commands.keygen,
    ),
    Command(
        name="verify",
        synopsis="PATH",
        summary="check a capture folder, run folder or WACZ: hashes, signature, time",
        description=arguments.VERIFY_DESCRIPTION,
        arguments=arguments.add_verify_arguments,
        handler=commands.verify,
    ),
    Command(
        name="qa",
        synopsis="PATH",
        summary="replay captures from their WARCs and score them against the capture",
        description=None,  # its arguments function sets it
        arguments=arguments.add_qa_arguments,
        handler=in_event_loop(commands.qa),
    ),
    Command(
        name="login",
        synopsis="--site S.yaml",
        summary="make a session file once (by the config, by hand, from cookies)",
        description=None,  # its arguments function sets it
        arguments=arguments.add_login_arguments,
        handler=in_event_loop(commands.login),
    ),
)
"""Every command after `capture`: its parser and its dispatch are both derived from here."""

_CAPTURE_URLS = Command(
    name="",
    synopsis="URL [URL ...]",
    summary="capture pages into archives/<run id>/captures/<slug>/",
    description=None,  # the overview of every command, put in below
    arguments=arguments.add_urls_arguments,
    handler=in_event_loop(commands.capture_pages),
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
