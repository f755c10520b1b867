"""Writing a capture folder's files, each also stored in the WARC as a resource record."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from capture import paths
from capture.errors import VideoError
from capture.extract import Article
from capture.models import CaptureRequest, PageCapture
from capture.options import CaptureOptions
from capture.output import images, provenance, video
from capture.output.certificates import CERTIFICATE_CHAIN, chain_pem
from capture.output.files import write_bytes, write_json
from capture.output.provenance_html import CONTENT_TYPE as PROVENANCE_TYPE
from capture.output.provenance_html import PROVENANCE_HTML, PROVENANCE_URN, provenance_html
from capture.output.records import WarcRecord, resource_record
from capture.output.warc import OPEN_SUFFIX, WarcFile

log = logging.getLogger(__name__)


class Stamps(Protocol):
    """What the folder's WARC records take from the capture's seams: the time and record ids."""

    @property
    def clock(self) -> Callable[[], datetime]:
        """Return the clock that dates each record."""
        ...

    @property
    def new_id(self) -> Callable[[], str]:
        """Return what makes each record's id."""
        ...


NEEDS_CONTENT = frozenset(
    {
        paths.SERVED_SCREENSHOT,
        paths.SCREENSHOT,
        paths.VIEWPORT,
        paths.THUMBNAIL,
        paths.DOM,
        paths.PAGE_PDF,
    }
)
"""Outputs that are only ever empty when they could not be made (an article may have no text)."""


def files_so_far(folder: Path) -> list[str]:
    """Return the names of the finished files in folder (not capture.json, temporaries, .open)."""
    return [
        path.name
        for path in folder.iterdir()
        if path.is_file()
        and path.name != paths.CAPTURE_JSON
        and not path.name.startswith(".")
        and not path.name.endswith(OPEN_SUFFIX)
    ]


def provenance_page(
    request: CaptureRequest,
    *,
    page: PageCapture,
    summary: dict[str, Any] | None,
    machine: provenance.Machine,
    signer: str | None,
    tsa_urls: tuple[str, ...],
) -> str:
    """Return provenance.html (what happened, in plain words) for the files written so far."""
    facts = provenance.record(
        page, options=request.options, machine=machine, article=summary, files=[]
    )
    del facts["files"]
    return provenance_html(
        facts,
        provenance.manifest(request.folder, files_so_far(request.folder)),
        signer=signer,
        tsa_urls=tsa_urls,
    )


def write_provenance_page(
    request: CaptureRequest, page: PageCapture, html: str, warc: WarcFile, seams: Stamps
) -> None:
    """Write provenance.html to the folder and the WARC."""
    data = html.encode("utf-8")
    write_bytes(request.folder / PROVENANCE_HTML, data)
    url = page.final_url or page.url
    warc.write(
        resource_record(
            f"{PROVENANCE_URN}{url}",
            PROVENANCE_TYPE,
            data,
            date=seams.clock(),
            record_id=seams.new_id(),
        )
    )


Output = tuple[str, str, str, bytes]
"""One file of a capture folder: its name, its kind in the WARC (`urn:<kind>:<url>`), its
media type and its bytes."""


def write_outputs(
    request: CaptureRequest,
    page: PageCapture,
    article: Article | None,
    warc: WarcFile,
    seams: Stamps,
) -> tuple[str, ...]:
    """Write the screenshots, DOM and article files the options ask for, each also to the WARC.

    Returns the names of the files that could not be made: an output the page gave nothing
    for (no DOM, no pixels) is left out rather than written empty. An article with no text
    writes no article.txt or article.md (article.json says so: its word count is 0)."""
    folder, options = request.folder, request.options
    url = page.final_url or page.url
    outputs = [
        *_image_outputs(page, options),
        *_text_outputs(page, article, options),
        *_evidence_outputs(page),
    ]
    missing = tuple(name for name, _, _, data in outputs if not data and name in NEEDS_CONTENT)
    for name, kind, mime, data in outputs:
        if not data:
            continue
        write_bytes(folder / name, data)
        warc.write(
            resource_record(
                f"urn:{kind}:{url}", mime, data, date=seams.clock(), record_id=seams.new_id()
            )
        )
    if page.interventions:
        warc.write(_interventions_record(page, url, seams))
    if article is not None and options.wants("article"):
        write_json(folder / paths.ARTICLE_JSON, article.to_json())
    return missing


