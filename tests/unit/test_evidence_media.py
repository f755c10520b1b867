"""capture verify opens the PDFs and the video too: whole files of their kind, or why not."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image

from capture.evidence.mediacheck import media_checks, mp4_problem, pdf_problem, webp_problem

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def box(kind: bytes, body: bytes = b"") -> bytes:
    """Return one MP4 box: its 32-bit size, its type, its body."""
    return struct.pack(">I", 8 + len(body)) + kind + body


MP4 = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + box(b"moov", b"\x00" * 40) + box(b"mdat")


def webp(frames: int) -> bytes:
    """Return an animated WebP of frames solid frames."""
    images = [Image.new("RGB", (40, 30), (60 * n, 0, 0)) for n in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "WEBP", save_all=True, append_images=images[1:], duration=100)
    return out.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    """Write data to folder/name and return the path."""
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_whole_pdf_passes_and_a_cut_or_foreign_one_says_why(tmp_path: Path) -> None:
    assert pdf_problem(write(tmp_path, "a.pdf", PDF)) is None
    assert "cut short" in str(pdf_problem(write(tmp_path, "b.pdf", PDF[:-8])))
    assert "%PDF-" in str(pdf_problem(write(tmp_path, "c.pdf", b"<html>" + PDF)))


def test_an_mp4_needs_its_boxes_to_span_the_file_and_a_movie_index(tmp_path: Path) -> None:
    assert mp4_problem(write(tmp_path, "a.mp4", MP4)) is None
    cut = MP4 + box(b"mdat", b"x" * 50)[:20]  # the last box's header says 58 bytes, 20 are left
    assert "cut short" in str(mp4_problem(write(tmp_path, "b.mp4", cut)))
    assert "moov" in str(mp4_problem(write(tmp_path, "c.mp4", MP4.replace(b"moov", b"free"))))
    assert "ftyp" in str(mp4_problem(write(tmp_path, "d.mp4", box(b"moov") + box(b"mdat"))))


def test_a_webp_needs_its_riff_size_and_readable_frames(tmp_path: Path) -> None:
    data = webp(3)
    assert webp_problem(write(tmp_path, "a.webp", data)) is None
    assert "RIFF size" in str(webp_problem(write(tmp_path, "b.webp", data[:-5])))
    assert "WebP" in str(webp_problem(write(tmp_path, "c.webp", b"GIF89a" + data)))


def test_media_checks_name_each_file_and_the_video_capture_json_names(tmp_path: Path) -> None:
    write(tmp_path, "provenance.pdf", PDF)
    write(tmp_path, "page.pdf", PDF[:-8])
    write(tmp_path, "capture.webp", webp(2))
    files = [{"name": name} for name in ("provenance.pdf", "page.pdf", "capture.webp")]
    video = {"file": "capture.webp", "frames": 2, "duration_s": 0.2, "encoder": "Pillow (WebP)"}

    checks = media_checks(tmp_path, "captures/x/", files, {"video": video})
    unlisted = media_checks(tmp_path, "", files[:2], {"video": video})

    verdicts = {(check.subject, check.ok) for check in checks}
    assert verdicts == {
        ("captures/x/capture.webp", True),
        ("captures/x/page.pdf", False),
        ("captures/x/provenance.pdf", True),
    }
    assert sum(1 for check in checks if check.subject.endswith("capture.webp")) == 2
    (named,) = [check for check in unlisted if check.subject == "capture.webp"]
    assert not named.ok and "manifest does not list it" in named.detail
