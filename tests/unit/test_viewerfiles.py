"""The PDF viewer's documents and streams, matched without a browser.

(capture.browser.viewerfiles)
"""

from __future__ import annotations

from datetime import UTC, datetime

from capture.browser.viewerfiles import STREAM_ABORTED, ViewerFiles
from capture.exchanges import Exchange, HttpRequest, HttpResponse

REPORT = "http://127.0.0.1:8000/report.pdf"
ANNEX = "http://127.0.0.1:8000/annex.pdf"
PLACEHOLDER = b"<!doctype html><embed type='application/pdf'>"


def document(url: str) -> Exchange:
    return Exchange(
        HttpRequest("GET", url, ()),
        HttpResponse(200, "OK", (("Content-Type", "application/pdf"),), PLACEHOLDER),
        datetime(2026, 11, 27, tzinfo=UTC),
        "document",
    )


class Files:
    """A ViewerFiles and what it decided."""

    def __init__(self, read_elsewhere: set[str] | None = None) -> None:
        self.kept: dict[str, bytes] = {}
        self.lost: dict[str, str] = {}
        self.files = ViewerFiles(
            lambda e: self.kept.__setitem__(e.request.url, e.response.body),
            lambda e, why: self.lost.__setitem__(e.request.url, why),
            read_elsewhere=lambda url: url in (read_elsewhere or set()),
        )


def test_documents_and_streams_meet_in_either_order_by_url() -> None:
    seen = Files()
    seen.files.document(document(REPORT))
    seen.files.document(document(ANNEX))
    seen.files.stream(ANNEX, b"%PDF annex")  # two waiting: matched by URL, not by order
    assert seen.kept == {ANNEX: b"%PDF annex"} and seen.files.waiting
    seen.files.stream(REPORT, b"%PDF report")

    assert seen.kept == {REPORT: b"%PDF report", ANNEX: b"%PDF annex"}
    assert not seen.files.waiting

    later = Files()
    later.files.stream(REPORT, b"%PDF report")  # the stream first, then its document
    later.files.document(document(REPORT))
    assert later.kept == {REPORT: b"%PDF report"}


def test_the_only_stream_waiting_is_the_documents_when_the_urls_differ() -> None:
    seen = Files()
    seen.files.stream("http://127.0.0.1:8000/viewer-frame", b"%PDF")
    seen.files.document(document(REPORT))

    assert seen.kept == {REPORT: b"%PDF"}


def test_an_aborted_stream_loses_its_document_and_never_keeps_the_placeholder() -> None:
    seen = Files()
    seen.files.document(document(REPORT))
    seen.files.stream(REPORT, None)

    assert seen.kept == {} and seen.lost == {REPORT: STREAM_ABORTED}


def test_bytes_read_off_the_network_make_the_stream_needless() -> None:
    seen = Files(read_elsewhere={ANNEX})
    taken = seen.files.read_off_network(document(REPORT), b"%PDF read")
    seen.files.stream(REPORT, None)  # its stream aborted afterwards: nothing is lost
    seen.files.stream(ANNEX, None)  # being read off the network: not held against anything

    assert taken.response.body == b"%PDF read"
    assert seen.files.needless(ANNEX)
    assert seen.lost == {} and not seen.files.waiting


def test_documents_still_waiting_are_given_up_when_the_capture_ends() -> None:
    seen = Files()
    seen.files.document(document(REPORT))

    assert [e.request.url for e in seen.files.give_up()] == [REPORT]
    assert not seen.files.waiting and seen.files.give_up() == []
