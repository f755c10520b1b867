"""One capture, end to end: render, extract, write the folder, then capture.json last."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from capture import paths
from capture.browser.printing import Printer
from capture.browser.recorder import ExchangeSink
from capture.errors import OutputError, PageError, PrintError
from capture.evidence.seal import Sealing, seal_capture
from capture.exchanges import Exchange
from capture.extract.model import Article
from capture.models import (
    Attempt,
    BrowserInfo,
    CaptureRequest,
    CaptureResult,
    PageCapture,
    StepResult,
    StepState,
)
from capture.output import folder as folder_files
from capture.output import provenance
from capture.output.files import discard_folder, json_bytes, make_folder, write_bytes
from capture.output.records import exchange_records, warcinfo_record
from capture.output.warc import WarcFile, new_record_id
from capture.overlays.removed import recovered_article
from capture.sessions.logins import redactor_for
from capture.sessions.redaction import Redactor
from capture.sessions.scrub import without_secrets
from capture.steps import SYSTEM_CLOCK, MonotonicClock, utc_now
from capture.verdict.judge import judge_page

log = logging.getLogger(__name__)
T = TypeVar("T")


class Renderer(Protocol):
    """The seam to the browser: renders one page, streaming its exchanges to sink."""

    @property
    def info(self) -> BrowserInfo:
        """The browser's version and executable, as capture.json records them."""
        ...

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what the browser saw of request.url."""
        ...


@dataclass(frozen=True, slots=True)
class Seams:
    """What a capture needs from outside: the clock, record ids, the machine facts, sealing."""

    clock: Callable[[], datetime] = utc_now
    monotonic: MonotonicClock = SYSTEM_CLOCK
    """The time a run's policies wait on (host delays, retry back-offs); a test's is fake."""
    new_id: Callable[[], str] = new_record_id
    machine: provenance.Machine | None = None
    sealing: Sealing = field(default_factory=Sealing)


async def capture_page(
    request: CaptureRequest,
    renderer: Renderer,
    seams: Seams | None = None,
    *,
    earlier: Sequence[Attempt] = (),
) -> CaptureResult:
    """Capture request.url into request.folder and return the result; never raises PageError.

    `earlier` are the failed attempts before this one, recorded in capture.json.
    Raises OutputError when the folder cannot be written: that stops a run, unlike a bad page.
    """
    seams = seams or Seams()
    _load_extractor_soon()
    machine = seams.machine or provenance.Machine.current()
    folder = make_folder(request.folder)
    warc = WarcFile(folder / paths.WARC)
    try:
        warc.write(
            warcinfo_record(
                provenance.warcinfo(request.url, request.options, machine, renderer.info),
                filename=paths.WARC,
                date=seams.clock(),
                record_id=seams.new_id(),
            )
        )
        sink = _WarcSink(warc, redactor_for(request), seams.new_id)
        page = await _render(request, renderer, sink, seams)
        sink.raise_failure()
        if sink.redactor.active:  # first: the verdict's facts quote the page, its URLs and text
            page = without_secrets(page, sink.redactor, seams.clock())
        page = replace(page, verdict=judge_page(page, keep=request.options.keep_error_pages))
        # Extraction, images, hashing and fsyncs run off the event loop: other pages' browser
        # events are served meanwhile (the C parts of this work also leave the GIL).
        made_video = await _off_loop(folder_files.write_video, request, page)
        if made_video is not None and "error" in made_video:
            page = _with_failed(page, "video", f"not made: {made_video['error']}")
        page, summary = await _off_loop(_write_files, request, page, warc, seams)
        printer = _printer_of(renderer)
        page = await _write_provenance(
            request, page, summary=summary, machine=machine, warc=warc, printer=printer, seams=seams
        )
    except BaseException:
        # Nothing half-done stays: without capture.json the capture is unfinished, and a resumed
        # run (or the next attempt) captures it again from an empty folder.
        warc.abandon()
        discard_folder(request.folder)
        raise
    return await _finish(
        request,
        page,
        summary=summary,
        machine=machine,
        earlier=earlier,
        seams=seams,
        video=made_video,
    )


class _WarcSink:
    """Where the recorder's exchanges go: redacted, then into the capture's WARC as records.

    A disk failure is kept and raised again on every later exchange and by `raise_failure`:
    the recorder swallows a sink's errors, and the capture must not."""

    def __init__(self, warc: WarcFile, redactor: Redactor, new_id: Callable[[], str]) -> None:
        self.warc = warc
        self.redactor = redactor
        self.new_id = new_id
        self.failure: OutputError | None = None

    def __call__(self, exchange: Exchange) -> None:
        self.raise_failure()  # The disk failed: nothing more can be written.
        try:
            self.warc.write(*exchange_records(self.redactor.exchange(exchange), self.new_id))
        except OutputError as exc:
            self.failure = exc
            raise

    def raise_failure(self) -> None:
        """Raise the disk failure met while writing an exchange, if any."""
        if self.failure is not None:
            raise self.failure


