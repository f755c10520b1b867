"""A URL that serves a PDF: the real PDF bytes are recorded, and the capture does not fail.

A full Chromium shows PDFs in its built-in viewer: the recorder takes the bytes as the response
leaves the network (the page's documents are paused for that), else from the viewer's stream.
The headless shell, which captures use when it is there, downloads them instead, as every
Chromium does for `Content-Disposition: attachment`. Both paths are tested, and the full browser
also on pages whose documents are paused on their way (redirects, frames).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest
import pytest_asyncio
from playwright.async_api import Request
from pytest import MonkeyPatch

from capture.browser import devtools
from capture.browser.recorder import Recorder
from capture.browser.renderer import ChromiumRenderer, open_renderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply
from tests.browser.captured import Captured, capture_one
from tests.browser.core_site import ATTACHMENT_PATH, CORE_DIR, PDF_PATH

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PDF_BYTES = (CORE_DIR / PDF_PATH.lstrip("/")).read_bytes()


FULL_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def full_chromium() -> AsyncIterator[ChromiumRenderer]:
    """Yield a renderer on a full Chromium (with the PDF viewer), not the headless shell."""
    found = next((path for name in FULL_CHROMIUMS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"no full Chromium on PATH (tried {', '.join(FULL_CHROMIUMS)})")
        pytest.skip("no full Chromium on PATH")
    async with open_renderer(found) as chromium:
        yield chromium


async def test_pdf_shown_in_the_viewer_is_recorded_with_its_real_bytes(
    full_chromium: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await _capture_pdf(full_chromium, site, tmp_path)
    kinds = {event["kind"] for event in captured.document["events"]}
    assert "pdf" in kinds


async def test_pdf_bytes_are_taken_off_the_network_not_only_from_the_viewer_stream(
    full_chromium: ChromiumRenderer, site: LocalSite, tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    # On a busy machine the viewer's stream can end aborted with its bytes gone, though the
    # viewer shows the file: the bytes read as the response left the network must do.
    async def stream_gives_nothing(recorder: Recorder, request: object) -> None:
        return None

    monkeypatch.setattr(Recorder, "_viewer_stream", stream_gives_nothing)

    await _capture_pdf(full_chromium, site, tmp_path)


async def test_pdf_whose_bytes_never_came_makes_the_capture_partial(
    full_chromium: ChromiumRenderer, site: LocalSite, tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    # Not read off the network (as a PDF of unknown length is not), and its stream aborted.
    monkeypatch.setattr(devtools, "is_viewer_document", lambda paused: False)
    monkeypatch.setattr(Recorder, "_viewer_stream", _stream_aborted)
    url = site.url(PDF_PATH)

    captured = await capture_one(url, full_chromium, tmp_path)

    assert captured.of_type("response", url) == []  # never the viewer's placeholder page
    assert captured.document["state"] == "partial"
    (reason,) = captured.document["partial_reasons"]
    assert reason.startswith("freeze: the page's own file was not recorded")
    (failed,) = captured.document["traffic"]["failed_requests"]
    assert failed["url"] == url
    assert failed["error"] == "the PDF viewer's stream was aborted and its bytes are gone"


async def _stream_aborted(recorder: Recorder, request: Request) -> None:
    recorder._viewer.stream(urldefrag(request.frame.url).url, None)  # as the recorder names it


async def test_pdf_in_the_default_browser_is_recorded_with_its_real_bytes(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await _capture_pdf(shared_renderer, site, tmp_path)
    kinds = {event["kind"] for event in captured.document["events"]}
    assert kinds & {"pdf", "download"}  # the viewer, or (the headless shell) a download


async def _capture_pdf(renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path) -> Captured:
    url = site.url(PDF_PATH)
    captured = await capture_one(url, renderer, tmp_path)

    response = captured.response(url)
    assert response.payload == PDF_BYTES
    assert response.header("Content-Type") == "application/pdf"
    assert response.header("Content-Length") == str(len(PDF_BYTES))
    assert captured.document["state"] == "complete"
    assert captured.document["content_type"] == "application/pdf"
    assert captured.document["status"] == 200
    assert not [uri for uri in captured.uris() if not uri.startswith(site.base_url)]
    return captured


async def test_pdf_that_downloads_is_recorded_with_its_real_bytes(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    url = site.url(ATTACHMENT_PATH)
    captured = await capture_one(url, shared_renderer, tmp_path)

    response = captured.response(url)
    assert response.payload == PDF_BYTES
    assert response.header("Content-Disposition") == 'attachment; filename="document.pdf"'
    assert response.header("Content-Length") == str(len(PDF_BYTES))
    assert captured.document["state"] != "failed"
    events = [(e["kind"], e["message"]) for e in captured.document["events"]]
    assert ("download", url) in events
    assert captured.document["traffic"]["failed_requests"] == []


async def test_pdf_after_a_redirect_in_the_viewer_is_recorded_with_its_real_bytes(
    full_chromium: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    url = site.url(PDF_PATH)
    site.add_route("/to-the-pdf", lambda _: Reply(status=302, headers=(("Location", url),)))

    captured = await capture_one(site.url("/to-the-pdf"), full_chromium, tmp_path)

    assert captured.response(site.url("/to-the-pdf")).status == 302
    assert captured.response(url).payload == PDF_BYTES
    assert captured.document["state"] == "complete"


async def test_frames_in_the_full_browser_whose_documents_are_paused_on_their_way(
    full_chromium: ChromiumRenderer, site: LocalSite, other_origin: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/frames.html"), full_chromium, tmp_path)

    assert captured.document["state"] == "complete"
    for url in (site.url("/frame-same.html"), other_origin.url("/frame-cross.html")):
        assert captured.response(url).status == 200


async def test_a_download_after_a_redirect_whose_bytes_never_came_is_partial(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    attachment = site.url(ATTACHMENT_PATH)
    site.add_route("/to-the-file", lambda _: Reply(status=302, headers=(("Location", attachment),)))
    monkeypatch.setattr(Recorder, "record_download", lambda recorder, download, path: None)

    captured = await capture_one(site.url("/to-the-file"), shared_renderer, tmp_path)

    assert captured.of_type("response", attachment) == []
    assert captured.document["state"] == "partial"
    (reason,) = captured.document["partial_reasons"]
    assert reason.startswith("freeze: the page's own file was not recorded")
