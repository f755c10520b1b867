"""WARC record building: exact bytes against a golden file, header normalisation, digests."""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from capture.exchanges import Exchange, HttpRequest, HttpResponse
from capture.output import records
from capture.output.files import sha256_label
from tests.fakes import counting_ids

GOLDEN = Path(__file__).parent / "golden" / "records.warc"
DATE = datetime(2026, 11, 27, 6, 45, 0, 123456, tzinfo=UTC)
PAGE = "https://news.example.org/story?id=3"

HTML = b"<!doctype html><title>Story</title><p>The sea wall will be built.</p>\n"
H2_REQUEST = HttpRequest(
    "GET",
    PAGE,
    (
        (":method", "GET"),
        (":authority", "news.example.org"),
        (":scheme", "https"),
        (":path", "/story?id=3"),
        ("user-agent", "FakeChrome/140"),
        ("accept-encoding", "gzip, br"),
    ),
)
H2_RESPONSE = HttpResponse(
    status=200,
    reason="",
    headers=(
        (":status", "200"),
        ("content-type", "text/html; charset=utf-8"),
        ("content-encoding", "br"),
        ("content-length", "52"),
        ("vary", "Accept-Encoding"),
    ),
    body=HTML,
    http_version="h2",
    remote_ip="203.0.113.7",
)
EXCHANGE = Exchange(H2_REQUEST, H2_RESPONSE, DATE, "document")


def golden_records() -> list[Any]:
    """Return the records of a small capture, built with fixed dates and record ids."""
    new_id = counting_ids()
    info = records.warcinfo_record(
        {"software": "capture/0.1.0", "isPartOf": PAGE, "operator": "", "options": {"b": 1}},
        filename="page.warc.gz",
        date=DATE,
        record_id=new_id(),
    )
    response, request = records.exchange_records(EXCHANGE, new_id)
    text = records.resource_record(
        f"urn:text:{PAGE}",
        "text/plain; charset=utf-8",
        b"The sea wall will be built.\n",
        date=DATE,
        record_id=new_id(),
    )
    return [info, response, request, text]


def warc_bytes(items: list[Any]) -> bytes:
    """Return items written as an uncompressed WARC."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version=records.WARC_VERSION)
    for record in items:
        writer.write_record(record)
    return out.getvalue()


def read_back(data: bytes) -> list[tuple[Any, bytes]]:
    """Return (record, content) pairs read with digest checking, failing on a bad digest."""
    found = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        content = record.content_stream().read()
        assert record.digest_checker.passed is True, record.rec_headers.get_header("WARC-Type")
        found.append((record, content))
    return found


def http_head(record: Any) -> dict[str, list[str]]:
    """Return the record's HTTP headers, by lower-case name, every value kept."""
    headers: dict[str, list[str]] = {}
    for name, value in record.http_headers.headers:
        headers.setdefault(name.lower(), []).append(value)
    return headers


def golden_parts(data: bytes) -> list[bytes]:
    """Return the bytes of each record of an uncompressed WARC, trailing CRLFs included."""
    stream = ArchiveIterator(io.BytesIO(data))
    offsets = []
    for record in stream:
        record.content_stream().read()
        offsets.append(stream.get_record_offset())
    offsets.append(len(data))
    return [data[start:end] for start, end in itertools.pairwise(offsets)]


def http_block(record: Any) -> bytes:
    """Return the block of record as written: HTTP head and body."""
    written = warc_bytes([record])
    return written.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n\r\n")


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(0, id="warcinfo"),
        pytest.param(1, id="response"),
        pytest.param(2, id="request"),
        pytest.param(3, id="resource"),
    ],
)
def test_records_match_the_reviewed_golden_bytes(index: int) -> None:
    golden = golden_parts(GOLDEN.read_bytes())
    built = golden_parts(warc_bytes(golden_records()))

    assert len(built) == len(golden) == 4
    assert built[index] == golden[index]


