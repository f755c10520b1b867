"""A URL that serves a PDF: the real PDF bytes are recorded, and the capture does not fail.

Debian's Chromium shows PDFs in its built-in viewer (the recorder takes the bytes from the
viewer's stream); Playwright's headless shell downloads them instead, as every Chromium does
for `Content-Disposition: attachment`, which the second test uses to take that path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.localsite import LocalSite
from capture.render import ChromiumRenderer
from tests.browser.captured import capture_one
from tests.browser.core_site import ATTACHMENT_PATH, CORE_DIR, PDF_PATH

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PDF_BYTES = (CORE_DIR / PDF_PATH.lstrip("/")).read_bytes()


async def test_pdf_shown_in_the_viewer_is_recorded_with_its_real_bytes(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    url = site.url(PDF_PATH)
    captured = await capture_one(url, shared_renderer, tmp_path)

    response = captured.response(url)
    assert response.payload == PDF_BYTES
    assert response.header("Content-Type") == "application/pdf"
    assert response.header("Content-Length") == str(len(PDF_BYTES))
    assert captured.document["state"] == "complete"
    assert captured.document["content_type"] == "application/pdf"
    kinds = {event["kind"] for event in captured.document["events"]}
    if "pdf" not in kinds:  # A Chromium without the viewer downloads the file instead.
        assert "download" in kinds
    assert not [uri for uri in captured.uris() if not uri.startswith(site.base_url)]


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
