"""The command line: argv -> library calls; results -> lines; errors -> messages and exit codes.

This is the only module that parses arguments, prints, sets up logging or picks exit codes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from capture import __version__
from capture.api import RunResult, capture_urls
from capture.errors import CaptureError, ExitCode, UsageError
from capture.models import CaptureOptions, CaptureState, Viewport
from capture.progress import CaptureFinished, ProgressEvent

COMMANDS = ("demo", "doctor", "extract")

EXIT_CODES_HELP = "exit codes:\n" + "\n".join(
    f"  {code.value:<4} {code.name.lower():<12} {(code.__doc__ or '').strip()}" for code in ExitCode
)

DESCRIPTION = """Capture web pages into self-contained evidence folders.

  capture URL [URL ...]      capture pages into archives/<run id>/captures/<slug>/
  capture demo               capture the bundled demo article (served on 127.0.0.1)
  capture doctor             show which browser will be used and what is missing
  capture extract PATH       re-extract the article from an HTML file, capture folder or WARC

Each capture folder holds page.warc.gz, screenshot.png, viewport.png, thumbnail.webp,
dom.html, article.txt, article.md, article.json and capture.json (see the README)."""


def _viewport(text: str) -> Viewport:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a viewport; write WIDTHxHEIGHT, e.g. 1280x800"
        ) from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"viewport {text} is out of range (200 to 8000 px each)")
    return Viewport(width, height)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError("the timeout must be between 1 and 3600 seconds")
    return value


def _add_capture_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", type=Path, default=Path("archives"), help="the archive root (default: archives)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line per capture instead of plain lines"
    )
    parser.add_argument(
        "--browser",
        metavar="PATH",
        help="the Chromium executable (default: CAPTURE_BROWSER, Playwright's, then the system's)",
    )
    parser.add_argument("--proxy", metavar="URL", help="send the browser's traffic through URL")
    parser.add_argument(
        "--ignore-https-errors",
        action="store_true",
        help="accept invalid certificates (e.g. a recording proxy's)",
    )
    parser.add_argument(
        "--viewport",
        type=_viewport,
        default=Viewport(),
        help="window size WIDTHxHEIGHT (default: 1280x800)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=CaptureOptions().timeout_s,
        help="whole-page budget in seconds (default: %(default)s)",
    )
    parser.add_argument("--concurrency", type=int, default=1, help="pages at once (default: 1)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")


def build_parser(command: str | None) -> argparse.ArgumentParser:
    """Return the parser for a subcommand, or for plain `capture URL...` when command is None."""
    if command is None:
        parser = argparse.ArgumentParser(
            prog="capture",
            description=DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=EXIT_CODES_HELP,
        )
        parser.add_argument("urls", nargs="+", metavar="URL", help="pages to capture")
        parser.add_argument("--version", action="version", version=f"capture {__version__}")
        _add_capture_options(parser)
    elif command == "demo":
        parser = argparse.ArgumentParser(
            prog="capture demo",
            description="Serve the bundled demo site on 127.0.0.1 and capture its article.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=EXIT_CODES_HELP,
        )
        _add_capture_options(parser)
    elif command == "doctor":
        parser = argparse.ArgumentParser(
            prog="capture doctor",
            description="Show which browser will be used, the versions, and what is missing.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=EXIT_CODES_HELP,
        )
        parser.add_argument("--browser", metavar="PATH")
        parser.add_argument("-v", "--verbose", action="store_true")
    else:
        parser = argparse.ArgumentParser(
            prog="capture extract",
            description="Re-extract the article from a saved HTML file "
            "(- for stdin), a capture folder or a WARC.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=EXIT_CODES_HELP,
        )
        parser.add_argument("path", help="an .html file, a capture folder, a .warc.gz, or -")
        parser.add_argument("--url", help="the page's URL, when the input does not say")
        parser.add_argument("--format", choices=("txt", "md", "json"), default="txt")
        parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def _options(args: argparse.Namespace) -> CaptureOptions:
    return CaptureOptions(
        viewport=args.viewport,
        timeout_s=args.timeout,
        proxy=args.proxy,
        ignore_https_errors=args.ignore_https_errors,
    )


class Printer:
    """Renders progress events: plain lines, or JSON lines with --json."""

    def __init__(self, as_json: bool, out: TextIO = sys.stdout) -> None:
        self.as_json = as_json
        self.out = out

    def __call__(self, event: ProgressEvent) -> None:
        if not isinstance(event, CaptureFinished):
            return
        result = event.result
        if self.as_json:
            line = json.dumps(
                {
                    "url": result.url,
                    "state": result.state.value,
                    "folder": str(result.folder),
                    "error": result.error,
                }
            )
        else:
            line = f"[{event.index + 1}/{event.total}] {result.state.value:<8} {result.url}"
            line += f"\n    -> {result.folder}"
            if result.error:
                line += f"\n    {result.error}"
        print(line, file=self.out, flush=True)


def exit_code_for(run: RunResult) -> ExitCode:
    """Return the exit code of a finished run."""
    return {
        CaptureState.COMPLETE: ExitCode.OK,
        CaptureState.PARTIAL: ExitCode.PARTIAL,
        CaptureState.FAILED: ExitCode.FAILED,
    }[run.worst_state]


async def _capture(args: argparse.Namespace, urls: Sequence[str]) -> ExitCode:
    printer = Printer(args.json)
    run = await capture_urls(
        urls,
        output=args.output,
        options=_options(args),
        browser_path=args.browser,
        concurrency=args.concurrency,
        on_event=printer,
    )
    if not args.json:
        print(f"run folder: {run.folder}")
    return exit_code_for(run)


async def _demo(args: argparse.Namespace) -> ExitCode:
    from capture.demo import DEMO_ARTICLE_PATH, demo_site

    with demo_site() as site:
        if not args.json:
            print(f"demo site serving on {site.base_url}")
        return await _capture(args, [site.url(DEMO_ARTICLE_PATH)])


async def _doctor(args: argparse.Namespace) -> ExitCode:
    from capture.render import open_renderer

    print(f"capture {__version__}, Python {sys.version.split()[0]}")
    async with open_renderer(args.browser) as renderer:
        info = renderer.info
        print(f"browser: {info.executable} (found by {info.source})")
        print(f"browser version: {info.version}; Playwright {info.playwright_version}")
        print(f"user agent: {info.user_agent}")
    print("everything needed to capture is here")
    return ExitCode.OK


def _extract(args: argparse.Namespace) -> ExitCode:
    from capture.extract import extract_article
    from capture.extract.sources import load_page_html

    if args.path == "-":
        html, url = sys.stdin.read(), args.url
    else:
        html, found_url = load_page_html(Path(args.path), args.url)
        url = args.url or found_url
    article = extract_article(html, url)
    if args.format == "json":
        print(json.dumps(article.to_json(), indent=2, ensure_ascii=False))
    elif args.format == "md":
        print(article.markdown)
    else:
        print(article.text)
    return ExitCode.OK


def run(argv: Sequence[str]) -> ExitCode:
    """Run the command line argv (without the program name) and return its exit code."""
    command = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(command)
    rest = list(argv[1:] if command else argv)
    try:
        args = parser.parse_args(rest)
    except SystemExit as stop:  # argparse exits 2 on bad usage and 0 for --help.
        return ExitCode.OK if stop.code in (0, None) else ExitCode.USAGE
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if getattr(args, "concurrency", 1) < 1:
        raise UsageError("--concurrency must be at least 1.")
    if command == "extract":
        return _extract(args)
    if command == "doctor":
        return asyncio.run(_doctor(args))
    if command == "demo":
        return asyncio.run(_demo(args))
    return asyncio.run(_capture(args, args.urls))


def _interrupt_on_sigterm() -> None:
    """Make SIGTERM stop a run as Ctrl-C does: finished captures kept, open files left `.open`."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # Not the main thread (embedded use): leave it alone.
        signal.signal(signal.SIGTERM, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `capture` command: returns the process exit code."""
    _interrupt_on_sigterm()
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
