"""How a command's parser is made from its entry in the command table (`Command`), and the flags
the capture commands share: one per capture option, its snake_case name in kebab-case."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture.errors import ExitCode
from capture.options import (
    CONCURRENCY,
    JOB_CONCURRENCY,
    CaptureOptions,
    Option,
    checked_tsa_url,
    option_default,
    option_fields,
)

EXIT_CODES_HELP = "exit codes:\n" + "\n".join(
    f"  {code.value:<4} {code.name.lower():<12} {code.meaning}" for code in ExitCode
)

OVERVIEW_HEAD = "Capture web pages into self-contained evidence folders."
OVERVIEW_TAIL = (
    "Each capture folder holds page.warc.gz, screenshot.png, viewport.png, thumbnail.webp,\n"
    "dom.html, article.txt, article.md, article.json and capture.json (see the README)."
)
SUMMARY_COLUMN = 27
"""Where the summaries of `capture --help`'s list of commands start (a longer synopsis gets three
spaces after it)."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command of the command line: how `capture --help` lists it, its parser, what runs it.

    The command line's parsers and its dispatch are both derived from one table of these
    (`capture.cli.COMMAND_TABLE`)."""

    name: str
    """The word after `capture` (empty for plain `capture URL...`)."""
    synopsis: str
    """What follows the name in the list of commands, e.g. `JOB.yaml`."""
    summary: str
    """One line in the list of commands."""
    description: str | None
    """The text of `capture NAME --help`; None when `arguments` sets it (it lives beside a
    module too heavy to import before the command is known)."""
    arguments: Callable[[argparse.ArgumentParser], None]
    """Adds the command's arguments to its parser."""
    handler: Callable[[argparse.Namespace], ExitCode]
    """Runs the command with its parsed arguments and returns its exit code."""

    @property
    def prog(self) -> str:
        """Return the command as typed: `capture` and its name."""
        return f"capture {self.name}".rstrip()

    def listing(self) -> str:
        """Return the command's line in `capture --help`'s list of commands."""
        head = f"{self.prog} {self.synopsis}".rstrip()
        if len(head) + 2 <= SUMMARY_COLUMN:
            return f"  {head:<{SUMMARY_COLUMN}}{self.summary}"
        return f"  {head}   {self.summary}"


def overview(commands: Sequence[Command]) -> str:
    """Return the description of `capture --help`: what it does and the list of commands."""
    listing = "\n".join(command.listing() for command in commands)
    return f"{OVERVIEW_HEAD}\n\n{listing}\n\n{OVERVIEW_TAIL}"


def parser_for(command: Command) -> argparse.ArgumentParser:
    """Return the parser of a command: its description, the shared flags and its arguments."""
    parser = argparse.ArgumentParser(
        prog=command.prog,
        description=command.description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    command.arguments(parser)
    return parser


def _tsa(text: str) -> str:
    try:
        return checked_tsa_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def flag_of(name: str, spec: Option) -> str:
    """Return the command-line flag of a capture option: its name in kebab-case, or its own."""
    return spec.flag or "--" + name.replace("_", "-")


def _add_option(parser: argparse.ArgumentParser, name: str, spec: Option) -> None:
    default = option_default(name)
    shown = ",".join(default) if isinstance(default, list) else default
    help_text = f"{spec.help} (default: {'none' if shown is None else shown})"
    if spec.kind == "flag":
        parser.add_argument(
            flag_of(name, spec),
            dest=name,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"{spec.help} (default: {'on' if default else 'off'})",
        )
        return

    def value(text: str) -> Any:
        try:
            return spec.check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    value.__name__ = spec.kind  # argparse names the type in its error messages.
    parser.add_argument(
        flag_of(name, spec),
        dest=name,
        type=value,
        default=None,
        metavar=spec.metavar(),
        help=help_text,
    )


def add_option_flags(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """Add the flags of the named capture options only (a command that is not a capture)."""
    specs = dict(option_fields())
    for name in names:
        _add_option(parser, name, specs[name])


def given_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the capture options given as flags, each in its data form (YAML and JSON)."""
    return {
        name: spec.to_data(getattr(args, name))
        for name, spec in option_fields()
        if getattr(args, name, None) is not None
    }


def options_from_args(args: argparse.Namespace) -> CaptureOptions:
    """Return the capture options of a command line: its flags over the options' defaults."""
    return CaptureOptions.from_json(given_options(args))


def positive(text: str) -> int:
    """Return text as a whole number of at least 1, or raise ArgumentTypeError saying why."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_capture_options(parser: argparse.ArgumentParser, *, job: bool = False) -> None:
    """Add the run flags and one flag per capture option (`capture.options`).

    Every capture option's flag defaults to None, so only what is given overrides the option's
    default (or, for a job, the file's value); `options_from_args` makes the options."""
    _add_output_arguments(parser, job=job)
    for name, spec in option_fields():
        _add_option(parser, name, spec)
    _add_run_flags(parser)
    _add_site_arguments(parser, job=job)
    _add_sealing_arguments(parser)


def _add_output_arguments(parser: argparse.ArgumentParser, *, job: bool) -> None:
    parser.add_argument(
        "--output",
        type=Path,
        default=None if job else Path("archives"),
        help="the archive root (default: archives)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON lines (one per capture) instead of plain lines",
    )
    parser.add_argument(
        "--browser",
        metavar="PATH",
        help="the Chromium executable (default: CAPTURE_BROWSER, Playwright's, then the system's)",
    )


def _add_run_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=positive,
        default=None,
        help=f"pages at once, one browser context each (default: {CONCURRENCY}; jobs: "
        f"{JOB_CONCURRENCY})",
    )
    parser.add_argument(
        "--wacz", action="store_true", default=None, help="also package the run as <name>.wacz"
    )
    parser.add_argument(
        "--qa",
        action="store_true",
        default=None,
        help="replay each capture from its WARC right after it and score it (writes qa.json)",
    )


def _add_site_arguments(parser: argparse.ArgumentParser, *, job: bool) -> None:
    parser.add_argument(
        "--sites",
        type=Path,
        action="append",
        metavar="DIR",
        help="a folder of site configs (repeatable; jobs: `sites:` in the file); "
        "default: configs/sites of the working folder, when it exists",
    )
    if not job:
        parser.add_argument(
            "--no-sites",
            dest="no_sites",
            action="store_true",
            help="use no site config, not even configs/sites of the working folder "
            "(the built-in handling only)",
        )


def _add_sealing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="sign every capture (and the WACZ) with this Ed25519 key",
    )
    parser.add_argument(
        "--tsa",
        action="append",
        type=_tsa,
        metavar="URL",
        help="stamp every capture with this RFC 3161 time stamp authority (repeatable)",
    )
