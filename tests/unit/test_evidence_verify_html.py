"""capture verify's report as a page for a non-specialist: verdict, every check, what they mean."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from capture.evidence.checks import Check, VerifyReport
from capture.evidence.verify_html import verify_report_html

CHECKS = (
    Check("page.warc.gz", "size and SHA-256 as listed in capture.json", True, "sha256:ab, 9 bytes"),
    Check("page.pdf", "a whole PDF document", False, "has no end-of-file marker (%%EOF)"),
    Check("capture.json", "RFC 3161 timestamp of capture.json", False, 'rule "<b>x</b>" fails'),
)


def test_a_failing_report_leads_with_the_verdict_and_lists_every_check_escaped() -> None:
    report = VerifyReport(Path("/cases/story"), "capture folder", CHECKS)

    page = verify_report_html(
        report,
        trusted=["the TSA certificate(s) in root.pem"],
        made_at=datetime(2026, 12, 6, tzinfo=UTC),
    )

    assert "NOT VERIFIED: 2 of 3 checks do not hold, about capture.json, page.pdf." in page
    assert page.index("NOT VERIFIED") < page.index("<h2>page.warc.gz</h2>")
    assert page.count("DOES NOT HOLD") == 2 and page.count(">holds<") == 1
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "on 2026-12-06 00:00:00 UTC" in page
    assert "<li>the TSA certificate(s) in root.pem</li>" in page
    assert "An independent time stamp authority signed" in page  # meanings of the checks made
    assert "digital signature (Ed25519)" not in page  # and only of those
    assert "<script" not in page


def test_a_report_that_holds_says_so_and_what_was_not_trusted() -> None:
    report = VerifyReport(Path("story"), "capture folder", CHECKS[:1])

    page = verify_report_html(report)

    assert "VERIFIED: all 1 checks hold." in page
    assert "named no certificate or key to trust" in page
