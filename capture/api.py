"""The library's front door: capture URLs into a run folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from capture import paths
from capture.files import make_folder
from capture.models import CaptureOptions, CaptureState
from capture.pipeline import CaptureResult, Renderer, Seams
from capture.plan import plan
from capture.render import open_renderer
from capture.runner import OnEvent, run_captures


@dataclass(frozen=True, slots=True)
class RunResult:
    """The run folder and every capture's result."""

    folder: Path
    results: tuple[CaptureResult, ...]

    @property
    def worst_state(self) -> CaptureState:
        """Return failed if any capture failed, else partial if any was partial, else complete."""
        states = {result.state for result in self.results}
        for state in (CaptureState.FAILED, CaptureState.PARTIAL):
            if state in states:
                return state
        return CaptureState.COMPLETE


def new_run_folder(output: Path, seams: Seams) -> Path:
    """Return a run folder under output, named by the run id, that does not exist yet."""
    base = paths.run_id(seams.clock())
    candidate = output / base
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = output / f"{base}-{counter}"
    return candidate


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
) -> RunResult:
    """Capture urls into `<output>/<run id>/captures/<slug>/` and return every result.

    Raises UsageError for bad URLs before anything starts, BrowserNotFoundError or
    BrowserLaunchError when no browser runs, OutputError when the disk fails.
    """
    seams = seams or Seams()
    options = options or CaptureOptions()
    folder = new_run_folder(output, seams)
    requests = plan(urls, folder, options)  # bad URLs stop the run before the disk is touched
    make_folder(folder)
    if renderer is not None:
        results = await run_captures(
            requests, renderer, concurrency=concurrency, on_event=on_event, seams=seams
        )
    else:
        async with open_renderer(browser_path) as chromium:
            results = await run_captures(
                requests, chromium, concurrency=concurrency, on_event=on_event, seams=seams
            )
    return RunResult(folder, tuple(results))
