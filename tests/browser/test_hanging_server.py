"""A server that never answers: the capture ends within its budget, failed or partial, on record."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.options import CaptureOptions
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

BUDGET_S = 8.0


async def test_server_that_never_answers_fails_within_the_budget(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    started = time.monotonic()
    captured = await capture_one(
        site.url("/hang"), shared_renderer, tmp_path, CaptureOptions(timeout_s=BUDGET_S)
    )
    elapsed_s = time.monotonic() - started

    assert captured.document["state"] == "failed"
    assert "Timeout" in captured.document["error"]
    assert elapsed_s < BUDGET_S + 2
    (navigate, *_) = captured.document["steps"]
    assert navigate["name"] == "navigate"
    assert navigate["state"] == "failed"


async def test_subresource_that_never_answers_leaves_a_partial_capture_within_the_budget(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    started = time.monotonic()
    captured = await capture_one(
        site.url("/hang-subresource.html"),
        shared_renderer,
        tmp_path,
        CaptureOptions(timeout_s=BUDGET_S),
    )
    elapsed_s = time.monotonic() - started

    assert captured.document["state"] == "partial"
    assert elapsed_s < BUDGET_S + 2
    assert "Waiting forever" in (captured.folder / "dom.html").read_text()
    assert (captured.folder / "screenshot.png").stat().st_size > 0
    page = captured.response(site.url("/hang-subresource.html"))
    assert page.status == 200
    assert site.url("/hang") not in captured.uris()
    failed = captured.document["traffic"]["failed_requests"]
    assert [(f["url"], f["error"]) for f in failed] == [
        (site.url("/hang"), "no response when the capture ended")
    ]
