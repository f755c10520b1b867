"""A capture's screencast as a video file: H.264 MP4 through the system's ffmpeg, else WebP.

Playwright's own recorder needs an ffmpeg build it downloads, which a closed network cannot; the
frames come from the browser's screencast instead (`capture.browser.screencast`). Each frame is
shown until the next one (the last for LAST_FRAME_S), every frame fitted into the viewport's size.
With `ffmpeg` on PATH the frames become `capture.mp4` (H.264, plays anywhere); without it an
animated `capture.webp` made by Pillow, which browsers play too.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from capture.errors import VideoError
from capture.models import ScreencastFrame
from capture.options import Viewport

FPS = 10
LAST_FRAME_S = 1.0
FFMPEG_TIMEOUT_S = 300.0
VIDEO_MP4 = "capture.mp4"
VIDEO_WEBP = "capture.webp"
WEBP_QUALITY = 60


@dataclass(frozen=True, slots=True)
class Encoder:
    """How frames become a video: `ffmpeg` (the executable at path) or `webp` (Pillow)."""

    kind: Literal["ffmpeg", "webp"]
    path: str | None = None

    @property
    def file_name(self) -> str:
        """Return the video's file name in the capture folder."""
        return VIDEO_MP4 if self.kind == "ffmpeg" else VIDEO_WEBP

    def describe(self) -> str:
        """Return which encoder this is, in words (`capture doctor` prints it)."""
        if self.kind == "ffmpeg":
            return f"H.264 MP4 (capture.mp4) through ffmpeg at {self.path}"
        return f"animated WebP (capture.webp) through Pillow (no ffmpeg; {FFMPEG_ENV} may name one)"


FFMPEG_ENV = "CAPTURE_FFMPEG"
"""Names the ffmpeg to use; `none` makes animated WebP even where ffmpeg is installed."""


def choose_encoder(
    which: Callable[[str], str | None] = shutil.which, setting: str | None = None
) -> Encoder:
    """Return the ffmpeg that CAPTURE_FFMPEG names, or that which finds on PATH, else WebP.

    setting stands for the variable's value (read from the environment when None).
    """
    chosen = os.environ.get(FFMPEG_ENV) if setting is None else setting
    if chosen is not None and chosen.strip().lower() in {"", "none", "off"}:
        return Encoder("webp")
    found = which(chosen.strip()) if chosen else which("ffmpeg")
    return Encoder("ffmpeg", found) if found else Encoder("webp")


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """What capture.json says of the video: its file, encoder, frames and span."""

    file: str
    encoder: str
    frames: int
    duration_s: float

    def to_json(self) -> dict[str, Any]:
        """Return the record as capture.json's `video`."""
        return {
            "file": self.file,
            "encoder": self.encoder,
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "covers": "from navigation to the last screenshot (the browser's screencast)",
        }


def durations_s(frames: Sequence[ScreencastFrame]) -> list[float]:
    """Return how long each frame is shown: until the next frame, the last LAST_FRAME_S."""
    gaps = [max(0.0, after.at_s - before.at_s) for before, after in itertools.pairwise(frames)]
    return [*gaps, LAST_FRAME_S] if frames else []


def encode(
    frames: Sequence[ScreencastFrame], viewport: Viewport, encoder: Encoder
) -> tuple[bytes, VideoRecord]:
    """Return the frames as a video's bytes and its record; raise VideoError when they cannot be."""
    if not frames:
        raise VideoError("Could not make a video (the browser sent no frame).")
    shown = durations_s(frames)
    size = (viewport.width - viewport.width % 2, viewport.height - viewport.height % 2)
    if encoder.kind == "ffmpeg" and encoder.path:
        data = _ffmpeg(frames, shown, size, encoder.path)
        name = "ffmpeg (libx264)"
    else:
        data = _webp(frames, shown, size)
        name = "Pillow (WebP)"
    return data, VideoRecord(encoder.file_name, name, len(frames), sum(shown))


def _fitted(frame: ScreencastFrame, size: tuple[int, int]) -> Image.Image:
    """Return the frame on a canvas of size, scaled down to fit and centred (letterboxed)."""
    try:
        image = Image.open(io.BytesIO(frame.jpeg)).convert("RGB")
    except OSError as exc:
        raise VideoError(f"Could not make a video (a frame is not an image: {exc}).") from exc
    if image.size == size:
        return image
    image.thumbnail(size)
    canvas = Image.new("RGB", size, "black")
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return canvas


def _webp(
    frames: Sequence[ScreencastFrame], shown: Sequence[float], size: tuple[int, int]
) -> bytes:
    images = [_fitted(frame, size) for frame in frames]
    out = io.BytesIO()
    images[0].save(
        out,
        "WEBP",
        save_all=True,
        append_images=images[1:],
        duration=[max(1, round(seconds * 1000)) for seconds in shown],
        loop=1,
        quality=WEBP_QUALITY,
        method=0,
    )
    return out.getvalue()


def _ffmpeg(
    frames: Sequence[ScreencastFrame],
    shown: Sequence[float],
    size: tuple[int, int],
    ffmpeg: str,
) -> bytes:
    """Encode at a constant FPS: each JPEG is piped as often as it is shown (at least once)."""
    width, height = size
    fit = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p"
    )
    stream = b"".join(
        frame.jpeg * max(1, round(seconds * FPS))
        for frame, seconds in zip(frames, shown, strict=True)
    )
    with tempfile.TemporaryDirectory(prefix="capture-video-") as work:
        out = Path(work) / VIDEO_MP4
        command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "image2pipe",
                   "-framerate", str(FPS), "-c:v", "mjpeg", "-i", "-", "-vf", fit,
                   "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "28",
                   "-movflags", "+faststart", "-an", str(out)]  # fmt: skip
        try:
            result = subprocess.run(
                command, input=stream, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise VideoError(f"Could not run {ffmpeg} to make the video ({exc}).") from exc
        if result.returncode != 0 or not out.is_file():
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise VideoError(
                f"Could not make the video with {ffmpeg} ({reason[0]}). Check that this "
                "ffmpeg has libx264, or take it off PATH to get an animated WebP."
            )
        return out.read_bytes()
