"""Pure image operations on PNG bytes: stitching tiles, the first screen, the thumbnail."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

THUMBNAIL_WIDTH_PX = 400


def size(png: bytes) -> tuple[int, int]:
    """Return (width, height) of an image."""
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


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
        return _encode(canvas, "PNG", compress_level=6)
    finally:
        for image in images:
            image.close()


def crop_top(png: bytes, height_px: int) -> bytes:
    """Return the top height_px rows of a PNG (the first screen of a full-page shot)."""
    with Image.open(io.BytesIO(png)) as image:
        if image.height <= height_px:
            return png
        return _encode(image.crop((0, 0, image.width, height_px)), "PNG", compress_level=6)


def thumbnail(png: bytes, width_px: int = THUMBNAIL_WIDTH_PX) -> bytes:
    """Return a small WebP preview of an image, width_px wide, aspect kept."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        ratio = width_px / rgb.width
        small = rgb.resize((width_px, max(1, round(rgb.height * ratio))), Image.Resampling.LANCZOS)
        return _encode(small, "WEBP", quality=80, method=4)
