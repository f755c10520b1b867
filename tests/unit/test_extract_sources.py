"""load_page_html: saved HTML files, capture folders and WARC files, with errors that say why."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from capture.errors import UsageError
from capture.extract.sources import load_page_html

PAGE = "<html><body><p>Caf\u00e9 news</p></body></html>"


def test_html_file_is_read_with_the_given_url(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    assert load_page_html(path, "https://a.example/") == (PAGE, "https://a.example/")


def test_html_file_in_a_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b'<meta charset="iso-8859-1"><p>Caf\xe9</p>')
    assert "Caf\u00e9" in load_page_html(path)[0]


def test_capture_folder_gives_its_dom_and_final_url(tmp_path: Path) -> None:
    (tmp_path / "dom.html").write_text(PAGE, encoding="utf-8")
    record = {"url": "http://a.example/", "final_url": "https://a.example/story"}
    (tmp_path / "capture.json").write_text(json.dumps(record), encoding="utf-8")
    assert load_page_html(tmp_path) == (PAGE, "https://a.example/story")


def test_folder_without_dom_html_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"has no dom\.html"):
        load_page_html(tmp_path)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no such file or folder\)\. Give"):
        load_page_html(tmp_path / "nope.html")


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, content_type, body in records:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                )
            )


def test_warc_gives_the_first_html_response_and_its_target_uri(tmp_path: Path) -> None:
    path = tmp_path / "page.warc.gz"
    _warc(
        path,
        [
            ("https://a.example/style.css", "text/css", b"p{}"),
            ("https://a.example/story", "text/html; charset=utf-8", PAGE.encode()),
        ],
    )
    assert load_page_html(path) == (PAGE, "https://a.example/story")


def test_warc_without_html_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "page.warc.gz"
    _warc(path, [("https://a.example/style.css", "text/css", b"p{}")])
    with pytest.raises(UsageError, match="no 200 text/html response"):
        load_page_html(path)


def test_truncated_warc_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "page.warc.gz"
    path.write_bytes(b"not a warc at all")
    with pytest.raises(UsageError, match="Could not"):
        load_page_html(path)