async def _seal(folder: Path, document: bytes, seams: Seams) -> None:
    """Sign and timestamp capture.json's bytes (the TSAs are asked off the event loop)."""
    seal = await _off_loop(
        functools.partial(
            seal_capture,
            folder,
            key=seams.sealing.key,
            tsa_urls=seams.sealing.tsa_urls,
            clock=seams.clock,
            document_bytes=document,
        )
    )
    for failure in seal.failures:
        log.warning("timestamp failed", extra={"folder": str(folder), "error": failure})


async def _write_provenance(
    request: CaptureRequest,
    page: PageCapture,
    *,
    summary: dict[str, Any] | None,
    machine: provenance.Machine,
    warc: WarcFile,
    printer: Printer | None,
    seams: Seams,
) -> PageCapture:
    """Write provenance.html and provenance.pdf (the same page printed by the renderer's
    browser), then close the WARC; return the page.

    A renderer that cannot print (a fake) writes no PDF. A print that fails makes the capture
    partial: provenance.html is made again so that it, its copy in the WARC and capture.json
    all say so."""
    html = await _off_loop(
        functools.partial(
            folder_files.provenance_page,
            request,
            page=page,
            summary=summary,
            machine=machine,
            signer=seams.sealing.signer,
            tsa_urls=seams.sealing.tsa_urls,
        )
    )
    pdf: bytes | None = None
    if printer is not None:
        try:
            pdf = await printer.print_html(html)
        except PrintError as exc:
            log.warning("provenance.pdf not printed", extra={"url": page.url, "error": str(exc)})
            page = _with_failed(page, "provenance-pdf", f"{paths.PROVENANCE_PDF} not made: {exc}")
            return await _write_provenance(
                request, page, summary=summary, machine=machine, warc=warc, printer=None,
                seams=seams,
            )  # fmt: skip
    store = functools.partial(_store_provenance, request, page, html=html, pdf=pdf, warc=warc)
    await _off_loop(store, seams)
    return page


def _store_provenance(
    request: CaptureRequest,
    page: PageCapture,
    seams: Seams,
    *,
    html: str,
    pdf: bytes | None,
    warc: WarcFile,
) -> None:
    """Write provenance.html (folder and WARC) and provenance.pdf, then close the WARC."""
    folder_files.write_provenance_page(request, page, html, warc, seams)
    if pdf:
        write_bytes(request.folder / paths.PROVENANCE_PDF, pdf)
    warc.close()


def _printer_of(renderer: Renderer) -> Printer | None:
    """Return what prints provenance.pdf for renderer: itself, what it wraps, or None (a fake
    that cannot print writes no provenance.pdf)."""
    inner = getattr(renderer, "printer", None)
    if callable(inner):
        found: Printer | None = inner()
        return found
    return renderer if isinstance(renderer, Printer) else None


def _with_failed(
    page: PageCapture, step: str, error: str, detail: dict[str, Any] | None = None
) -> PageCapture:
    """Return page with one more failed step (which makes the capture partial)."""
    failed = StepResult(step, StepState.FAILED, 0.0, error=error, detail=detail or {})
    return replace(page, steps=(*page.steps, failed))


def _summary(article: Article | None) -> dict[str, Any] | None:
    if article is None:
        return None
    return {
        "title": article.title,
        "word_count": article.word_count,
        "is_article": article.is_article,
        "text_source": article.text_source,
    }


