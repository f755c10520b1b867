"""Image operations: the first screen decoded alone, the thumbnail, stitching and joining tiles."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable

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


def filtered_png(image: Image.Image, first_row_filter: int) -> bytes:
    """Return image as a PNG whose first row uses first_row_filter (the others none), as a
    tile's first row is filtered against a row of zeros."""
    pixel_bytes = len(image.getbands())
    rows = image.tobytes()
    stride = image.width * pixel_bytes
    first = bytearray(rows[:stride])
    for at in range(len(first) - 1, -1, -1):  # right to left: each byte reads its plain left
        left = rows[at - pixel_bytes] if at >= pixel_bytes else 0
        predicted = {0: 0, 1: left, 2: 0, 3: left // 2, 4: left}[first_row_filter]
        first[at] = (rows[at] - predicted) & 0xFF
    lines = [bytes([first_row_filter]) + bytes(first)]
    lines += [b"\x00" + rows[top : top + stride] for top in range(stride, len(rows), stride)]
    colour = {"RGB": 2, "RGBA": 6}[image.mode]
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, colour, 0, 0, 0)
    return (
        images.PNG_SIGNATURE
        + images._chunk(b"IHDR", header)
        + images._chunk(b"IDAT", zlib.compress(b"".join(lines)))
        + images._chunk(b"IEND", b"")
    )


def noise(width: int, height: int, mode: str = "RGB", seed: int = 3) -> Image.Image:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(width * height * len(mode)))
    return Image.frombytes(mode, (width, height), data)


def joined(tiles: list[bytes]) -> bytes:
    pieces = [images.png_piece(tile, last=n == len(tiles) - 1) for n, tile in enumerate(tiles)]
    return images.join_pieces(pieces)


@pytest.mark.parametrize("first_row_filter", [0, 1, 2, 3, 4])
def test_joined_tiles_have_every_pixel_of_each_tile_whatever_its_first_row_filter(
    first_row_filter: int,
) -> None:
    parts = [noise(40, 30, seed=1), noise(40, 20, seed=2), noise(40, 7, seed=3)]
    tiles = [filtered_png(part, first_row_filter) for part in parts]
    assert [pixels(tile) for tile in tiles] == [pixels(part) for part in parts]

    png = joined(tiles)

    assert pixels(png) == ((40, 57), b"".join(part.tobytes() for part in parts))
    assert pixels(png) == pixels(images.stitch(tiles))


def test_a_joined_png_is_valid_to_its_checksums() -> None:
    png = joined([page_png(height=100), page_png(height=60)])

    chunks = images._chunks(png)  # every chunk's CRC is checked by a strict reader:
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    rows = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    assert len(rows) == 160 * (1 + 320 * 3)  # and zlib checks the Adler-32 of the rows


def test_joined_rgba_tiles_keep_their_alpha() -> None:
    parts = [noise(16, 10, "RGBA", seed=4), noise(16, 5, "RGBA", seed=5)]

    png = joined([filtered_png(part, 4) for part in parts])

    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        assert image.tobytes() == b"".join(part.tobytes() for part in parts)


def test_adler32_of_joined_bytes_is_combined_from_each_part() -> None:
    rng = random.Random(11)
    for _ in range(50):
        first = rng.randbytes(rng.randrange(0, 70_000))
        second = rng.randbytes(rng.randrange(0, 70_000))
        combined = images._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
        assert combined == zlib.adler32(first + second)


def interlaced_png() -> bytes:
    """Return a PNG that says its rows are interlaced (Pillow writes none: its header is set)."""
    chunks = images._chunks(page_png(height=60))
    header = chunks[0][1][:12] + b"\x01"
    rest = b"".join(images._chunk(kind, data) for kind, data in chunks[1:])
    end = images._chunk(b"IEND", b"")
    return images.PNG_SIGNATURE + images._chunk(b"IHDR", header) + rest + end


def palette_png() -> bytes:
    out = io.BytesIO()
    noise(20, 10).convert("P").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("tile", "why"),
    [
        (interlaced_png, "kind a join does not take"),
        (palette_png, "kind a join does not take"),
        (lambda: b"GIF89a", "not a PNG"),
        (lambda: page_png(height=60)[:-30], "cut short|without its end|do not inflate"),
    ],
)
def test_a_tile_a_join_does_not_take_is_refused(tile: Callable[[], bytes], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        images.png_piece(tile(), last=True)


def test_pieces_of_different_widths_are_not_joined() -> None:
    pieces = [images.png_piece(page_png(width=w, height=10), last=w == 30) for w in (20, 30)]

    with pytest.raises(ValueError, match="different widths"):
        images.join_pieces(pieces)
