"""Pure image operations on PNG bytes: stitching tiles, the first screen, the thumbnail."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

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


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}
"""Channels per pixel of the PNG colour types a join takes: grey, RGB, grey+alpha, RGBA."""
ADLER_BASE = 65_521
JOIN_IDAT_BYTES = 1 << 20
"""The largest IDAT chunk a join writes (any size is valid; readers stream them alike)."""


@dataclass(frozen=True, slots=True)
class PngPiece:
    """One tile of a joined PNG: its rows, compressed again as a piece of the join's zlib stream.

    A PNG's rows are one zlib stream of filtered scanlines. Each tile's rows are inflated,
    their first row made independent of the row above it (each tile's first row was filtered
    against nothing), and deflated on their own, ending on a byte boundary: pieces made
    apart, in any order or at once, are then joined by concatenation, with no pixel decoded.
    """

    header: bytes
    """The tile's IHDR fields after its height: bit depth, colour type and the three methods."""
    width_px: int
    height_px: int
    ancillary: bytes
    """The tile's ancillary chunks before its pixels (a colour profile...), as they were."""
    deflated: bytes
    adler32: int
    """The Adler-32 of the rows, for the join's checksum."""
    raw_bytes: int


def png_piece(tile: bytes, *, last: bool, level: int = STITCH_COMPRESS_LEVEL) -> PngPiece:
    """Return a PNG tile as a piece of a join (`last`: the bottom tile, which ends the stream).

    Raises ValueError when tile is not a PNG a join takes (palette, interlaced, damaged...):
    `stitch` decodes those instead.
    """
    chunks = _chunks(tile)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ValueError("not a PNG that starts with its header")
    width, height = struct.unpack(">II", chunks[0][1][:8])
    depth, colour, *methods = chunks[0][1][8:]
    if depth not in {8, 16} or colour not in CHANNELS or methods != [0, 0, 0]:
        raise ValueError("a PNG of a kind a join does not take (palette, interlaced...)")
    kinds = [kind for kind, _ in chunks]
    if any(kind[0:1].isupper() and kind not in {b"IHDR", b"IDAT", b"IEND"} for kind in kinds):
        raise ValueError("a PNG with a critical chunk a join does not know")
    pixel_bytes = CHANNELS[colour] * depth // 8
    stride = 1 + width * pixel_bytes
    try:
        rows = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    except zlib.error as exc:
        raise ValueError(f"the PNG's pixels do not inflate: {exc}") from exc
    if width == 0 or len(rows) != stride * height:
        raise ValueError(f"the PNG's pixels are not {width}x{height}")
    first = _unfiltered_first_row(rows[:stride], pixel_bytes)
    rest = memoryview(rows)[stride:]
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(first) + compressor.compress(rest)
    deflated += compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    first_idat = kinds.index(b"IDAT")
    return PngPiece(
        header=chunks[0][1][8:],
        width_px=width,
        height_px=height,
        ancillary=b"".join(_chunk(kind, data) for kind, data in chunks[1:first_idat]),
        deflated=deflated,
        adler32=zlib.adler32(rest, zlib.adler32(first)),
        raw_bytes=len(rows),
    )


def join_pieces(pieces: Sequence[PngPiece]) -> bytes:
    """Return one PNG of pieces stacked top to bottom (the first piece's ancillary chunks kept).

    Raises ValueError when the pieces differ in width or pixel format, or none is there.
    """
    if not pieces:
        raise ValueError("no piece to join")
    top = pieces[0]
    if any((p.width_px, p.header) != (top.width_px, top.header) for p in pieces):
        raise ValueError("pieces of different widths or pixel formats")
    height = sum(piece.height_px for piece in pieces)
    checksum = pieces[0].adler32
    for piece in pieces[1:]:
        checksum = _adler32_combine(checksum, piece.adler32, piece.raw_bytes)
    stream = b"".join(
        [b"\x78\x01", *(piece.deflated for piece in pieces), struct.pack(">I", checksum)]
    )
    idat = b"".join(
        _chunk(b"IDAT", stream[start : start + JOIN_IDAT_BYTES])
        for start in range(0, len(stream), JOIN_IDAT_BYTES)
    )
    header = _chunk(b"IHDR", struct.pack(">II", top.width_px, height) + top.header)
    return PNG_SIGNATURE + header + top.ancillary + idat + _chunk(b"IEND", b"")


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Return a PNG's chunks as (kind, data) up to IEND; raise ValueError on damage."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks: list[tuple[bytes, bytes]] = []
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if len(data) != length:
            raise ValueError("a PNG cut short")
        if kind == b"IEND":
            return chunks
        chunks.append((kind, data))
        at += 12 + length
    raise ValueError("a PNG without its end")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _unfiltered_first_row(row: bytes, pixel_bytes: int) -> bytes:
    """Return a tile's first filtered row so that it reads the same under any row above it.

    The first row was filtered against a row of zeros: Up is then None and Paeth is Sub, both
    of which ignore the row above; Average is undone into plain bytes.
    """
    kind, data = row[0], row[1:]
    if kind in {0, 1}:
        return row
    if kind in {2, 4}:
        return bytes([kind // 2 - 1]) + data  # Up -> None (0), Paeth -> Sub (1)
    if kind == 3:
        plain = bytearray(data)
        for at in range(pixel_bytes, len(plain)):
            plain[at] = (plain[at] + (plain[at - pixel_bytes] >> 1)) & 0xFF
        return b"\x00" + bytes(plain)
    raise ValueError(f"a PNG row with filter {kind}, which no PNG has")


def _adler32_combine(first: int, second: int, second_bytes: int) -> int:
    """Return the Adler-32 of two byte strings joined, from the checksum of each (zlib's
    adler32_combine, which Python's zlib does not offer)."""
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % ADLER_BASE
    b = (b1 + b2 + second_bytes * (a1 - 1)) % ADLER_BASE
    return (b << 16) | a


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
