"""The full-page screenshot, in tiles where a page is taller than Chromium renders at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from capture import images
from capture.models import Screenshot

if TYPE_CHECKING:
    from playwright.async_api import Page

TILE_HEIGHT_PX = 8_192
"""Chromium's compositor limit is 16,384 px; tiles well under it stay exact on every GPU path."""

PAGE_SIZE_JS = """() => {
  const d = document.documentElement, b = document.body;
  return {
    width: Math.max(d.scrollWidth, b ? b.scrollWidth : 0, d.clientWidth),
    height: Math.max(d.scrollHeight, b ? b.scrollHeight : 0, d.clientHeight),
  };
}"""


async def page_size(page: Page) -> tuple[int, int]:
    """Return the page's scrollable (width, height) in CSS pixels."""
    size = await page.evaluate(PAGE_SIZE_JS)
    return int(size["width"]), int(size["height"])


async def full_page(page: Page, *, viewport_width_px: int, max_height_px: int) -> Screenshot:
    """Return a screenshot of the whole page, stitched from tiles when it is tall.

    Pages taller than max_height_px are cut there, and the result says so.
    """
    _, page_height = await page_size(page)
    height = min(page_height, max_height_px)
    if height <= TILE_HEIGHT_PX:
        png = await page.screenshot(
            full_page=True,
            clip={"x": 0, "y": 0, "width": viewport_width_px, "height": max(height, 1)},
            animations="disabled",
        )
        tiles = 1
    else:
        parts = []
        for top in range(0, height, TILE_HEIGHT_PX):
            clip_height = min(TILE_HEIGHT_PX, height - top)
            parts.append(
                await page.screenshot(
                    full_page=True,
                    clip={"x": 0, "y": top, "width": viewport_width_px, "height": clip_height},
                    animations="disabled",
                )
            )
        png = images.stitch(parts)
        tiles = len(parts)
    width, shot_height = images.size(png)
    return Screenshot(
        png=png,
        width_px=width,
        height_px=shot_height,
        page_height_px=page_height,
        tiles=tiles,
        truncated=page_height > max_height_px,
    )