def test_golden_reads_back_with_valid_sha256_digests() -> None:
    found = read_back(GOLDEN.read_bytes())

    kinds = [record.rec_headers.get_header("WARC-Type") for record, _ in found]
    assert kinds == ["warcinfo", "response", "request", "resource"]
    response, body = found[1]
    assert body == HTML
    assert response.rec_headers.get_header("WARC-Target-URI") == PAGE
    assert found[3][1] == b"The sea wall will be built.\n"


def test_records_pass_warcio_check(tmp_path: Path) -> None:
    from warcio.checker import Checker

    path = tmp_path / "page.warc"
    path.write_bytes(warc_bytes(golden_records()))

    args = argparse.Namespace(inputs=[str(path)], verbose=False)
    assert Checker(args).process_all() == 0


def test_h2_pseudo_headers_are_dropped() -> None:
    assert records.clean_headers([(":status", "200"), (":path", "/"), ("Vary", "x")]) == [
        ("Vary", "x")
    ]


def test_decoded_body_headers_are_kept_under_x_orig_names() -> None:
    headers = records.normalise_response_headers(
        [
            ("Content-Encoding", "gzip"),
            ("transfer-encoding", "chunked"),
            ("Content-Type", "text/html"),
        ],
        body_length=10,
    )
    assert headers == [
        ("X-Orig-Content-Encoding", "gzip"),
        ("X-Orig-Transfer-Encoding", "chunked"),
        ("Content-Type", "text/html"),
        ("Content-Length", "10"),
    ]


def test_content_length_describes_the_stored_body_and_keeps_a_different_original() -> None:
    changed = records.normalise_response_headers([("content-length", "52")], body_length=71)
    same = records.normalise_response_headers([("Content-Length", "71")], body_length=71)
    missing = records.normalise_response_headers([], body_length=0)

    assert changed == [("X-Orig-Content-Length", "52"), ("Content-Length", "71")]
    assert same == [("Content-Length", "71")]
    assert missing == [("Content-Length", "0")]


def test_response_record_http_head_describes_the_decoded_body() -> None:
    response = records.response_record(H2_RESPONSE, PAGE, date=DATE, record_id="<urn:uuid:r>")
    head = http_head(response)

    assert response.http_headers.protocol == "HTTP/1.1"
    assert response.http_headers.get_statuscode() == "200"
    assert not any(name.startswith(":") for name in head)
    assert head["content-length"] == [str(len(HTML))]
    assert head["x-orig-content-length"] == ["52"]
    assert head["x-orig-content-encoding"] == ["br"]
    assert "content-encoding" not in head
    assert response.rec_headers.get_header("WARC-Protocol") == "h2"
    assert response.rec_headers.get_header("WARC-IP-Address") == "203.0.113.7"


def test_http_1_1_response_has_no_warc_protocol_header() -> None:
    plain = HttpResponse(200, "OK", (("Content-Type", "text/plain"),), b"hi")
    response = records.response_record(plain, PAGE, date=DATE, record_id="<urn:uuid:r>")

    assert response.rec_headers.get_header("WARC-Protocol") is None
    assert response.rec_headers.get_header("WARC-IP-Address") is None


def test_host_header_comes_from_the_url_for_h2_requests() -> None:
    assert records.request_headers(H2_REQUEST) == [
        ("Host", "news.example.org"),
        ("user-agent", "FakeChrome/140"),
        ("accept-encoding", "gzip, br"),
    ]


def test_an_existing_host_header_is_not_duplicated() -> None:
    request = HttpRequest("GET", "http://a.example:8080/x", (("host", "a.example:8080"),))
    assert records.request_headers(request) == [("host", "a.example:8080")]


def test_request_record_has_the_request_line_and_points_at_its_response() -> None:
    new_id = counting_ids()
    response, request = records.exchange_records(EXCHANGE, new_id)
    response_id = response.rec_headers.get_header("WARC-Record-ID")

    assert response_id == "<urn:uuid:00000000-0000-4000-8000-000000000001>"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response_id
    assert request.rec_headers.get_header("WARC-Record-ID") != response_id
    assert http_head(request)["host"] == ["news.example.org"]
    assert request.rec_headers.get_header("WARC-Target-URI") == PAGE


