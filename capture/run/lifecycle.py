"""The life of a run folder, shared by local and queued runs: open, close, finish.

`open_run` writes run.json as running and says what is left to capture; `close_run` rebuilds
results.jsonl and run.json from the capture folders (the truth); `finish_run` writes index.html,
the WACZ and its seal once every URL has a finished capture, and announces the end.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture._version import __version__
from capture.errors import NothingToPackageError
from capture.models import CaptureRequest, CaptureResult, CaptureState, Verdict
from capture.output.files import clear_folder
from capture.output.runfolder import RunFolder, result_row
from capture.plan import SiteFor, plan
from capture.progress import RunFinished
from capture.run.pipeline import Seams
from capture.run.runner import OnEvent, RunPolicy

if TYPE_CHECKING:
    from capture.config.job import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunResult:
    """The run folder, every capture's result, and what the run wrote at the end."""

    folder: Path
    results: tuple[CaptureResult, ...]
    not_started: int = 0
    wacz: Path | None = None
    report: Path | None = None
    unsealed: tuple[str, ...] = ()
    """Why captures of a sealed run through a broker could not be sealed (also in run.json)."""

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
    qa: bool = False
    """Replay each finished capture from its WARC and score it (qa.json)."""


def resumed_folder(root: Path, resume: bool | Path) -> RunFolder | None:
    """Return the run folder to continue: a given one, the newest unfinished one, or None."""
    if isinstance(resume, Path):
        return RunFolder.existing(resume)
    return RunFolder.latest_unfinished(root) if resume else None


def prepare_job(
    job: Job,
    urls: Sequence[str],
    *,
    resume: bool | Path,
    site_for: SiteFor | None,
    seams: Seams,
) -> tuple[RunFolder, list[CaptureRequest], RunSettings]:
    """Return the run folder (new, or the one to resume), the planned requests and the settings.

    Bad URLs and tied site configs stop the run before the disk is touched. Local and queued
    runs both start here, so they cannot drift apart.
    """
    root = job.output / job.name
    plan(urls, root, job.defaults.options(), site_for)
    folder = resumed_folder(root, resume) or RunFolder.create(root, seams.clock)
    requests = plan(urls, folder.path, lambda url: job.settings_for(url).options(), site_for)
    settings = RunSettings(
        RunPolicy(job.concurrency, job.retries, job.retry_backoff_s, job.host_delay_s),
        job.browser,
        wacz=job.wacz,
        title=job.name,
        job=job.model_dump(mode="json"),
        qa=job.qa,
    )
    return folder, requests, settings


