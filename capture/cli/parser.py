"""The argument parsers of every command; flags are the config's snake_case names in kebab-case."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from capture._version import __version__
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

COMMANDS = (
    "run",
    "worker",
    "demo",
    "doctor",
    "extract",
    "check-config",
    "schema",
    "keygen",
    "verify",
    "qa",
    "login",
)

EXIT_CODES_HELP = "exit codes:\n" + "\n".join(
    f"  {code.value:<4} {code.name.lower():<12} {code.meaning}" for code in ExitCode
)

DESCRIPTION = """Capture web pages into self-contained evidence folders.

  capture URL [URL ...]      capture pages into archives/<run id>/captures/<slug>/
  capture run JOB.yaml       run a job file into <output>/<job name>/<run id>/ (--resume continues)
  capture worker --broker URL   capture tasks of `capture run --broker` (on each machine)
  capture demo               capture the bundled demo article (served on 127.0.0.1)
  capture doctor             show which browser will be used and what is missing
  capture extract PATH       re-extract the article from an HTML file, capture folder or WARC
  capture check-config PATH  validate job and site config files without capturing
  capture schema             print the JSON Schema of job and site config files
  capture keygen KEY         make an Ed25519 key pair for signing (KEY and KEY.pub)
  capture verify PATH        check a capture folder, run folder or WACZ: hashes, signature, time
  capture qa PATH            replay captures from their WARCs and score them against the capture
  capture login --site S.yaml   make a session file once (by the config, by hand, from cookies)

Each capture folder holds page.warc.gz, screenshot.png, viewport.png, thumbnail.webp,
dom.html, article.txt, article.md, article.json and capture.json (see the README)."""


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


def _new(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    return parser


def _add_capture_options(parser: argparse.ArgumentParser, *, job: bool = False) -> None:
    """Add the run flags and one flag per capture option (`capture.options`).

    Every capture option's flag defaults to None, so only what is given overrides the option's
    default (or, for a job, the file's value); `options_from_args` makes the options."""
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
    for name, spec in option_fields():
        _add_option(parser, name, spec)
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


def build_parser(command: str | None) -> argparse.ArgumentParser:  # noqa: PLR0915 - one branch per command
    """Return the parser for a subcommand, or for plain `capture URL...` when command is None."""
    if command is None:
        parser = _new("capture", DESCRIPTION)
        parser.add_argument("urls", nargs="+", metavar="URL", help="pages to capture")
        parser.add_argument("--version", action="version", version=f"capture {__version__}")
        _add_capture_options(parser)
    elif command == "run":
        parser = _new(
            "capture run",
            "Run a job file: its URLs, with its settings; flags given here override the file.",
        )
        parser.add_argument("job", type=Path, help="a job file (configs/jobs/*.yaml)")
        parser.add_argument(
            "--resume",
            nargs="?",
            const=True,
            default=False,
            metavar="RUN_FOLDER",
            help="continue the newest unfinished run of this job (or RUN_FOLDER)",
        )
        parser.add_argument("--retries", type=int, default=None, help="attempts after the first")
        parser.add_argument(
            "--no-wacz",
            dest="no_wacz",
            action="store_true",
            help="do not package the run as a WACZ",
        )
        from capture.cli.distributed import add_broker_argument

        add_broker_argument(parser)
        _add_capture_options(parser, job=True)
    elif command == "worker":
        from capture.cli.distributed import WORKER_DESCRIPTION, add_worker_arguments

        parser = _new("capture worker", WORKER_DESCRIPTION)
        add_worker_arguments(parser)
    elif command == "demo":
        parser = _new(
            "capture demo", "Serve the bundled demo site on 127.0.0.1 and capture its article."
        )
        _add_capture_options(parser)
    elif command == "doctor":
        parser = _new(
            "capture doctor", "Show which browser will be used, the versions, and what is missing."
        )
        parser.add_argument("--browser", metavar="PATH")
    elif command == "extract":
        parser = _new(
            "capture extract",
            "Re-extract the article from a saved HTML file (- for "
            "stdin), a capture folder or a WARC.",
        )
        parser.add_argument("path", help="an .html file, a capture folder, a .warc.gz, or -")
        parser.add_argument("--url", help="the page's URL, when the input does not say")
        parser.add_argument("--format", choices=("txt", "md", "json"), default="txt")
    elif command == "check-config":
        parser = _new(
            "capture check-config",
            "Validate job and site config files (or folders of them) without capturing.",
        )
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            default=[Path("configs")],
            help="files or folders (default: configs)",
        )
    elif command == "qa":
        from capture.cli import qa as cli_qa

        parser = _new("capture qa", cli_qa.DESCRIPTION)
        cli_qa.add_arguments(parser)
    elif command == "login":
        from capture.cli import login as cli_login

        parser = _new("capture login", cli_login.DESCRIPTION)
        cli_login.add_arguments(parser)
    elif command == "keygen":
        parser = _new(
            "capture keygen",
            "Make an Ed25519 key pair: the private key in KEY, the public key in KEY.pub. "
            "Never overwrites.",
        )
        parser.add_argument("key", type=Path, help="where to write the private key")
    elif command == "verify":
        parser = _new(
            "capture verify",
            "Check a capture folder, a run folder or a WACZ: every file hash, every WARC record "
            "digest, the signature and the timestamps. Exit 0 only when everything holds.",
        )
        parser.add_argument("path", type=Path, help="a capture folder, a run folder or a .wacz")
        parser.add_argument(
            "--tsa-cert",
            type=Path,
            action="append",
            default=[],
            metavar="PEM",
            help="trust timestamps chained to this certificate (repeatable)",
        )
        parser.add_argument(
            "--public-key", type=Path, metavar="PUB", help="require signatures by this key"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--pdf",
            type=Path,
            metavar="FILE",
            help="also write the report, in plain words, as a PDF (printed by Chromium)",
        )
    else:
        parser = _new("capture schema", "Print the JSON Schema of job and site config files.")
        parser.add_argument("kind", nargs="?", choices=("job", "site", "all"), default="all")
    return parser
