"""A PDF shown in Chromium's viewer: the document and the viewer's stream end in either order.

The document's own body is the viewer's placeholder page; the file's bytes come read off the
network (`BufferedBodies.viewer_body`) or from the viewer's stream, which can end aborted. The
requests are fakes here; tests/browser/test_pdf.py runs the real viewer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

from capture.browser.devtools import VIEWER_READ_MAX_BYTES, is_viewer_document
from capture.browser.recorder import Recorder
from capture.browser.wire import PDF_VIEWER_ORIGIN
from capture.exchanges import Exchange

PDF_URL = "http://127.0.0.1:8000/report.pdf"
PLACEHOLDER = b"<!doctype html><embed type='application/pdf'>"
FILE = b"%PDF-1.4 the real bytes"


@dataclass(eq=False)
class FakeFrame:
    url: str
    parent_frame: FakeFrame | None = None


@dataclass(eq=False)
class FakeResponse:
    url: str
    body_bytes: bytes
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    status_text: str = "OK"
    reads: int = 0

    async def body(self) -> bytes:
        self.reads += 1
        return self.body_bytes

    async def headers_array(self) -> list[dict[str, str]]:
        return self.headers

    async def server_addr(self) -> None:
        return None


@dataclass(eq=False)
class FakeRequest:
    url: str
    resource_type: str
    frame: FakeFrame
    answer: FakeResponse | None
    method: str = "GET"
    post_data_buffer: bytes | None = None
    failure: str | None = None

    async def response(self) -> FakeResponse | None:
        return self.answer

    async def headers_array(self) -> list[dict[str, str]]:
        return []


def pdf_document(url: str = PDF_URL) -> FakeRequest:
    headers = [{"name": "Content-Type", "value": "application/pdf"}]
    response = FakeResponse(url, PLACEHOLDER, headers)
    return FakeRequest(url, "document", FakeFrame(url), response)


def viewer_stream(body: bytes = FILE, shows: str = PDF_URL) -> FakeRequest:
    """The viewer's stream request: its frame is the one showing the document."""
    viewer = FakeFrame(PDF_VIEWER_ORIGIN + "index.html")
    url = PDF_VIEWER_ORIGIN + "0b1c2d3e-stream"
    return FakeRequest(url, "other", FakeFrame(shows, viewer), FakeResponse(url, body))


class Viewed:
    """A recorder and what it recorded."""

    def __init__(self) -> None:
        self.recorded: list[Exchange] = []
        self.recorder = Recorder(self.recorded.append)

    async def ends(self, request: FakeRequest, *, failed: bool = False) -> None:
        self.recorder._on_request(cast(Any, request))
        if failed:
            request.failure = "net::ERR_ABORTED"
            self.recorder._on_failed(cast(Any, request))
        else:
            self.recorder._on_finished(cast(Any, request))
        for _ in range(10):  # the recorder ends each exchange in a task of its own
            await asyncio.sleep(0)

    def bodies(self) -> list[bytes]:
        return [exchange.response.body for exchange in self.recorded]

    def failures(self) -> list[tuple[str, str]]:
        return [(f.url, f.error) for f in self.recorder.summary().failed]


async def test_the_stream_after_the_document_gives_the_file() -> None:
    viewed = Viewed()
    await viewed.ends(pdf_document())
    assert viewed.recorded == []
    assert viewed.recorder._busy()  # held: settling waits for the file

    await viewed.ends(viewer_stream())

    assert viewed.bodies() == [FILE]
    assert not viewed.recorder._busy()


async def test_the_stream_before_the_document_gives_the_file() -> None:
    viewed = Viewed()
    await viewed.ends(viewer_stream())
    await viewed.ends(pdf_document())

    assert viewed.bodies() == [FILE]
    assert not viewed.recorder._busy()


async def test_an_aborted_stream_before_the_document_loses_it_at_once() -> None:
    viewed = Viewed()
    await viewed.ends(viewer_stream(), failed=True)
    await viewed.ends(pdf_document())

    assert viewed.recorded == []  # never the placeholder page
    assert not viewed.recorder._busy()  # nothing more will come: no wait for the capture's end
    assert viewed.failures() == [
        (PDF_URL, "the PDF viewer's stream was aborted and its bytes are gone")
    ]
    assert viewed.recorder.lost_files == [PDF_URL]


async def test_an_aborted_stream_after_the_document_loses_it_at_once() -> None:
    viewed = Viewed()
    await viewed.ends(pdf_document())
    await viewed.ends(viewer_stream(), failed=True)

    assert viewed.recorded == []
    assert not viewed.recorder._busy()
    assert viewed.recorder.lost_files == [PDF_URL]


async def test_bytes_read_off_the_network_win_and_the_stream_is_not_read() -> None:
    viewed = Viewed()
    viewed.recorder._buffered._viewer_bodies[("GET", PDF_URL)] = FILE
    stream = viewer_stream(b"never read")
    await viewed.ends(pdf_document())
    await viewed.ends(stream)

    assert viewed.bodies() == [FILE]
    assert stream.answer is not None and stream.answer.reads == 0
    assert viewed.failures() == []


