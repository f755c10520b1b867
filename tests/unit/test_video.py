"""The screencast as a video: which encoder, how long each frame shows, MP4 and WebP bytes.

The ffmpeg tests need the system's ffmpeg (apt-get install ffmpeg): they skip without it on a
developer's machine, but fail when `CI` is set. The WebP tests force Pillow whatever is installed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess

import pytest
from PIL import Image

from capture.errors import VideoError
from capture.models import ScreencastFrame
from capture.options import Viewport
from capture.output.video import FPS, LAST_FRAME_S, Encoder, choose_encoder, durations_s, encode

VIEW = Viewport(320, 200)
COLOURS = ("#ff0000", "#00ff00", "#0000ff")


def jpeg(colour: str, size: tuple[int, int] = (320, 200)) -> bytes:
    """Return a JPEG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def frames() -> list[ScreencastFrame]:
    """Return three frames: red at 0 s, green at 0.5 s, blue (smaller, letterboxed) at 1.5 s."""
    return [
        ScreencastFrame(100.0, jpeg(COLOURS[0])),
        ScreencastFrame(100.5, jpeg(COLOURS[1])),
        ScreencastFrame(101.5, jpeg(COLOURS[2], (160, 200))),
    ]


def ffmpeg_or_skip() -> str:
    """Return the system's ffmpeg; skip without one, except on CI."""
    found = shutil.which("ffmpeg")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("ffmpeg is not installed (.ci/run installs it: apt-get install ffmpeg)")
        pytest.skip("no ffmpeg on PATH")
    return found


def test_capture_ffmpeg_none_in_the_environment_forces_webp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAPTURE_FFMPEG", "none")
    assert choose_encoder({"ffmpeg": "/usr/bin/ffmpeg"}.get) == Encoder("webp")


def test_each_frame_shows_until_the_next_and_the_last_for_a_second() -> None:
    assert durations_s(frames()) == [0.5, 1.0, LAST_FRAME_S]
    assert durations_s([]) == []


def test_the_encoder_is_ffmpeg_when_found_else_webp_and_can_be_forced() -> None:
    found = {"ffmpeg": "/usr/bin/ffmpeg", "/opt/ff/bin/ffmpeg": "/opt/ff/bin/ffmpeg"}

    assert choose_encoder(found.get, "") == Encoder("webp")
    assert choose_encoder(found.get, "none") == Encoder("webp")
    assert choose_encoder({}.get, "ffmpeg") == Encoder("webp")  # none on PATH
    assert choose_encoder(found.get, "/opt/ff/bin/ffmpeg") == Encoder(
        "ffmpeg", "/opt/ff/bin/ffmpeg"
    )
    chosen = choose_encoder(found.get, "ffmpeg")
    assert chosen == Encoder("ffmpeg", "/usr/bin/ffmpeg")
    assert chosen.file_name == "capture.mp4" and "ffmpeg at /usr/bin/ffmpeg" in chosen.describe()
    assert Encoder("webp").file_name == "capture.webp"


def test_webp_has_every_frame_for_its_time_letterboxed_to_the_viewport() -> None:
    data, record = encode(frames(), VIEW, Encoder("webp"))

    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP" and image.n_frames == 3
    shown = []
    for index in range(3):
        image.seek(index)
        image.load()  # the frame's duration is read with its pixels
        shown.append((image.info["duration"], image.convert("RGB").getpixel((160, 100))))
        assert image.size == (320, 200)
    assert [duration for duration, _ in shown] == [500, 1000, 1000]
    reds = [pixel[0] for _, pixel in shown]
    assert reds[0] > 200 and reds[1] < 60  # red first, then green
    image.seek(2)
    assert image.convert("RGB").getpixel((5, 100)) == (0, 0, 0)  # the narrow frame, boxed
    assert (record.file, record.frames, record.duration_s) == ("capture.webp", 3, 2.5)


def test_mp4_from_ffmpeg_is_h264_at_the_viewport_size_for_the_whole_span() -> None:
    ffmpeg = ffmpeg_or_skip()
    data, record = encode(frames(), VIEW, Encoder("ffmpeg", ffmpeg))

    assert data[4:8] == b"ftyp"
    probe = subprocess.run(
        [ffmpeg.replace("ffmpeg", "ffprobe"), "-v", "error", "-show_streams", "-count_frames",
         "-of", "json", "-"],
        input=data, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    (stream,) = json.loads(probe.stdout)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 320, 200)
    assert int(stream["nb_read_frames"]) == round(2.5 * FPS)
    assert (record.file, record.encoder, record.frames) == ("capture.mp4", "ffmpeg (libx264)", 3)


def test_no_frame_or_a_frame_that_is_no_image_is_a_video_error() -> None:
    with pytest.raises(VideoError, match="no frame"):
        encode([], VIEW, Encoder("webp"))
    with pytest.raises(VideoError, match="not an image"):
        encode([ScreencastFrame(1.0, b"not a jpeg")], VIEW, Encoder("webp"))


def test_an_ffmpeg_that_fails_is_a_video_error_that_names_it() -> None:
    with pytest.raises(VideoError, match="/bin/false"):
        encode(frames(), VIEW, Encoder("ffmpeg", "/bin/false"))
