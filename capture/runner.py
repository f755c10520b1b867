"""Many captures: bounded concurrency, the per-URL error boundary, progress events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from capture import paths
from capture.errors import OutputError
from capture.files import make_folder, write_json
from capture.models import CaptureRequest, CaptureState
from capture.pipeline import CaptureResult, Renderer, Seams, capture_page
from capture.progress import CaptureFinished, CaptureStarted, ProgressEvent

log = logging.getLogger(__name__)

OnEvent = Callable[[ProgressEvent], None]


async def run_captures(
    requests: Sequence[CaptureRequest],
    renderer: Renderer,
    *,
    concurrency: int = 1,
    on_event: OnEvent | None = None,
    seams: Seams | None = None,
) -> list[CaptureResult]:
    """Capture every request, at most `concurrency` at once; return results in request order.

    One URL's failure never stops the others; an OutputError (the disk) stops the run.
    """
    seams = seams or Seams()
    emit = on_event or (lambda event: None)
    gate = asyncio.Semaphore(max(1, concurrency))
    results: list[CaptureResult | None] = [None] * len(requests)

    async def one(index: int, request: CaptureRequest) -> None:
        async with gate:
            emit(CaptureStarted(url=request.url, index=index, total=len(requests)))
            result = await _bounded(request, renderer, seams)
            results[index] = result
            emit(CaptureFinished(result=result, index=index, total=len(requests)))

    async with asyncio.TaskGroup() as group:
        for index, request in enumerate(requests):
            group.create_task(one(index, request))
    return [result for result in results if result is not None]


async def _bounded(request: CaptureRequest, renderer: Renderer, seams: Seams) -> CaptureResult:
    """Return the capture's result; an unexpected error fails this URL only, with a record."""
    try:
        return await capture_page(request, renderer, seams)
    except OutputError:
        raise
    except Exception as exc:
        log.exception("capture crashed", extra={"url": request.url})
        error = f"Capture crashed ({type(exc).__name__}: {exc}). This is a bug; please report it."
        _write_failure(request, error, seams)
        return CaptureResult(request.url, CaptureState.FAILED, request.folder, error=error)


def _write_failure(request: CaptureRequest, error: str, seams: Seams) -> None:
    folder = make_folder(request.folder)
    document: dict[str, Any] = {
        "format": "capture/1",
        "url": request.url,
        "final_url": None,
        "state": CaptureState.FAILED.value,
        "error": error,
        "ended_at": seams.clock().isoformat(),
        "options": request.options.to_json(),
        "files": [],
    }
    write_json(folder / paths.CAPTURE_JSON, document)
