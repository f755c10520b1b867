"""PDFs a clerk can file, printed by the capture's own Chromium: provenance.pdf and page.pdf."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from capture.browser.renderer import ChromiumRenderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.evidence.verify import verify_path
from capture.options import CaptureOptions
from tests.browser.captured import capture_one, run_tool
from tests.evidence_folder import make_run

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

BANNER = "We use cookies to give you the best experience"


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalSite]:
    with demo_site() as started:
        yield started


def _text(pdf: bytes) -> str:
    """Return the PDF's text, every run of white space (table cells wrap) one space."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


async def test_every_capture_holds_provenance_pdf_printed_from_provenance_html(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    url = site.url("/landing.html")
    captured = await capture_one(url, shared_renderer, tmp_path, CaptureOptions(timeout_s=30))

    pdf = (captured.folder / "provenance.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == f"Provenance of the capture of {url}"
    text = _text(pdf)
    assert "Provenance of the capture of" in text and "landing.html" in text
    listed = {entry["name"] for entry in captured.document["files"]}
    assert {"provenance.html", "provenance.pdf"} <= listed
    assert "page.pdf" not in listed  # only with --pdf
    report = verify_path(captured.folder)
    assert report.ok, report.to_text()


async def test_the_page_pdf_is_the_page_after_the_interventions(
    shared_renderer: ChromiumRenderer, demo: LocalSite, tmp_path: Path
) -> None:
    options = CaptureOptions(timeout_s=45, pdf=True)
    captured = await capture_one(demo.url(DEMO_ARTICLE_PATH), shared_renderer, tmp_path, options)

    step = next(step for step in captured.document["steps"] if step["name"] == "pdf")
    assert step["state"] == "ok", step
    pdf = (captured.folder / "page.pdf").read_bytes()
    text = _text(pdf)
    assert "Trump" in text  # the article's own words
    assert BANNER not in text  # the consent banner was cleared before the print
    assert captured.document["options"]["pdf"] is True
    (record,) = captured.of_type("resource", f"urn:print:{captured.document['final_url']}")
    assert record.payload == pdf
    report = verify_path(captured.folder)
    assert report.ok, report.to_text()
    assert any(
        check.subject == "page.pdf" and "same as its copy" in check.what for check in report.checks
    )


ENTRY_POINT = "import sys; from capture.cli import main; sys.exit(main())"


async def test_capture_verify_pdf_writes_the_report_in_plain_words(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    story = sorted((run / "captures").iterdir())[0]
    report = tmp_path / "report.pdf"
    verify = (sys.executable, "-c", ENTRY_POINT, "verify", str(run), "--pdf", str(report))

    code, output = await run_tool(*verify)
    text = _text(report.read_bytes())

    assert code == 0, output
    assert f"report: {report}" in output
    assert "VERIFIED: all" in text and "What the checks mean" in text
    assert "page.warc.gz" in text and "holds" in text
    (story / "article.txt").write_text("Something else.\n", encoding="utf-8")
    code, output = await run_tool(*verify)
    text = _text(report.read_bytes())
    assert code == 12, output
    assert "NOT VERIFIED" in text and "DOES NOT HOLD" in text and "article.txt" in text
