"""provenance.pdf from a renderer that prints (a fake printer): written, listed, checked."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capture.browser.printing import Printer
from capture.browser.recycle import RecyclingRenderer
from capture.errors import PrintError
from capture.evidence.verify import verify_path
from capture.models import CaptureRequest, CaptureState
from capture.options import CaptureOptions
from capture.run.pipeline import Seams, capture_page
from tests.fakes import FAKE_MACHINE, FakeRenderer, counting_ids, fixed_clock, small_viewport

URL = "https://news.example.org/story"


@dataclass
class PrintingRenderer(FakeRenderer):
    """A fake renderer whose printer makes a small PDF naming what it was given, or fails."""

    printed: list[str] = field(default_factory=list)
    fails: bool = False

    async def print_html(self, html: str) -> bytes:
        """Return a tiny PDF holding the length of html; raise PrintError when told to fail."""
        self.printed.append(html)
        if self.fails:
            raise PrintError("Could not print to PDF (the browser is gone).")
        return f"%PDF-1.4\n% a print of {len(html)} characters\n%%EOF\n".encode()


async def _capture(tmp_path: Path, renderer: FakeRenderer) -> CaptureState:
    request = CaptureRequest(URL, tmp_path, CaptureOptions(viewport=small_viewport()))
    seams = Seams(clock=fixed_clock(), new_id=counting_ids(), machine=FAKE_MACHINE)
    return (await capture_page(request, renderer, seams)).state


def test_the_printing_fake_is_a_printer_and_the_plain_fake_is_not() -> None:
    assert isinstance(PrintingRenderer(), Printer)
    assert not isinstance(FakeRenderer(), Printer)


async def test_provenance_pdf_is_provenance_html_printed_and_listed_in_the_manifest(
    tmp_path: Path,
) -> None:
    renderer = PrintingRenderer()

    assert await _capture(tmp_path, renderer) is CaptureState.COMPLETE

    html = (tmp_path / "provenance.html").read_text(encoding="utf-8")
    assert renderer.printed == [html]
    pdf = (tmp_path / "provenance.pdf").read_bytes()
    assert pdf == f"%PDF-1.4\n% a print of {len(html)} characters\n%%EOF\n".encode()
    listed = json.loads((tmp_path / "capture.json").read_text())["files"]
    assert {"name": "provenance.pdf", "bytes": len(pdf)}.items() <= next(
        entry for entry in listed if entry["name"] == "provenance.pdf"
    ).items()
    report = verify_path(tmp_path)
    assert report.ok, report.to_text()
    assert any(check.subject == "provenance.pdf" and check.ok for check in report.checks)


async def test_a_changed_provenance_pdf_fails_verification(tmp_path: Path) -> None:
    await _capture(tmp_path, PrintingRenderer())
    pdf = tmp_path / "provenance.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"a print", b"a forgery"))

    report = verify_path(tmp_path)

    assert not report.ok
    assert [check.subject for check in report.failures] == ["provenance.pdf"]


async def test_a_print_that_fails_makes_the_capture_partial_and_every_record_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="capture.run.pipeline"):
        state = await _capture(tmp_path, PrintingRenderer(fails=True))

    assert state is CaptureState.PARTIAL  # a file every folder should hold is missing
    assert not (tmp_path / "provenance.pdf").exists()
    assert verify_path(tmp_path).ok  # provenance.html, its WARC copy and capture.json agree
    assert "provenance.pdf not printed" in caplog.text
    document = json.loads((tmp_path / "capture.json").read_text("utf-8"))
    reasons = document["partial_reasons"]
    assert any(reason.startswith("provenance-pdf: provenance.pdf not made") for reason in reasons)
    assert "provenance.pdf not made" in (tmp_path / "provenance.html").read_text("utf-8")


async def test_the_recycling_renderer_prints_with_its_live_browser_and_never_relaunches() -> None:
    inner = PrintingRenderer()
    launches: list[PrintingRenderer] = []

    @asynccontextmanager
    async def launch() -> AsyncIterator[PrintingRenderer]:
        launches.append(inner)
        yield inner

    recycling = RecyclingRenderer(launch)
    with pytest.raises(PrintError, match="the browser is gone"):
        await recycling.print_html("<p>before any capture</p>")
    await recycling.ready()

    assert (await recycling.print_html("<p>x</p>")).startswith(b"%PDF-")
    assert inner.printed == ["<p>x</p>"]
    inner.browser.crash()
    with pytest.raises(PrintError, match="the browser is gone"):
        await recycling.print_html("<p>after the crash</p>")
    assert len(launches) == 1
    await recycling.close()


async def test_the_recycling_renderer_over_a_renderer_that_cannot_print_says_so() -> None:
    @asynccontextmanager
    async def launch() -> AsyncIterator[FakeRenderer]:
        yield FakeRenderer()

    recycling = RecyclingRenderer(launch)
    await recycling.ready()
    with pytest.raises(PrintError, match="no printer"):
        await recycling.print_html("<p>x</p>")
    await recycling.close()


async def test_a_video_that_cannot_be_made_makes_the_capture_partial(tmp_path: Path) -> None:
    # No screencast frames: the encoder refuses, and the capture must not say it holds a video.
    options = CaptureOptions(viewport=small_viewport(), video=True)
    request = CaptureRequest(URL, tmp_path, options)
    seams = Seams(clock=fixed_clock(), new_id=counting_ids(), machine=FAKE_MACHINE)

    result = await capture_page(request, FakeRenderer(), seams)

    assert result.state is CaptureState.PARTIAL
    document = json.loads((tmp_path / "capture.json").read_text("utf-8"))
    assert "error" in document["video"]
    assert any(reason.startswith("video: not made") for reason in document["partial_reasons"])
    assert "video: not made" in (tmp_path / "provenance.html").read_text("utf-8")
