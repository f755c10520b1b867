"""A subresource that answers 404 is kept in the WARC like any other response."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_404_subresources_are_kept_with_their_status_and_body(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/missing.html"), shared_renderer, tmp_path)

    picture = captured.response(site.url("/gone/picture.png"))
    assert picture.status == 404
    assert b"Nothing is served at /gone/picture.png." in picture.payload
    # Chromium aborts a 404 script once its headers say so; the status and headers are kept.
    script = captured.response(site.url("/gone/script.js"))
    assert script.status == 404
    assert script.header("Content-Type") == "text/html; charset=utf-8"
    assert script.header("Content-Length") == str(len(script.payload))
    for path in ("/gone/script.js", "/gone/picture.png"):
        assert captured.of_type("request", site.url(path))
    assert captured.response(site.url("/missing.html")).status == 200
    # A 404 is an answer, not a failure: the capture is complete.
    assert captured.document["state"] == "complete"
    assert captured.document["traffic"]["failed_requests"] == []
