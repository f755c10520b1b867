"""A document still arriving when the budget ends: no empty file, the missing output named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply
from capture.options import CaptureOptions
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

BODY = b"<!doctype html><title>Slow</title><p>" + b"The story goes on. " * 400 + b"</p>"


@pytest.fixture
def trickling() -> Iterator[LocalSite]:
    """Yield a site whose page trickles in over a minute, far past the capture's budget."""
    site = LocalSite()
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    site.add_route("/slow", lambda _request: Reply(200, headers, BODY, trickle_s=60))
    with site:
        yield site


async def test_an_output_the_page_never_gave_is_absent_and_named_not_empty(
    shared_renderer: ChromiumRenderer, trickling: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(
        trickling.url("/slow"), shared_renderer, tmp_path, CaptureOptions(timeout_s=6)
    )
    folder = captured.result.folder

    assert captured.document["state"] == "partial"
    empty = [path.name for path in folder.iterdir() if path.stat().st_size == 0]
    assert empty == []
    assert not list(folder.glob("*.open"))
    listed = {entry["name"] for entry in captured.document["files"]}
    assert listed == {path.name for path in folder.iterdir()} - {"capture.json"}
    outputs = next(step for step in captured.document["steps"] if step["name"] == "outputs")
    missing = outputs["detail"]["missing"]
    assert "dom.html" in missing and not (folder / "dom.html").exists()
    assert any(reason.startswith("outputs: ") for reason in captured.document["partial_reasons"])
