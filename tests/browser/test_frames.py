"""Same-origin and cross-origin iframes: both documents and their subresources are recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import capture_one
from tests.browser.core_site import CORE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_same_and_cross_origin_frames_are_recorded_with_subresources(
    shared_renderer: ChromiumRenderer, site: LocalSite, other_origin: LocalSite, tmp_path: Path
) -> None:
    assert site.base_url != other_origin.base_url
    captured = await capture_one(site.url("/frames.html"), shared_renderer, tmp_path)

    expected = {
        site.url("/frame-same.html"): "frame-same.html",
        site.url("/frame-same.css"): "frame-same.css",
        other_origin.url("/frame-cross.html"): "frame-cross.html",
        other_origin.url("/img/cross.png"): "img/cross.png",
    }
    for url, name in expected.items():
        response = captured.response(url)
        assert response.status == 200
        assert response.payload == (CORE_DIR / name).read_bytes()
        assert response.warc_headers["WARC-IP-Address"] == "127.0.0.1"
    page = captured.response(site.url("/frames.html")).payload
    assert f'src="{other_origin.base_url}/frame-cross.html"'.encode() in page
