"""`--video` and `--pdf` on a real Chromium: the screencast as MP4 (ffmpeg) or WebP (Pillow),
the page's print and provenance.pdf, all in the manifest, signed and stamped, and verified."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from capture.api import capture_urls
from capture.browser.renderer import ChromiumRenderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.evidence.keys import generate_key_pair, public_path
from capture.evidence.seal import Sealing
from capture.evidence.verify import verify_path
from capture.options import CaptureOptions
from capture.run.pipeline import Seams
from tests.browser.captured import capture_one
from tests.evidence_tsa import Authority, make_authority, serve

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

OPTIONS = CaptureOptions(timeout_s=45, pdf=True, video=True)


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalSite]:
    with demo_site() as started:
        yield started


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """Return a test TSA made with openssl."""
    return make_authority(tmp_path_factory.mktemp("tsa"))


async def test_a_pdf_and_video_capture_is_sealed_and_every_file_verifies(
    shared_renderer: ChromiumRenderer, demo: LocalSite, authority: Authority, tmp_path: Path
) -> None:
    if shutil.which("ffmpeg") is None and not os.environ.get("CI"):
        pytest.skip("no ffmpeg on PATH")
    key = generate_key_pair(tmp_path / "clerk")
    public = public_path(tmp_path / "clerk")
    with serve(authority) as tsa:
        seams = Seams(sealing=Sealing(key=key, tsa_urls=(tsa.url,)))
        run = await capture_urls(
            [demo.url(DEMO_ARTICLE_PATH)],
            output=tmp_path / "out",
            options=OPTIONS,
            renderer=shared_renderer,
            seams=seams,
        )
    (result,) = run.results
    folder = result.folder
    document = json.loads((folder / "capture.json").read_text(encoding="utf-8"))

    listed = {entry["name"] for entry in document["files"]}
    assert {"provenance.pdf", "page.pdf", "capture.mp4"} <= listed
    assert document["video"]["file"] == "capture.mp4"
    assert document["video"]["frames"] >= 2, document["video"]
    assert (folder / "capture.mp4").read_bytes()[4:8] == b"ftyp"
    steps = {step["name"]: step["state"] for step in document["steps"]}
    assert steps["video"] == steps["pdf"] == "ok"
    assert "capture.mp4" in (folder / "provenance.html").read_text(encoding="utf-8")
    report = verify_path(folder, tsa_certs=[authority.root], public_key=public)
    assert report.ok, report.to_text()
    checked = {check.subject for check in report.checks if check.ok}
    assert {"provenance.pdf", "page.pdf", "capture.mp4"} <= checked
    (folder / "capture.mp4").write_bytes((folder / "capture.mp4").read_bytes()[:-10])
    damaged = verify_path(folder, tsa_certs=[authority.root], public_key=public)
    assert {check.subject for check in damaged.failures} == {"capture.mp4"}
    assert {check.what for check in damaged.failures} == {
        "size and SHA-256 as listed in capture.json",
        "a whole MP4 video",  # its last box, cut short
    }


async def test_without_ffmpeg_the_video_is_an_animated_webp_that_shows_the_interventions(
    shared_renderer: ChromiumRenderer,
    demo: LocalSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAPTURE_FFMPEG", "none")
    options = CaptureOptions(timeout_s=45, video=True)
    captured = await capture_one(demo.url(DEMO_ARTICLE_PATH), shared_renderer, tmp_path, options)

    video = captured.document["video"]
    assert (video["file"], video["encoder"]) == ("capture.webp", "Pillow (WebP)")
    image = Image.open(io.BytesIO((captured.folder / "capture.webp").read_bytes()))
    assert 2 <= image.n_frames <= video["frames"]  # identical frames are merged, times summed
    shown_ms = 0
    for index in range(image.n_frames):
        image.seek(index)
        image.load()
        shown_ms += image.info["duration"]
    assert abs(shown_ms - video["duration_s"] * 1000) <= video["frames"]  # 1 ms rounding each
    image.seek(0)
    first = image.convert("RGB")
    image.seek(image.n_frames - 1)
    last = image.convert("RGB")
    assert first.size == last.size == (1280, 800)
    assert ImageChops.difference(first, last).getbbox() is not None  # the page changed on screen
    assert not (captured.folder / "capture.mp4").exists()
    assert verify_path(captured.folder).ok
