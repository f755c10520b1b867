"""Pure image operations on PNG bytes: stitching tiles, the first screen, the thumbnail."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

from capture.models import FirstScreen

THUMBNAIL_WIDTH_PX = 400

THUMBNAIL_REDUCING_GAP = 1.5
"""Shrink by whole factors first while at least this much scaling is left for Lanczos: a
400 px preview of a 1280 px screen in 3 ms instead of 8, with no difference a reader sees."""

THUMBNAIL_WEBP_METHOD = 2
"""WebP effort (0-6): 2 encodes twice as fast as 4 for a file about 3% larger."""


def size(png: bytes) -> tuple[int, int]:
    """Return (width, height) of an image."""
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


STITCH_COMPRESS_LEVEL = 1
"""zlib level of a page shot stitched from tiles: as Chromium's own `optimizeForSpeed` shots, the
fastest (the same pixels; level 6 took about half as long again for a file about a quarter
smaller on a 24,000 px article)."""


def stitch(tiles: Sequence[bytes]) -> bytes:
    """Return one PNG of tiles stacked top to bottom (as wide as the widest tile)."""
    images = [Image.open(io.BytesIO(tile)) for tile in tiles]
    try:
        width = max(image.width for image in images)
        height = sum(image.height for image in images)
        canvas = Image.new("RGB", (width, height), "white")
        top = 0
        for image in images:
            canvas.paste(image.convert("RGB"), (0, top))
            top += image.height
        return _encode(canvas, "PNG", compress_level=STITCH_COMPRESS_LEVEL)
    finally:
        for image in images:
            image.close()


VIEW_COMPRESS_LEVEL = 3
"""zlib level of viewport.png: 6 (Pillow's default) costs half as much time again for 6% less."""


def first_screen(png: bytes, height_px: int) -> tuple[bytes, Image.Image]:
    """Return the top height_px rows of a PNG as PNG bytes, and as a decoded RGB image.

    A full-page shot is often many screens tall: only the rows wanted are decoded.
    """
    if size(png)[1] <= height_px:
        with Image.open(io.BytesIO(png)) as image:
            return png, image.convert("RGB")
    top = _decode_top(png, height_px)
    return _encode(top, "PNG", compress_level=VIEW_COMPRESS_LEVEL), top.convert("RGB")


def _decode_top(png: bytes, height_px: int) -> Image.Image:
    """Return the first height_px rows of a PNG, decoding no further than they reach."""
    image = Image.open(io.BytesIO(png))
    first = image.tile[0] if len(image.tile) == 1 else None
    row_by_row = image.format == "PNG" and not image.info.get("interlace")
    if row_by_row and first is not None and first[1] == (0, 0, *image.size):
        # Pillow decodes a PNG row by row and stops once the image is full: a shorter image
        # of the same width reads only the rows it holds. This leans on Pillow's internals,
        # so anything unexpected falls back to decoding it all (same pixels, only slower).
        try:
            image._size = (image.width, height_px)
            image.tile = [first._replace(extents=(0, 0, image.width, height_px))]
            image.load()
            return image
        except Exception:  # any failure of the shortcut means: do it plainly
            image = Image.open(io.BytesIO(png))
    image.load()
    return image.crop((0, 0, image.width, height_px))


def thumbnail(image: Image.Image, width_px: int = THUMBNAIL_WIDTH_PX) -> bytes:
    """Return a small WebP preview of a decoded image (from `first_screen`), width_px wide."""
    ratio = width_px / image.width
    small = image.resize(
        (width_px, max(1, round(image.height * ratio))),
        Image.Resampling.LANCZOS,
        reducing_gap=THUMBNAIL_REDUCING_GAP,
    )
    return _encode(small, "WEBP", quality=80, method=THUMBNAIL_WEBP_METHOD)


def first_screen_files(
    png: bytes, height_px: int, *, view: bool = True, thumbnail_too: bool = True
) -> FirstScreen:
    """Return viewport.png and thumbnail.webp of a full-page PNG, each only when wanted."""
    if not (view or thumbnail_too):
        return FirstScreen(None, None)
    view_png, decoded = first_screen(png, height_px)
    return FirstScreen(view_png if view else None, thumbnail(decoded) if thumbnail_too else None)
