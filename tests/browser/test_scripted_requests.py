"""Requests made by scripts (XHR, fetch, and a fetch after the load event) are recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.options import CaptureOptions
from tests.browser.captured import capture_one
from tests.browser.core_site import FETCH_WORD, XHR_WORD

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_xhr_and_fetch_exchanges_are_recorded_with_bodies(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/xhr.html"), shared_renderer, tmp_path)

    xhr = captured.response(site.url("/api/xhr.json?n=1"))
    assert json.loads(xhr.payload) == {"word": XHR_WORD}
    fetched = captured.response(site.url("/api/fetch"))
    assert json.loads(fetched.payload) == {"word": FETCH_WORD}
    (request,) = captured.of_type("request", site.url("/api/fetch"))
    assert request.payload == b'{"question":"which word?"}'
    assert request.warc_headers["WARC-Concurrent-To"] == fetched.warc_headers["WARC-Record-ID"]
    dom = (captured.folder / "dom.html").read_text()
    assert f'<p id="xhr">{XHR_WORD}</p>' in dom
    assert f'<p id="fetch">{FETCH_WORD}</p>' in dom


async def test_request_started_after_load_is_recorded(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/xhr.html"), shared_renderer, tmp_path)

    assert json.loads(captured.response(site.url("/api/late.json")).payload) == {"late": True}
    assert '<p id="late">late data arrived</p>' in (captured.folder / "dom.html").read_text()


async def test_fetch_body_the_page_never_reads_is_recorded_without_waiting(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # Chromium reports such a body finished only once the page reads it, which never happens.
    options = CaptureOptions(settle_s=0.5, timeout_s=20)
    started = time.monotonic()
    captured = await capture_one(site.url("/unread.html"), shared_renderer, tmp_path, options)
    elapsed_s = time.monotonic() - started

    assert json.loads(captured.response(site.url("/api/unread.json")).payload) == {"read": False}
    assert captured.document["state"] == "complete"
    assert captured.document["traffic"]["failed_requests"] == []
    freeze = next(step for step in captured.document["steps"] if step["name"] == "freeze")
    assert freeze["detail"]["abandoned_bodies"] == 0
    assert freeze["duration_s"] < 0.5
    assert elapsed_s < 5