def test_request_body_is_the_request_record_payload() -> None:
    post = HttpRequest("POST", "https://a.example/api", (("Host", "a.example"),), body=b"q=1")
    record = records.request_record(post, date=DATE, record_id="<urn:uuid:q>", concurrent_to="x")
    ((_, content),) = read_back(warc_bytes([record]))

    assert content == b"q=1"
    assert http_block(record).startswith(b"POST /api")


def test_request_line_carries_the_http_version() -> None:
    record = records.request_record(
        H2_REQUEST, date=DATE, record_id="<urn:uuid:q>", concurrent_to="<urn:uuid:r>"
    )
    assert http_block(record).startswith(b"GET /story?id=3 HTTP/1.1\r\nHost: news.example.org\r\n")


def test_digests_are_sha256_hex_of_head_plus_body_and_of_body() -> None:
    response = records.response_record(H2_RESPONSE, PAGE, date=DATE, record_id="<urn:uuid:r>")
    block = http_block(response)

    assert block.endswith(HTML)
    assert block.startswith(b"HTTP/1.1 200")
    expected_block = "sha256:" + hashlib.sha256(block).hexdigest()
    assert response.rec_headers.get_header("WARC-Block-Digest") == expected_block
    expected_payload = "sha256:" + hashlib.sha256(HTML).hexdigest()
    assert response.rec_headers.get_header("WARC-Payload-Digest") == expected_payload


def test_sha256_digest_label() -> None:
    assert sha256_label(b"") == (
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_warc_date_is_utc_with_microseconds() -> None:
    from datetime import timedelta, timezone

    moment = datetime(2026, 11, 27, 8, 45, 0, 5, tzinfo=timezone(timedelta(hours=2)))
    assert records.warc_date(moment) == "2026-11-27T06:45:00.000005Z"


def test_warcinfo_lists_fields_skips_empty_ones_and_writes_json_for_the_rest() -> None:
    record = records.warcinfo_record(
        {"software": "capture/0.1.0", "operator": "", "proxy": None, "options": {"z": 1, "a": 2}},
        filename="page.warc.gz",
        date=DATE,
        record_id="<urn:uuid:w>",
    )
    ((_, content),) = read_back(warc_bytes([record]))

    assert content == b'software: capture/0.1.0\r\noptions: {"a": 2, "z": 1}\r\n'
    assert record.rec_headers.get_header("WARC-Filename") == "page.warc.gz"
    assert record.rec_headers.get_header("Content-Type") == "application/warc-fields"
    assert record.rec_headers.get_header("WARC-Date") == "2026-11-27T06:45:00.123456Z"


def test_resource_record_holds_the_data_with_its_type_and_digest() -> None:
    data = b"\x89PNG fake"
    record = records.resource_record(
        f"urn:view:{PAGE}",
        "image/png",
        data,
        date=DATE,
        record_id="<urn:uuid:v>",
        concurrent_to="<urn:uuid:r>",
    )
    ((read, content),) = read_back(warc_bytes([record]))

    assert content == data
    assert read.rec_headers.get_header("WARC-Type") == "resource"
    assert read.rec_headers.get_header("WARC-Target-URI") == f"urn:view:{PAGE}"
    assert read.rec_headers.get_header("Content-Type") == "image/png"
    assert read.rec_headers.get_header("WARC-Concurrent-To") == "<urn:uuid:r>"
    assert read.rec_headers.get_header("WARC-Block-Digest") == sha256_label(data)


@pytest.mark.parametrize("record_type", ["resource", "metadata"])
def test_resource_record_type_can_be_metadata(record_type: str) -> None:
    record = records.resource_record(
        "urn:x", "text/plain", b"x", date=DATE, record_id="<urn:uuid:m>", record_type=record_type
    )
    assert record.rec_headers.get_header("WARC-Type") == record_type


if __name__ == "__main__":
    # Rewrites the golden from the current code: review the diff before committing it.
    GOLDEN.write_bytes(warc_bytes(golden_records()))
