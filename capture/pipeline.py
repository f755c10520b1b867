"""One capture, end to end: render, extract, write the folder, then capture.json last."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from capture import images, paths, provenance
from capture.errors import PageError
from capture.extract import Article, extract_article
from capture.files import make_folder, write_bytes, write_json
from capture.models import (
    Attempt,
    BrowserInfo,
    CaptureRequest,
    CaptureState,
    PageCapture,
)
from capture.recorder import ExchangeSink, utc_now
from capture.records import exchange_records, resource_record, warcinfo_record
from capture.warc import WarcFile, new_record_id

log = logging.getLogger(__name__)


class Renderer(Protocol):
    """The seam to the browser: renders one page, streaming its exchanges to sink."""

    info: BrowserInfo

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what the browser saw of request.url."""
        ...


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What became of one URL: its state, its folder and, when it failed, why."""

    url: str
    state: CaptureState
    folder: Path
    error: str | None = None
    title: str | None = None
    exchanges: int = 0
    bytes: int = 0
    duration_s: float = 0.0
    status: int | None = None
    attempts: int = 1

    def to_json(self) -> dict[str, Any]:
        """Return the result as one JSON line's data."""
        return {
            "url": self.url,
            "state": self.state.value,
            "folder": str(self.folder),
            "error": self.error,
            "title": self.title,
            "exchanges": self.exchanges,
            "bytes": self.bytes,
            "duration_s": round(self.duration_s, 3),
            "status": self.status,
            "attempts": self.attempts,
        }


@dataclass(frozen=True, slots=True)
class Seams:
    """What a capture needs from outside: the clock, record ids, the machine facts."""

    clock: Callable[[], datetime] = utc_now
    new_id: Callable[[], str] = new_record_id
    machine: provenance.Machine | None = None


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

        def sink(exchange: Any) -> None:
            warc.write(*exchange_records(exchange, seams.new_id))

        page = await _render(request, renderer, sink, seams)
        article = _extract(page)
        _write_outputs(request, page, article, warc, seams)
    except BaseException:
        warc.abandon()
        raise
    warc.close()
    return _finish(request, page, article, machine, earlier)


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


def _extract(page: PageCapture) -> Article | None:
    html = page.layout_html or page.dom_html
    if html is None:
        return None
    return extract_article(html, page.final_url or page.url, rendered=page.layout)


def _write_outputs(
    request: CaptureRequest,
    page: PageCapture,
    article: Article | None,
    warc: WarcFile,
    seams: Seams,
) -> None:
    folder, options = request.folder, request.options
    url = page.final_url or page.url
    wants = options.wants
    outputs: list[tuple[str, str, str, bytes]] = []  # (file name, urn kind, mime, data)
    if page.served_screenshot is not None and wants("screenshot"):
        outputs.append(
            (
                paths.SERVED_SCREENSHOT,
                "screenshot-as-served",
                "image/png",
                page.served_screenshot.png,
            )
        )
    if page.screenshot is not None:
        view = images.crop_top(page.screenshot.png, page.viewport.height)
        if wants("screenshot"):
            outputs.append((paths.SCREENSHOT, "screenshot", "image/png", page.screenshot.png))
        if wants("viewport"):
            outputs.append((paths.VIEWPORT, "view", "image/png", view))
        if wants("thumbnail"):
            outputs.append((paths.THUMBNAIL, "thumbnail", "image/webp", images.thumbnail(view)))
    if page.dom_html is not None and wants("dom"):
        outputs.append((paths.DOM, "dom", "text/html; charset=utf-8", page.dom_html.encode()))
    if article is not None and wants("article"):
        outputs += [
            (paths.ARTICLE_TXT, "text", "text/plain; charset=utf-8", _text_file(article.text)),
            (
                paths.ARTICLE_MD,
                "markdown",
                "text/markdown; charset=utf-8",
                _text_file(article.markdown),
            ),
        ]
    for name, kind, mime, data in outputs:
        write_bytes(folder / name, data)
        warc.write(
            resource_record(
                f"urn:{kind}:{url}", mime, data, date=seams.clock(), record_id=seams.new_id()
            )
        )
    if page.interventions:
        log_json = json.dumps([entry.to_json() for entry in page.interventions], indent=2)
        warc.write(
            resource_record(
                f"urn:interventions:{url}",
                "application/json",
                log_json.encode("utf-8"),
                date=seams.clock(),
                record_id=seams.new_id(),
                record_type="metadata",
            )
        )
    if article is not None and wants("article"):
        write_json(folder / paths.ARTICLE_JSON, article.to_json())


def _text_file(text: str) -> bytes:
    return (text + "\n").encode("utf-8") if text else b""


def _finish(
    request: CaptureRequest,
    page: PageCapture,
    article: Article | None,
    machine: provenance.Machine,
    earlier: Sequence[Attempt],
) -> CaptureResult:
    folder = request.folder
    names = [path.name for path in folder.iterdir() if path.is_file()]
    names = [n for n in names if n != paths.CAPTURE_JSON and not n.startswith(".")]
    summary = None
    if article is not None:
        summary = {
            "title": article.title,
            "word_count": article.word_count,
            "is_article": article.is_article,
            "text_source": article.text_source,
        }
    document = provenance.record(
        page,
        options=request.options,
        machine=machine,
        article=summary,
        files=provenance.manifest(folder, names),
    )
    this = Attempt(len(earlier) + 1, page.started_at, page.ended_at, page.state, page.error)
    document["attempts"] = [attempt.to_json() for attempt in (*earlier, this)]
    write_json(folder / paths.CAPTURE_JSON, document)
    log.info("captured", extra={"url": request.url, "state": page.state.value})
    return CaptureResult(
        url=request.url,
        state=page.state,
        folder=folder,
        error=page.error or ("; ".join(page.partial_reasons) or None),
        title=article.title if article else None,
        exchanges=page.traffic.exchanges,
        bytes=page.traffic.bytes,
        duration_s=(page.ended_at - page.started_at).total_seconds(),
        status=page.status,
        attempts=len(earlier) + 1,
    )
