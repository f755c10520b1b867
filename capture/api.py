"""The library's front door: capture URLs, or run a job, into a run folder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from capture.browser.recycle import RecyclingRenderer
from capture.browser.renderer import open_renderer
from capture.models import CaptureRequest
from capture.options import CONCURRENCY, CaptureOptions
from capture.output.runfolder import RunFolder
from capture.plan import SiteFor, plan
from capture.progress import CaptureFinished, ProgressEvent, RunStarted
from capture.run.lifecycle import (
    RunResult,
    RunSettings,
    close_run,
    collect_results,
    finish_run,
    open_run,
    prepare_job,
)
from capture.run.pipeline import Renderer, Seams
from capture.run.runner import AfterEach, OnEvent, RunPolicy, run_captures

if TYPE_CHECKING:
    from capture.config.job import Job

__all__ = ["RunResult", "RunSettings", "capture_urls", "execute", "run_job"]


async def capture_urls(
    urls: Sequence[str],
    *,
    output: Path = Path("archives"),
    options: CaptureOptions | None = None,
    browser_path: str | None = None,
    concurrency: int = CONCURRENCY,
    on_event: OnEvent | None = None,
    renderer: Renderer | None = None,
    seams: Seams | None = None,
    wacz: bool = False,
    stop: asyncio.Event | None = None,
    site_for: SiteFor | None = None,
    qa: bool = False,
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
    settings = RunSettings(RunPolicy(concurrency=concurrency), browser_path, wacz=wacz, qa=qa)
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
    folder, requests, settings = prepare_job(
        job, urls, resume=resume, site_for=site_for, seams=seams
    )
    return await execute(
        folder, requests, settings, renderer=renderer, seams=seams, on_event=on_event, stop=stop
    )


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
    """Capture what the run folder has not finished, then write its results, report and WACZ.

    The run folder is locked meanwhile: a second process cannot write into the same run.
    """
    with folder.locked():
        return await _capture_and_finish(
            folder, requests, settings, renderer, seams, on_event, stop
        )


async def _capture_and_finish(  # noqa: PLR0917 - the private body of execute, same arguments
    folder: RunFolder,
    requests: Sequence[CaptureRequest],
    settings: RunSettings,
    renderer: Renderer | None,
    seams: Seams,
    on_event: OnEvent | None,
    stop: asyncio.Event | None,
) -> RunResult:
    emit = on_event or (lambda event: None)
    run_info, todo = open_run(folder, requests, settings, seams)
    emit(RunStarted(str(folder.path), len(requests), len(requests) - len(todo)))

    def on_progress(event: ProgressEvent) -> None:
        if isinstance(event, CaptureFinished):
            rows, _ = collect_results(folder, [todo[event.index]])
            for row in rows:  # the same row shape as the final results.jsonl
                folder.append_result(row)
        emit(event)

    try:
        async with _renderer(renderer, settings.browser_path) as chromium:
            info = chromium.info
            run_info["software"]["browser"] = f"Chromium {info.version} ({info.executable})"
            folder.write_run(run_info)
            await run_captures(
                todo,
                chromium,
                on_event=on_progress,
                seams=seams,
                policy=settings.policy,
                stop=stop,
                after_each=_replay_check(chromium) if settings.qa else None,
            )
    finally:
        done, results = close_run(folder, requests, run_info, seams)
    return finish_run(
        folder, requests, results, done=done, settings=settings, seams=seams, emit=emit
    )


def _replay_check(renderer: Renderer) -> AfterEach:
    """Return the replay check run after each capture (imported only when --qa asks for it)."""
    from capture.qa.check import replay_check

    return replay_check(renderer)


LOCAL_RESTART_AFTER = 1_000_000
"""A local run relaunches its browser only when it dies (captures in flight share it)."""


@asynccontextmanager
async def _renderer(given: Renderer | None, browser_path: str | None) -> AsyncIterator[Renderer]:
    """Yield the given renderer, or one browser for the run that is relaunched if it crashes."""
    if given is not None:
        yield given
        return
    chromium = RecyclingRenderer(
        lambda: open_renderer(browser_path), restart_after=LOCAL_RESTART_AFTER
    )
    try:
        await chromium.ready()  # a missing browser stops the run here, before any capture
        yield chromium
    finally:
        await chromium.close()
