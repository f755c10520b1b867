"""The library's front door: capture URLs, or run a job, into a run folder."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture import __version__
from capture.config.job import Job
from capture.errors import NothingToPackageError
from capture.models import CaptureOptions, CaptureRequest, CaptureState
from capture.pipeline import CaptureResult, Renderer, Seams
from capture.plan import SiteFor, plan
from capture.progress import CaptureFinished, ProgressEvent, RunFinished, RunStarted
from capture.render import open_renderer
from capture.runfolder import RunFolder, result_row
from capture.runner import OnEvent, RunPolicy, run_captures

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunResult:
    """The run folder, every capture's result, and what the run wrote at the end."""

    folder: Path
    results: tuple[CaptureResult, ...]
    not_started: int = 0
    wacz: Path | None = None
    report: Path | None = None

    @property
    def worst_state(self) -> CaptureState:
        """Return failed if any capture failed, else partial if any was partial, else complete."""
        states = {result.state for result in self.results}
        for state in (CaptureState.FAILED, CaptureState.PARTIAL):
            if state in states:
                return state
        return CaptureState.COMPLETE


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How to execute a planned run (everything but the URLs)."""

    policy: RunPolicy
    browser_path: str | None = None
    wacz: bool = False
    report: bool = True
    title: str = "capture run"
    job: dict[str, Any] | None = None


async def capture_urls(
    urls: Sequence[str],
    *,
    output: Path = Path("archives"),
    options: CaptureOptions | None = None,
    browser_path: str | None = None,
    concurrency: int = 1,
    on_event: OnEvent | None = None,
    renderer: Renderer | None = None,
    seams: Seams | None = None,
    wacz: bool = False,
    stop: asyncio.Event | None = None,
    site_for: SiteFor | None = None,
) -> RunResult:
    """Capture urls into `<output>/<run id>/captures/<slug>/` and return every result.

    `site_for` returns the site config that applies to a URL (`SiteSet.match`), or None.

    Raises UsageError for bad URLs before anything starts, BrowserNotFoundError or
    BrowserLaunchError when no browser runs, OutputError when the disk fails.
    """
    seams = seams or Seams()
    options = options or CaptureOptions()
    plan(urls, output, options, site_for)  # bad URLs, tied site configs: stop before the disk
    folder = RunFolder.create(output, seams.clock)
    requests = plan(urls, folder.path, options, site_for)
    settings = RunSettings(RunPolicy(concurrency=concurrency), browser_path, wacz=wacz)
    return await execute(
        folder, requests, settings, renderer=renderer, seams=seams, on_event=on_event, stop=stop
    )


async def run_job(
    job: Job,
    urls: Sequence[str],
    *,
    resume: bool | Path = False,
    site_for: SiteFor | None = None,
    on_event: OnEvent | None = None,
    renderer: Renderer | None = None,
    seams: Seams | None = None,
    stop: asyncio.Event | None = None,
) -> RunResult:
    """Run a job into `<output>/<job name>/<run id>/`; with resume, continue an unfinished run.

    `resume=True` continues the newest unfinished run of the job (a new run when there is none);
    a Path continues that run folder. Finished captures are never captured again.
    """
    seams = seams or Seams()
    root = job.output / job.name
    plan(urls, root, job.defaults.options(), site_for)  # validate before the disk is touched
    folder = _resumed(root, resume) or RunFolder.create(root, seams.clock)
    requests = plan(urls, folder.path, lambda url: job.settings_for(url).options(), site_for)
    policy = RunPolicy(job.concurrency, job.retries, job.retry_backoff, job.host_delay)
    settings = RunSettings(
        policy, job.browser, wacz=job.wacz, title=job.name, job=job.model_dump(mode="json")
    )
    return await execute(
        folder, requests, settings, renderer=renderer, seams=seams, on_event=on_event, stop=stop
    )


def _resumed(root: Path, resume: bool | Path) -> RunFolder | None:
    if isinstance(resume, Path):
        return RunFolder.existing(resume)
    return RunFolder.latest_unfinished(root) if resume else None


async def execute(
    folder: RunFolder,
    requests: Sequence[CaptureRequest],
    settings: RunSettings,
    *,
    renderer: Renderer | None,
    seams: Seams,
    on_event: OnEvent | None,
    stop: asyncio.Event | None,
) -> RunResult:
    """Capture what the run folder has not finished, then write its results, report and WACZ."""
    emit = on_event or (lambda event: None)
    earlier_run = folder.read_run()
    todo = [r for r in requests if folder.finished(r.folder) is None]
    for request in todo:  # leftovers of an interrupted attempt must not mix with a new one
        shutil.rmtree(request.folder, ignore_errors=True)
    run_info: dict[str, Any] = {
        "state": "running",
        "started_at": earlier_run.get("started_at") or seams.clock().isoformat(),
        "resumed_at": [
            *earlier_run.get("resumed_at", []),
            *([seams.clock().isoformat()] if earlier_run else []),
        ],
        "software": _software(),
        "job": settings.job,
        "policy": {
            "concurrency": settings.policy.concurrency,
            "retries": settings.policy.retries,
            "retry_backoff_s": settings.policy.retry_backoff_s,
            "host_delay_s": settings.policy.host_delay_s,
        },
        "urls": len(requests),
    }
    folder.write_run(run_info)
    emit(RunStarted(str(folder.path), len(requests), len(requests) - len(todo)))

    def on_progress(event: ProgressEvent) -> None:
        if isinstance(event, CaptureFinished):
            folder.append_result(event.result.to_json())
        emit(event)

    try:
        async with _renderer(renderer, settings.browser_path) as chromium:
            info = chromium.info
            run_info["software"]["browser"] = f"Chromium {info.version} ({info.executable})"
            folder.write_run(run_info)
            await run_captures(
                todo, chromium, on_event=on_progress, seams=seams, policy=settings.policy, stop=stop
            )
    finally:
        rows, results = _collect(folder, requests)
        done = len(rows) == len(requests)
        run_info.update(
            state="finished" if done else "interrupted",
            ended_at=seams.clock().isoformat(),
            counts=_counts(results),
        )
        folder.rewrite_results(rows)
        folder.write_run(run_info)
    wacz, report = _finish_outputs(folder, settings, seams) if done else (None, None)
    counts = _counts(results)
    emit(
        RunFinished(
            str(folder.path),
            counts["complete"],
            counts["partial"],
            counts["failed"],
            len(requests) - len(results),
            str(wacz) if wacz else None,
            str(report) if report else None,
        )
    )
    return RunResult(folder.path, tuple(results), len(requests) - len(results), wacz, report)


def _software() -> dict[str, str]:
    """Return the versions of the software a run uses (the browser's is in each capture.json)."""
    import platform
    from importlib.metadata import version

    return {
        "capture": __version__,
        "playwright": version("playwright"),
        "warcio": version("warcio"),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


@asynccontextmanager
async def _renderer(given: Renderer | None, browser_path: str | None) -> AsyncIterator[Renderer]:
    if given is not None:
        yield given
        return
    async with open_renderer(browser_path) as chromium:
        yield chromium


def _collect(
    folder: RunFolder, requests: Sequence[CaptureRequest]
) -> tuple[list[dict[str, Any]], list[CaptureResult]]:
    rows, results = [], []
    for request in requests:
        capture = folder.finished(request.folder)
        if capture is None:
            continue
        row = result_row(capture, request.folder)
        rows.append(row)
        results.append(
            CaptureResult(
                url=request.url,
                state=CaptureState(capture.get("state", "failed")),
                folder=request.folder,
                error=capture.get("error")
                or ("; ".join(capture.get("partial_reasons") or []) or None),
                title=row["title"],
                exchanges=row["exchanges"],
                bytes=row["bytes"],
                duration_s=row["duration_s"] or 0.0,
                status=capture.get("status"),
                attempts=row["attempts"],
            )
        )
    return rows, results


def _counts(results: Sequence[CaptureResult]) -> dict[str, int]:
    return {state.value: sum(1 for r in results if r.state is state) for state in CaptureState}


def _finish_outputs(
    folder: RunFolder, settings: RunSettings, seams: Seams
) -> tuple[Path | None, Path | None]:
    """Write index.html and the run WACZ; return their paths (None for what was not asked)."""
    run = folder.read_run()
    report = wacz = None
    if settings.report:
        from capture.report import write_report

        report = write_report(
            folder.path,
            title=settings.title,
            started_at=_when(run.get("started_at")),
            ended_at=_when(run.get("ended_at")),
        )
    if settings.wacz:
        from capture.wacz import write_wacz

        name = settings.title if settings.job else "capture"
        try:
            wacz = write_wacz(
                folder.path, folder.path / f"{name}.wacz", title=settings.title, clock=seams.clock
            )
        except NothingToPackageError:
            log.warning("no WACZ: no capture of the run wrote a WARC")
        else:
            if seams.sealing.active:
                from capture.evidence import seal_wacz

                seal = seal_wacz(
                    wacz, key=seams.sealing.key, tsa_urls=seams.sealing.tsa_urls, clock=seams.clock
                )
                for failure in seal.failures:
                    log.warning("timestamp failed", extra={"wacz": str(wacz), "error": failure})
    return wacz, report


def _when(text: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text) if isinstance(text, str) else None