async def test_bytes_read_off_the_network_win_over_an_aborted_stream() -> None:
    viewed = Viewed()
    viewed.recorder._buffered._viewer_bodies[("GET", PDF_URL)] = FILE
    await viewed.ends(viewer_stream(), failed=True)
    await viewed.ends(pdf_document())

    assert viewed.bodies() == [FILE]
    assert viewed.failures() == []
    assert viewed.recorder.lost_files == []


async def test_a_stream_whose_bytes_were_read_off_the_network_is_never_given_to_another() -> None:
    # The page's own PDF (bytes read off the network) and one in a cross-site frame (stream only).
    framed = "http://other.test:8001/framed.pdf"
    viewed = Viewed()
    viewed.recorder._buffered._viewer_bodies[("GET", PDF_URL)] = FILE
    await viewed.ends(viewer_stream(b"the page's own, again"))  # before its document
    await viewed.ends(pdf_document(framed))
    assert viewed.recorded == []  # held for its own stream, not given the other's bytes

    await viewed.ends(pdf_document())
    await viewed.ends(viewer_stream(b"%PDF framed", shows=framed))

    assert sorted(viewed.bodies()) == sorted([FILE, b"%PDF framed"])
    by_url = {e.request.url: e.response.body for e in viewed.recorded}
    assert by_url == {PDF_URL: FILE, framed: b"%PDF framed"}


async def test_an_aborted_stream_of_bytes_read_off_the_network_loses_nothing() -> None:
    framed = "http://other.test:8001/framed.pdf"
    viewed = Viewed()
    viewed.recorder._buffered._viewer_bodies[("GET", PDF_URL)] = FILE
    await viewed.ends(pdf_document(framed))
    await viewed.ends(viewer_stream(), failed=True)  # the page's own PDF's stream

    assert viewed.recorder.lost_files == []  # the framed one still waits for its stream


async def test_a_stream_finds_its_document_when_the_frame_shows_a_page_of_it() -> None:
    framed = "http://other.test:8001/framed.pdf"
    viewed = Viewed()
    await viewed.ends(pdf_document(framed))
    await viewed.ends(pdf_document())  # two waiting: no "only one" to fall back on

    await viewed.ends(viewer_stream(shows=PDF_URL + "#page=3"))

    assert [(e.request.url, e.response.body) for e in viewed.recorded] == [(PDF_URL, FILE)]


async def test_a_document_whose_stream_never_came_is_lost_when_the_capture_ends() -> None:
    viewed = Viewed()
    await viewed.ends(pdf_document())

    await viewed.recorder.drain(1.0, body_grace_s=0.0)

    assert viewed.recorded == []
    assert viewed.recorder.lost_files == [PDF_URL]


def paused(status: int = 200, **headers: str) -> dict[str, Any]:
    """A `Fetch.requestPaused` event at the response stage."""
    return {
        "requestId": "interception-1",
        "request": {"method": "GET", "url": PDF_URL},
        "responseStatusCode": status,
        "responseHeaders": [{"name": name, "value": value} for name, value in headers.items()],
    }


SIZED = {"Content-Length": "1550"}


def test_a_pdf_response_is_a_viewer_document() -> None:
    assert is_viewer_document(paused(**{"Content-Type": "application/pdf"}, **SIZED))
    assert is_viewer_document(paused(**{"content-type": "Application/PDF; qs=0.9"}, **SIZED))
    assert is_viewer_document(paused(**{"Content-Type": "application/x-pdf"}, **SIZED))


def test_a_pdf_of_unknown_or_large_size_is_left_to_the_viewer_stream() -> None:
    # Reading it holds the navigation until all of it came, for as long as that takes.
    assert not is_viewer_document(paused(**{"Content-Type": "application/pdf"}))
    large = {"Content-Length": str(VIEWER_READ_MAX_BYTES + 1)}
    assert not is_viewer_document(paused(**{"Content-Type": "application/pdf"}, **large))
    at_most = {"Content-Length": str(VIEWER_READ_MAX_BYTES)}
    assert is_viewer_document(paused(**{"Content-Type": "application/pdf"}, **at_most))


def test_other_responses_are_not_viewer_documents() -> None:
    assert not is_viewer_document(paused(**{"Content-Type": "text/html"}))
    assert not is_viewer_document(paused())
    assert not is_viewer_document(paused(404, **{"Content-Type": "application/pdf"}, **SIZED))
    assert not is_viewer_document(paused(302, **{"Content-Type": "application/pdf"}, **SIZED))
    pdf = paused(**{"Content-Type": "application/pdf"}, **SIZED)
    failed = pdf | {"responseErrorReason": "Failed"}
    assert not is_viewer_document(failed)


def test_a_pdf_sent_as_an_attachment_is_a_download_not_a_viewer_document() -> None:
    # Its bytes come with the download; reading them here too would hold the file twice.
    headers = {"Content-Type": "application/pdf", "Content-Disposition": "attachment", **SIZED}
    assert not is_viewer_document(paused(**headers))
