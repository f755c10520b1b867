"""A page 30,000 px tall: the stitched screenshot has its full height, down to its last element."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PAGE_HEIGHT_PX = 30_000
BLUE, WHITE, RED = (0, 0, 255), (255, 255, 255), (255, 0, 0)


async def test_tall_page_screenshot_is_stitched_to_full_height(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/tall.html"), shared_renderer, tmp_path)

    png = (captured.folder / "screenshot.png").read_bytes()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1280, PAGE_HEIGHT_PX)
    x = image.width // 2
    assert image.getpixel((x, 0)) == BLUE
    assert image.getpixel((x, 999)) == BLUE
    assert image.getpixel((x, 1000)) == WHITE
    # The last element (#last, 200 px of red) fills the bottom rows, across tile seams too.
    for y in range(PAGE_HEIGHT_PX - 200, PAGE_HEIGHT_PX):
        assert image.getpixel((x, y)) == RED, y
    assert image.getpixel((x, PAGE_HEIGHT_PX - 201)) == WHITE
    for seam in range(8_192, PAGE_HEIGHT_PX - 200, 8_192):
        assert image.getpixel((x, seam - 1)) == WHITE
        assert image.getpixel((x, seam)) == WHITE
    shot = captured.document["screenshot"]
    assert shot["height_px"] == shot["page_height_px"] == PAGE_HEIGHT_PX
    assert shot["tiles"] > 1
    assert shot["truncated"] is False
    # The viewport shot is the top of the page only.
    view = Image.open(captured.folder / "viewport.png").convert("RGB")
    assert view.size == (1280, 800)
    assert view.getpixel((x, 799)) == BLUE