def software() -> dict[str, str]:
    """Return the versions of the software a run uses (the browser's is added once it runs)."""
    return {
        "capture": __version__,
        "playwright": version("playwright"),
        "warcio": version("warcio"),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def open_run(
    folder: RunFolder,
    requests: Sequence[CaptureRequest],
    settings: RunSettings,
    seams: Seams,
    *,
    clear_unfinished: bool = True,
    extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[CaptureRequest]]:
    """Write run.json as running; return its data and the requests not finished yet.

    With clear_unfinished, leftovers of interrupted attempts are removed so they cannot mix with
    a new one (a queued run leaves that to the worker, which may still be writing a folder).
    """
    earlier = folder.read_run()
    todo = [r for r in requests if folder.finished(r.folder) is None]
    if clear_unfinished:
        for request in todo:
            clear_folder(request.folder)
    policy = settings.policy
    run_info: dict[str, Any] = {
        "state": "running",
        "started_at": earlier.get("started_at") or seams.clock().isoformat(),
        "resumed_at": [
            *earlier.get("resumed_at", []),
            *([seams.clock().isoformat()] if earlier else []),
        ],
        "software": software(),
        "job": settings.job,
        "policy": {
            "concurrency": policy.concurrency,
            "retries": policy.retries,
            "retry_backoff_s": policy.retry_backoff_s,
            "host_delay_s": policy.host_delay_s,
        },
        **(extra or {}),
        **({"sealing": seams.sealing.to_json()} if seams.sealing.active else {}),
        "urls": len(requests),
    }
    folder.write_run(run_info)
    return run_info, todo


def collect_results(
    folder: RunFolder, requests: Sequence[CaptureRequest]
) -> tuple[list[dict[str, Any]], list[CaptureResult]]:
    """Return the results.jsonl rows and results of the requests whose capture finished."""
    rows, results = [], []
    for request in requests:
        capture = folder.finished(request.folder)
        if capture is None:
            continue
        row = result_row(capture, request.folder)
        rows.append(row)
        verdict = Verdict.from_json(capture.get("verdict"))
        said = [verdict.summary()] if verdict is not None and not verdict.kept else []
        reasons = "; ".join([*said, *(capture.get("partial_reasons") or [])]) or None
        results.append(
            CaptureResult(
                url=request.url,
                state=CaptureState(capture.get("state", "failed")),
                folder=request.folder,
                error=capture.get("error") or reasons,
                title=row["title"],
                exchanges=row["exchanges"],
                bytes=row["bytes"],
                duration_s=row["duration_s"] or 0.0,
                status=capture.get("status"),
                attempts=row["attempts"],
                verdict=verdict,
            )
        )
    return rows, results


def count_states(results: Sequence[CaptureResult]) -> dict[str, int]:
    """Return how many results are in each state."""
    return {state.value: sum(1 for r in results if r.state is state) for state in CaptureState}


def close_run(
    folder: RunFolder, requests: Sequence[CaptureRequest], run_info: dict[str, Any], seams: Seams
) -> tuple[bool, list[CaptureResult]]:
    """Rewrite results.jsonl and run.json from the capture folders; return (all done, results).

    A run whose every URL is captured is `captured` until its report and WACZ are written
    (`finish_run` then marks it `finished`): killed in between, it is resumed and repackaged.
    """
    rows, results = collect_results(folder, requests)
    done = len(rows) == len(requests)
    run_info.update(
        state="captured" if done else "interrupted",
        ended_at=seams.clock().isoformat(),
        counts=count_states(results),
    )
    folder.rewrite_results(rows)
    folder.write_run(run_info)
    return done, results


def finish_run(
    folder: RunFolder,
    requests: Sequence[CaptureRequest],
    results: Sequence[CaptureResult],
    *,
    done: bool,
    settings: RunSettings,
    seams: Seams,
    emit: OnEvent,
) -> RunResult:
    """Write index.html and the WACZ when every URL finished; emit RunFinished; return it."""
    wacz, report = _outputs(folder, settings, seams) if done else (None, None)
    if done:
        folder.write_run({**folder.read_run(), "state": "finished"})
    counts = count_states(results)
    not_started = len(requests) - len(results)
    emit(
        RunFinished(
            str(folder.path),
            counts["complete"],
            counts["partial"],
            counts["failed"],
            not_started,
            str(wacz) if wacz else None,
            str(report) if report else None,
        )
    )
    return RunResult(folder.path, tuple(results), not_started, wacz, report)


def _outputs(
    folder: RunFolder, settings: RunSettings, seams: Seams
) -> tuple[Path | None, Path | None]:
    """Write index.html and the run WACZ (sealed when sealing is on); return their paths."""
    # Imported when a run ends: the WACZ's indexer (cdxj-indexer, pyamf) costs start-up time.
    from capture.output.wacz import write_wacz
    from capture.run.report import write_report

    run = folder.read_run()
    report = None
    if settings.report:
        report = write_report(
            folder.path,
            title=settings.title,
            started_at=_when(run.get("started_at")),
            ended_at=_when(run.get("ended_at")),
        )
    if not settings.wacz:
        return None, report
    name = settings.title if settings.job else "capture"
    try:
        wacz = write_wacz(
            folder.path, folder.path / f"{name}.wacz", title=settings.title, clock=seams.clock
        )
    except NothingToPackageError:
        log.warning("no WACZ: no capture of the run wrote a WARC")
        return None, report
    if seams.sealing.active:
        from capture.evidence import seal_wacz

        seal = seal_wacz(
            wacz, key=seams.sealing.key, tsa_urls=seams.sealing.tsa_urls, clock=seams.clock
        )
        for failure in seal.failures:
            log.warning("timestamp failed", extra={"wacz": str(wacz), "error": failure})
    return wacz, report


def _when(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None
