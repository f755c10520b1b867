"""Each command's description and arguments; `capture.cli.COMMAND_TABLE` puts them together."""

from __future__ import annotations

import argparse
from pathlib import Path

from capture._version import __version__
from capture.cli.parser import add_capture_options


def add_urls_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of plain `capture URL...`."""
    parser.add_argument("urls", nargs="+", metavar="URL", help="pages to capture")
    parser.add_argument("--version", action="version", version=f"capture {__version__}")
    add_capture_options(parser)


RUN_DESCRIPTION = "Run a job file: its URLs, with its settings; flags given here override the file."


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture run`."""
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
    add_capture_options(parser, job=True)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the description and the arguments of `capture worker` (the distributed CLI's)."""
    from capture.cli import distributed

    parser.description = distributed.WORKER_DESCRIPTION
    distributed.add_worker_arguments(parser)


DEMO_DESCRIPTION = "Serve the bundled demo site on 127.0.0.1 and capture its article."


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture demo`: those of a capture, without URLs."""
    add_capture_options(parser)


DOCTOR_DESCRIPTION = "Show which browser will be used, the versions, and what is missing."


def add_doctor_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture doctor`."""
    parser.add_argument("--browser", metavar="PATH")


EXTRACT_DESCRIPTION = (
    "Re-extract the article from a saved HTML file (- for stdin), a capture folder or a WARC."
)


def add_extract_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture extract`."""
    parser.add_argument("path", help="an .html file, a capture folder, a .warc.gz, or -")
    parser.add_argument("--url", help="the page's URL, when the input does not say")
    parser.add_argument("--format", choices=("txt", "md", "json"), default="txt")


CHECK_CONFIG_DESCRIPTION = (
    "Validate job and site config files (or folders of them) without capturing."
)


def add_check_config_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture check-config`."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("configs")],
        help="files or folders (default: configs)",
    )


SCHEMA_DESCRIPTION = "Print the JSON Schema of job and site config files."


def add_schema_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture schema`."""
    parser.add_argument("kind", nargs="?", choices=("job", "site", "all"), default="all")


KEYGEN_DESCRIPTION = (
    "Make an Ed25519 key pair: the private key in KEY, the public key in KEY.pub. Never overwrites."
)


def add_keygen_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture keygen`."""
    parser.add_argument("key", type=Path, help="where to write the private key")


VERIFY_DESCRIPTION = (
    "Check a capture folder, a run folder or a WACZ: every file hash, every WARC record digest, "
    "the signature and the timestamps. Exit 0 only when everything holds."
)


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `capture verify`."""
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


def add_qa_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the description and the arguments of `capture qa` (beside its library calls)."""
    from capture.cli import qa

    parser.description = qa.DESCRIPTION
    qa.add_arguments(parser)


def add_login_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the description and the arguments of `capture login` (beside its library calls)."""
    from capture.cli import login

    parser.description = login.DESCRIPTION
    login.add_arguments(parser)
