"""A redirect chain: every hop is its own request/response pair, and capture.json lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import capture_one
from tests.browser.core_site import REDIRECT_HOPS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_redirect_chain_is_recorded_as_separate_pairs(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    start = site.url(REDIRECT_HOPS[0][0])
    landing = site.url("/landing.html")

    captured = await capture_one(start, shared_renderer, tmp_path)

    hops = [site.url(path) for path, _ in REDIRECT_HOPS]
    for (path, status), target in zip(REDIRECT_HOPS, [*hops[1:], landing], strict=True):
        response = captured.response(site.url(path))
        assert response.status == status
        assert response.header("Location") == target.removeprefix(site.base_url)
        (request,) = captured.of_type("request", site.url(path))
        assert request.warc_headers["WARC-Concurrent-To"] == response.warc_headers["WARC-Record-ID"]
    final = captured.response(landing)
    assert final.status == 200
    assert b"Three redirects led here." in final.payload
    assert captured.document["redirect_chain"] == [*hops, landing]
    assert captured.document["final_url"] == landing
    assert captured.document["state"] == "complete"
