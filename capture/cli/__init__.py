"""The command line: argv -> library calls; results -> lines; errors -> messages and exit codes.

This package is the only code that parses arguments, prints, sets up logging or picks exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture._version import __version__
from capture.cli.display import Printer
from capture.cli.logs import show_log
from capture.cli.parser import COMMANDS, EXIT_CODES_HELP, build_parser, options_from_args
from capture.errors import CaptureError, ExitCode
from capture.models import CaptureState
from capture.options import CONCURRENCY

if TYPE_CHECKING:
    import asyncio

    from capture.api import RunResult
    from capture.evidence.checks import VerifyReport
    from capture.plan import SiteFor
    from capture.run.pipeline import Seams

__all__ = ["COMMANDS", "EXIT_CODES_HELP", "Printer", "build_parser", "exit_code_for", "main", "run"]

GRACE_S = 20.0
"""After the first Ctrl-C, how long captures in flight may take to finish before they are cut."""

Command = Callable[[argparse.Namespace, "asyncio.Event"], Coroutine[Any, Any, ExitCode]]


def exit_code_for(run: RunResult) -> ExitCode:
    """Return the exit code of a finished (or stopped) run."""
    if run.not_started:
        return ExitCode.INTERRUPTED
    code = {
        CaptureState.COMPLETE: ExitCode.OK,
        CaptureState.PARTIAL: ExitCode.PARTIAL,
        CaptureState.FAILED: ExitCode.FAILED,
    }[run.worst_state]
    return ExitCode.PARTIAL if code is ExitCode.OK and run.unsealed else code


DEFAULT_SITES = Path("configs") / "sites"
"""Site configs of the working folder, used when it exists and no --sites or --no-sites says
otherwise."""


def site_folders(args: argparse.Namespace) -> list[Path]:
    """Return the site config folders of a capture: --sites, else configs/sites when it exists."""
    if args.no_sites:
        return []
    return list(args.sites or ([DEFAULT_SITES] if DEFAULT_SITES.is_dir() else []))


async def _capture(
    args: argparse.Namespace,
    stop: asyncio.Event,
    urls: Sequence[str],
    site_for: SiteFor | None = None,
) -> ExitCode:
    from capture import api

    printer = Printer(args.json)
    site_for = site_for or site_matcher(site_folders(args))
    result = await api.capture_urls(
        urls,
        output=args.output,
        options=options_from_args(args),
        browser_path=args.browser,
        concurrency=args.concurrency or CONCURRENCY,
        on_event=printer,
        wacz=bool(args.wacz),
        stop=stop,
        seams=seams_for(args.sign_key, args.tsa or ()),
        site_for=site_for,
        qa=bool(args.qa),
    )
    if not args.json:
        print(f"run folder: {result.folder}")
    return exit_code_for(result)


def seams_for(sign_key: Path | None, tsa_urls: Sequence[str]) -> Seams:
    """Return the seams of a run: the signing key is loaded (and checked) before anything starts."""
    from capture.evidence import load_signing_key
    from capture.run.pipeline import Sealing, Seams

    key = load_signing_key(sign_key) if sign_key else None
    return Seams(sealing=Sealing(key=key, tsa_urls=tuple(tsa_urls)))


def site_matcher(folders: Sequence[Path]) -> SiteFor | None:
    """Return the matcher of the site configs in folders (loaded and checked now), or None."""
    if not folders:
        return None
    from capture.config.match import load_sites

    return load_sites(list(folders)).match


def _keygen(args: argparse.Namespace) -> ExitCode:
    from capture.evidence import generate_key_pair
    from capture.evidence.keys import public_path

    key = generate_key_pair(args.key)
    print(f"private key: {args.key} (keep it secret)")
    print(f"public key:  {public_path(args.key)} (give it to whoever verifies)")
    print(f"fingerprint: {key.fingerprint}")
    return ExitCode.OK


def _verify(args: argparse.Namespace) -> ExitCode:
    from capture.evidence import verify_path

    report = verify_path(args.path, tsa_certs=args.tsa_cert, public_key=args.public_key)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.to_text())
    if args.pdf is not None:
        trusted = [f"the time stamp authority certificate(s) in {path}" for path in args.tsa_cert]
        if args.public_key is not None:
            trusted.append(f"the signer's public key in {args.public_key}")
        import asyncio  # only for the print: `capture verify` itself needs no event loop

        asyncio.run(_verify_pdf(report, trusted, args.pdf))
        if not args.json:
            print(f"report: {args.pdf}")
    return ExitCode.OK if report.ok else ExitCode.NOT_VERIFIED


async def _verify_pdf(report: VerifyReport, trusted: list[str], out: Path) -> None:
    from datetime import UTC, datetime

    from capture.browser.renderer import open_renderer
    from capture.evidence.verify_html import verify_report_html
    from capture.output.files import write_bytes

    html = verify_report_html(report, trusted=trusted, made_at=datetime.now(UTC))
    async with open_renderer() as renderer:
        pdf = await renderer.print_html(html)
    write_bytes(out, pdf)


async def _urls(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    return await _capture(args, stop, args.urls)


async def _demo(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    from capture.demo import DEMO_ARTICLE_PATH, demo_site, demo_site_for

    sites = None if args.no_sites else demo_site_for(site_matcher(site_folders(args)))
    with demo_site() as site:
        if not args.json:
            print(f"demo site serving on {site.base_url}")
        return await _capture(args, stop, [site.url(DEMO_ARTICLE_PATH)], sites)


async def _run_job(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    if getattr(args, "broker", None):
        from capture.cli.distributed import run_with_broker

        return await run_with_broker(args, stop)
    from capture import api
    from capture.cli.jobs import job_with_flags

    job, urls = job_with_flags(args)
    resume: bool | Path = Path(args.resume) if isinstance(args.resume, str) else args.resume
    seams = seams_for(job.sign_key, job.tsa)
    result = await api.run_job(
        job,
        urls,
        resume=resume,
        on_event=Printer(args.json),
        stop=stop,
        seams=seams,
        site_for=site_matcher(job.sites),
    )
    if not args.json:
        print(f"run folder: {result.folder}")
    return exit_code_for(result)


async def _doctor(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    from capture.browser.renderer import open_renderer
    from capture.output.video import choose_encoder

    print(f"capture {__version__}, Python {sys.version.split()[0]}")
    async with open_renderer(args.browser) as renderer:
        info = renderer.info
        print(f"browser: {info.executable} (found by {info.source})")
        print(f"browser version: {info.version}; Playwright {info.playwright_version}")
        print(f"user agent: {info.user_agent}")
    print(f"video (--video): {choose_encoder().describe()}")
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


def _run_async(command: Command, args: argparse.Namespace) -> ExitCode:
    """Run an async command; the first Ctrl-C/SIGTERM stops new work, the second stops at once."""
    import asyncio  # Not at the top: it is a fifth of `capture --help`'s start-up.
    import signal

    async def supervised() -> ExitCode:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        presses = 0

        def on_signal() -> None:
            nonlocal presses
            presses += 1
            if presses == 1 and task is not None:
                stop.set()
                print(
                    "capture: stopping; captures in flight finish (again to stop now)",
                    file=sys.stderr,
                    flush=True,
                )
                loop.call_later(GRACE_S, task.cancel)
            elif task is not None:
                task.cancel()

        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # Windows or not the main thread: Ctrl-C still raises KeyboardInterrupt.
        try:
            return await command(args, stop)
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    try:
        return asyncio.run(supervised())
    except asyncio.CancelledError:
        print(
            "capture: stopped; finished captures are kept, unfinished ones removed "
            "(--resume captures them).",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED


def _qa(args: argparse.Namespace, stop: asyncio.Event) -> Coroutine[Any, Any, ExitCode]:
    from capture.cli.qa import run_qa

    return run_qa(args, stop)


def _login(args: argparse.Namespace, stop: asyncio.Event) -> Coroutine[Any, Any, ExitCode]:
    from capture.cli.login import run_login

    return run_login(args, stop)


ASYNC_COMMANDS: dict[str | None, Command] = {
    None: _urls,
    "login": _login,
    "qa": _qa,
    "run": _run_job,
    "demo": _demo,
    "doctor": _doctor,
}


def run(argv: Sequence[str]) -> ExitCode:
    """Run the command line argv (without the program name) and return its exit code."""
    command = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(command)
    try:
        args = parser.parse_args(list(argv[1:] if command else argv))
    except SystemExit as stop:  # argparse exits 2 on bad usage and 0 for --help.
        return ExitCode.OK if stop.code in (0, None) else ExitCode.USAGE
    show_log(verbose=args.verbose)
    if command == "extract":
        return _extract(args)
    if command == "keygen":
        return _keygen(args)
    if command == "verify":
        return _verify(args)
    if command in ("check-config", "schema"):
        from capture.cli import configs

        return configs.check(args.paths) if command == "check-config" else configs.schema(args.kind)
    if command == "worker":  # Blocking: Celery runs its own processes and handles signals.
        from capture.cli.distributed import worker

        return worker(args)
    return _run_async(ASYNC_COMMANDS[command], args)


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
