"""What each command does: its parsed arguments -> library calls -> lines and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture._version import __version__
from capture.cli.display import Printer
from capture.cli.parser import options_from_args
from capture.errors import ExitCode
from capture.extras import require_extra
from capture.models import CaptureState
from capture.options import CONCURRENCY

if TYPE_CHECKING:
    import asyncio

    from capture.api import RunResult
    from capture.config.job import Job
    from capture.evidence.checks import VerifyReport
    from capture.plan import SiteFor
    from capture.run.pipeline import Seams


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
    from capture.evidence.seal import Sealing
    from capture.run.pipeline import Seams

    key = load_signing_key(sign_key) if sign_key else None
    return Seams(sealing=Sealing(key=key, tsa_urls=tuple(tsa_urls)))


def site_matcher(folders: Sequence[Path]) -> SiteFor | None:
    """Return the matcher of the site configs in folders (loaded and checked now), or None."""
    if not folders:
        return None
    from capture.config.match import load_sites

    return load_sites(list(folders)).match


def keygen(args: argparse.Namespace) -> ExitCode:
    """Make a signing key pair (`capture keygen KEY`); print where it went and its fingerprint."""
    from capture.evidence import generate_key_pair
    from capture.evidence.keys import public_path

    key = generate_key_pair(args.key)
    print(f"private key: {args.key} (keep it secret)")
    print(f"public key:  {public_path(args.key)} (give it to whoever verifies)")
    print(f"fingerprint: {key.fingerprint}")
    return ExitCode.OK


def verify(args: argparse.Namespace) -> ExitCode:
    """Check a capture folder, run folder or WACZ (`capture verify PATH`); OK only if it holds."""
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


async def capture_pages(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Capture the pages of plain `capture URL...`."""
    return await _capture(args, stop, args.urls)


async def demo(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Serve the bundled demo site and capture its article (`capture demo`)."""
    from capture.demo import DEMO_ARTICLE_PATH, demo_site, demo_site_for

    sites = None if args.no_sites else demo_site_for(site_matcher(site_folders(args)))
    with demo_site() as site:
        if not args.json:
            print(f"demo site serving on {site.base_url}")
        return await _capture(args, stop, [site.url(DEMO_ARTICLE_PATH)], sites)


async def run_job(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Run a job file (`capture run JOB.yaml`), here or through a broker's workers."""
    if args.broker:
        require_extra("distributed", "capture run --broker")
    from capture.cli.jobs import job_with_flags

    job, urls = job_with_flags(args)
    seams = seams_for(job.sign_key, job.tsa)  # the key is loaded (and checked) here, and stays here
    resume: bool | Path = Path(args.resume) if isinstance(args.resume, str) else args.resume
    if args.broker:
        result = await _run_with_broker(
            args.broker,
            job,
            urls,
            resume=resume,
            as_json=args.json,
            stop=stop,
            seams=seams,
        )
    else:
        from capture import api

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


async def _run_with_broker(
    given_url: str,
    job: Job,
    urls: list[str],
    *,
    resume: bool | Path,
    as_json: bool,
    stop: asyncio.Event,
    seams: Seams,
) -> RunResult:
    from capture.cli.distributed import broker_queue, show_unsealed
    from capture.distributed.submit import submit_job

    queue, url = await broker_queue(given_url)
    result = await submit_job(
        job,
        urls,
        queue=queue,
        broker_url=url,
        resume=resume,
        on_event=Printer(as_json),
        stop=stop,
        site_for=site_matcher(job.sites),
        seams=seams,
    )
    show_unsealed(result)  # after the summary, which counts states only
    return result


async def doctor(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Show the browser that will be used, its versions and the video encoder."""
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


def extract(args: argparse.Namespace) -> ExitCode:
    """Print the article re-extracted from an HTML file, capture folder or WARC."""
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


def qa(args: argparse.Namespace, stop: asyncio.Event) -> Coroutine[Any, Any, ExitCode]:
    """Replay captures from their WARCs and score them (`capture qa PATH...`)."""
    from capture.cli.qa import run_qa

    return run_qa(args, stop)


def login(args: argparse.Namespace, stop: asyncio.Event) -> Coroutine[Any, Any, ExitCode]:
    """Make or check a site's session file (`capture login`)."""
    from capture.cli.login import run_login

    return run_login(args, stop)


def check_config(args: argparse.Namespace) -> ExitCode:
    """Validate job and site config files (`capture check-config PATH...`)."""
    from capture.cli import configs

    return configs.check(args.paths)


def schema(args: argparse.Namespace) -> ExitCode:
    """Print the JSON Schema of job and/or site config files (`capture schema`)."""
    from capture.cli import configs

    return configs.schema(args.kind)


def worker(args: argparse.Namespace) -> ExitCode:
    """Run `capture worker` until it is stopped."""
    # Blocking, not in an event loop: Celery runs its own processes and handles signals.
    from capture.cli.distributed import worker

    return worker(args)