def _image_outputs(page: PageCapture, options: CaptureOptions) -> list[Output]:
    """Return the screenshots the options ask for: as served, full page, first screen, thumbnail."""
    wants = options.wants
    outputs: list[Output] = []
    if page.served_screenshot is not None and wants("screenshot"):
        png = page.served_screenshot.png
        outputs.append((paths.SERVED_SCREENSHOT, "screenshot-as-served", "image/png", png))
    if page.screenshot is None:
        return outputs
    first = page.screenshot.first_screen or images.first_screen_files(
        page.screenshot.png,
        page.viewport.height,
        view=wants("viewport"),
        thumbnail_too=wants("thumbnail"),
    )
    if wants("screenshot"):
        outputs.append((paths.SCREENSHOT, "screenshot", "image/png", page.screenshot.png))
    if wants("viewport") and first.png is not None:
        outputs.append((paths.VIEWPORT, "view", "image/png", first.png))
    if wants("thumbnail") and first.thumbnail_webp is not None:
        outputs.append((paths.THUMBNAIL, "thumbnail", "image/webp", first.thumbnail_webp))
    return outputs


def _text_outputs(
    page: PageCapture, article: Article | None, options: CaptureOptions
) -> list[Output]:
    """Return the DOM and the article's text and Markdown, as the options ask."""
    outputs: list[Output] = []
    if page.dom_html is not None and options.wants("dom"):
        outputs.append((paths.DOM, "dom", "text/html; charset=utf-8", page.dom_html.encode()))
    if article is not None and options.wants("article"):
        text, markdown = text_file(article.text), text_file(article.markdown)
        outputs.append((paths.ARTICLE_TXT, "text", "text/plain; charset=utf-8", text))
        outputs.append((paths.ARTICLE_MD, "markdown", "text/markdown; charset=utf-8", markdown))
    return outputs


def _interventions_record(page: PageCapture, url: str, seams: Stamps) -> WarcRecord:
    """Return the WARC metadata record of the page's intervention log."""
    log_json = json.dumps([entry.to_json() for entry in page.interventions], indent=2)
    return resource_record(
        f"urn:interventions:{url}",
        "application/json",
        log_json.encode("utf-8"),
        date=seams.clock(),
        record_id=seams.new_id(),
        record_type="metadata",
    )


def _evidence_outputs(page: PageCapture) -> list[Output]:
    """Return the certificate chain and the page's print, when the capture has them."""
    outputs: list[Output] = []
    if page.certificate_chain:
        pem = chain_pem(page.certificate_chain)
        outputs.append((CERTIFICATE_CHAIN, "certificates", "application/x-pem-file", pem))
    if page.page_pdf is not None:
        outputs.append((paths.PAGE_PDF, "print", "application/pdf", page.page_pdf))
    return outputs


def write_video(request: CaptureRequest, page: PageCapture) -> dict[str, Any] | None:
    """Write the capture's screencast as a video (`--video`); return capture.json's `video`.

    None when no video was asked for; `{"error": ...}` when it could not be made (the capture
    keeps everything else)."""
    if not request.options.video:
        return None
    encoder = video.choose_encoder()
    try:
        data, record = video.encode(page.screencast, request.options.viewport, encoder)
    except VideoError as exc:
        log.warning("no video", extra={"url": request.url, "error": str(exc)})
        return {"error": str(exc)}
    write_bytes(request.folder / record.file, data)
    return record.to_json()


def text_file(text: str) -> bytes:
    """Return text as the bytes of a text file: UTF-8, one final newline, empty when empty."""
    return (text + "\n").encode("utf-8") if text else b""