async def _render(
    request: CaptureRequest, renderer: Renderer, sink: ExchangeSink, seams: Seams
) -> PageCapture:
    """Return the renderer's page; a PageError it raises becomes a failed capture, not a crash."""
    started = seams.clock()
    try:
        return await renderer.render(request, sink)
    except PageError as exc:
        return PageCapture(
            url=request.url,
            final_url=None,
            started_at=started,
            ended_at=seams.clock(),
            browser=renderer.info,
            viewport=request.options.viewport,
            steps=(),
            error=str(exc),
        )


async def _off_loop(function: Callable[..., T], *args: Any) -> T:
    """Return function(*args) run in a worker thread.

    When the capture is cancelled meanwhile, the thread is let finish before the cancellation
    goes on, so that clean-up never races a thread still writing the folder.
    """
    work = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        while not work.done():  # cancelled again: keep waiting (asyncio.wait leaves work be)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({work})
        if not work.cancelled() and work.exception() is not None:
            log.warning(
                "writing the capture folder failed after it was cancelled",
                extra={"error": str(work.exception())},
            )
        raise


def _write_files(
    request: CaptureRequest, page: PageCapture, warc: WarcFile, seams: Seams
) -> tuple[PageCapture, dict[str, Any] | None]:
    """Extract the article and write every output; return the page (with an `outputs` step
    that names the files that could not be made) and the article summary."""
    article = _extract(page)
    missing = folder_files.write_outputs(request, page, article, warc, seams)
    if missing:
        error = f"not made, the page gave nothing to put in them: {', '.join(missing)}"
        page = _with_failed(page, "outputs", error, {"missing": list(missing)})
    return page, _summary(article)


EXTRACTOR = "capture.extract.article"


@functools.cache
@functools.cache
def _load_extractor_soon() -> None:
    """Start importing the extractor in a thread, once per process: the page renders meanwhile
    (mostly waiting for the browser), and the extraction after it finds the extractor loaded."""
    threading.Thread(target=_import_quietly, args=(EXTRACTOR,), name="capture-extractor").start()


def _import_quietly(name: str) -> None:
    with contextlib.suppress(ImportError):  # raised again where the module is used
        importlib.import_module(name)


def _extract(page: PageCapture) -> Article | None:
    from capture.extract.article import extract_article

    html = page.layout_html or page.dom_html
    url = page.final_url or page.url
    article = extract_article(html, url, rendered=page.layout) if html is not None else None
    if page.served_html is not None:  # a script removed text the server sent
        article = recovered_article(article, page.served_html, url)
    return article


async def _finish(
    request: CaptureRequest,
    page: PageCapture,
    *,
    summary: dict[str, Any] | None,
    machine: provenance.Machine,
    earlier: Sequence[Attempt],
    seams: Seams,
    video: dict[str, Any] | None = None,
) -> CaptureResult:
    """Write capture.json (sealed first when sealing is on) and return the capture's result.

    capture.json marks a finished capture: it comes last, so a capture killed before it is
    captured again on resume, and a sealed capture never lacks its seal.
    """
    folder = request.folder
    files = await _off_loop(provenance.manifest, folder, folder_files.files_so_far(folder))
    document = provenance.record(
        page, options=request.options, machine=machine, article=summary, files=files
    )
    this = Attempt(len(earlier) + 1, page.started_at, page.ended_at, page.state, page.error)
    document["attempts"] = [attempt.to_json() for attempt in (*earlier, this)]
    if video is not None:
        document["video"] = video
    data = json_bytes(document)
    if seams.sealing.active:
        await _seal(folder, data, seams)
    await _off_loop(write_bytes, folder / paths.CAPTURE_JSON, data)
    log.info("captured", extra={"url": request.url, "state": page.state.value})
    return CaptureResult(
        url=request.url,
        state=page.state,
        folder=folder,
        error=result_error(page),
        title=summary["title"] if summary else None,
        exchanges=page.traffic.exchanges,
        bytes=page.traffic.bytes,
        duration_s=(page.ended_at - page.started_at).total_seconds(),
        status=page.status,
        attempts=len(earlier) + 1,
        verdict=page.verdict,
    )


def result_error(page: PageCapture) -> str | None:
    """Return the one line a result shows: the error, else the verdict, else the failed steps."""
    if page.error:
        return page.error
    verdict = page.verdict
    lines = [verdict.summary()] if verdict is not None and not verdict.kept else []
    lines.extend(page.partial_reasons)
    return "; ".join(lines) or None
