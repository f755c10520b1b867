"""Whether the PDFs and the video of a capture folder are whole files of their kind.

The manifest's hashes say a file is the one sealed; these checks say, in addition, that what was
sealed can be opened: a PDF with its header and end-of-file marker, an MP4 whose boxes span the
file and hold the movie's index (`moov`), a WebP whose RIFF size is the file's and whose frames
Pillow can read. And that the video capture.json names is in the manifest. Pure reads of files.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from capture.evidence.checks import Check

PDF_TAIL_BYTES = 2048


def media_checks(
    folder: Path, prefix: str, files: Sequence[Mapping[str, Any]], record: Mapping[str, Any]
) -> list[Check]:
    """Return a check per listed PDF, MP4 and WebP file, and of capture.json's `video`."""
    checks = []
    for name in sorted(str(entry.get("name")) for entry in files):
        path = folder / name
        if not path.is_file():
            continue  # the manifest check already says it is missing
        kind = _KINDS.get(path.suffix.lower())
        if kind is not None:
            what, check = kind
            problem = check(path)
            checks.append(Check(prefix + name, what, problem is None, problem or "opens whole"))
    video = record.get("video")
    if isinstance(video, Mapping) and video.get("file"):
        listed = {str(entry.get("name")) for entry in files}
        named = str(video["file"])
        checks.append(
            Check(
                prefix + named,
                "the video capture.json names is in the manifest",
                named in listed,
                f"{video.get('frames')} frames over {video.get('duration_s')} s, "
                f"encoded by {video.get('encoder')}"
                if named in listed
                else "capture.json names it, but the manifest does not list it",
            )
        )
    return checks


def pdf_problem(path: Path) -> str | None:
    """Return why path is not a whole PDF document, or None."""
    with path.open("rb") as stream:
        head = stream.read(8)
        stream.seek(max(0, path.stat().st_size - PDF_TAIL_BYTES))
        tail = stream.read()
    if not head.startswith(b"%PDF-"):
        return "does not start as a PDF does (%PDF-)"
    if b"%%EOF" not in tail:
        return "has no end-of-file marker (%%EOF): it was cut short"
    return None


def mp4_problem(path: Path) -> str | None:
    """Return why path is not a whole MP4 (its top-level boxes, `ftyp` first, `moov` in)."""
    size, seen, offset = path.stat().st_size, [], 0
    with path.open("rb") as stream:
        while offset < size:
            stream.seek(offset)
            header = stream.read(16)
            if len(header) < 8:
                return f"ends inside a box header at byte {offset}"
            length, kind = struct.unpack(">I4s", header[:8])
            if length == 1 and len(header) == 16:
                length = struct.unpack(">Q", header[8:16])[0]
            elif length == 0:
                length = size - offset
            if length < 8 or offset + length > size:
                return f"its {kind.decode('latin-1')!r} box runs past the end: it was cut short"
            seen.append(kind)
            offset += length
    if not seen or seen[0] != b"ftyp":
        return "does not start as an MP4 does (an ftyp box)"
    if b"moov" not in seen:
        return "has no movie index (moov box): it cannot be played"
    return None


def webp_problem(path: Path) -> str | None:
    """Return why path is not a whole WebP whose every frame Pillow can read, or None."""
    with path.open("rb") as stream:
        head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return "does not start as a WebP does (RIFF....WEBP)"
    if struct.unpack("<I", head[4:8])[0] + 8 != path.stat().st_size:
        return "its RIFF size is not the file's: it was cut short or grown"
    try:
        with Image.open(path) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                image.load()
    except (OSError, ValueError, EOFError) as exc:
        return f"a frame cannot be read ({exc})"
    return None


_KINDS = {
    ".pdf": ("a whole PDF document", pdf_problem),
    ".mp4": ("a whole MP4 video", mp4_problem),
    ".webp": ("a whole WebP image or animation", webp_problem),
}
