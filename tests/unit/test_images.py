"""Image operations: the first screen decoded alone, the thumbnail, stitching."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from capture.models import FirstScreen
from capture.output import images


def page_png(width: int = 320, height: int = 2000, *, interlace: bool = False) -> bytes:
    """Return a PNG with a different noisy row band every 50 px (so crops can be told apart)."""
    rng = random.Random(7)
    image = Image.new("RGB", (width, height))
    for top in range(0, height, 50):
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        image.paste(colour, (0, top, width, min(height, top + 50)))
    image.paste(Image.effect_noise((width, 40), 60).convert("RGB"), (0, 780))
    out = io.BytesIO()
    image.save(out, format="PNG", interlace=interlace)
    return out.getvalue()


def pixels(data: bytes | Image.Image) -> tuple[tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(data)) if isinstance(data, bytes) else data
    return image.size, image.convert("RGB").tobytes()


@pytest.mark.parametrize("interlace", [False, True])
def test_the_first_screen_has_exactly_the_top_rows_of_the_page(interlace: bool) -> None:
    png = page_png(interlace=interlace)
    with Image.open(io.BytesIO(png)) as whole:
        expected = pixels(whole.convert("RGB").crop((0, 0, 320, 800)))

    view, decoded = images.first_screen(png, 800)

    assert pixels(view) == expected
    assert pixels(decoded) == expected
    assert Image.open(io.BytesIO(view)).format == "PNG"


def test_a_page_no_taller_than_the_screen_is_its_own_first_screen() -> None:
    png = page_png(height=600)

    view, decoded = images.first_screen(png, 800)

    assert view == png
    assert decoded.size == (320, 600)


def test_the_thumbnail_is_a_small_webp_of_the_same_aspect() -> None:
    _, decoded = images.first_screen(page_png(width=1280, height=3000), 800)

    thumb = Image.open(io.BytesIO(images.thumbnail(decoded)))

    assert thumb.format == "WEBP"
    assert thumb.size == (images.THUMBNAIL_WIDTH_PX, 250)


def test_stitched_tiles_stack_top_to_bottom() -> None:
    top, bottom = page_png(height=100), page_png(height=60)

    stitched = images.stitch([top, bottom])

    assert images.size(stitched) == (320, 160)
    with Image.open(io.BytesIO(stitched)) as image:
        assert image.convert("RGB").crop((0, 100, 320, 160)).tobytes() == pixels(bottom)[1]


def test_the_first_screen_files_are_made_only_when_wanted() -> None:
    png = page_png(width=1280, height=3000)
    view, decoded = images.first_screen(png, 800)

    both = images.first_screen_files(png, 800)
    view_only = images.first_screen_files(png, 800, thumbnail_too=False)
    thumbnail_only = images.first_screen_files(png, 800, view=False)

    assert both.png == view and view_only.png == view and thumbnail_only.png is None
    assert both.thumbnail_webp == images.thumbnail(decoded) == thumbnail_only.thumbnail_webp
    assert view_only.thumbnail_webp is None
    assert images.first_screen_files(png, 800, view=False, thumbnail_too=False) == FirstScreen(
        None, None
    )
