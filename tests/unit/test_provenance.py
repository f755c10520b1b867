"""capture.json: the hash manifest and the record of complete, partial and failed captures."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from capture import __version__
from capture.models import CaptureRequest
from capture.options import CaptureOptions, Viewport
from capture.output import provenance
from tests.fakes import (
    FAKE_BROWSER,
    FAKE_MACHINE,
    complete_page,
    failed_page,
    partial_page,
)

OPTIONS = CaptureOptions(viewport=Viewport(320, 240), proxy="http://proxy:3128")
REQUEST = CaptureRequest("https://example.org/story", Path("unused"), OPTIONS)


def test_manifest_hashes_equal_hashlib_of_each_file(tmp_path: Path) -> None:
    contents = {"b.txt": b"second", "a.bin": bytes(range(256)) * 5000, "empty": b""}
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)

    entries = provenance.manifest(tmp_path, ["b.txt", "a.bin", "empty", "missing.png"])

    assert entries == [
        {
            "name": name,
            "bytes": len(contents[name]),
            "sha256": hashlib.sha256(contents[name]).hexdigest(),
        }
        for name in ["a.bin", "b.txt", "empty"]
    ]


def test_record_of_a_complete_capture() -> None:
    page = complete_page(REQUEST)
    files = [{"name": "dom.html", "bytes": 3, "sha256": "00"}]
    article = {"title": "T", "word_count": 3}

    document = provenance.record(
        page, options=OPTIONS, machine=FAKE_MACHINE, article=article, files=files
    )

    assert document["format"] == "capture/1"
    assert document["url"] == REQUEST.url
    assert document["final_url"] == REQUEST.url
    assert document["state"] == "complete"
    assert document["partial_reasons"] == []
    assert document["error"] is None
    assert document["status"] == 200
    assert document["started_at"] == "2026-11-27T06:45:00.123456+00:00"
    assert document["duration_s"] == 1.5
    assert document["software"]["capture"] == __version__
    assert document["software"]["playwright"] == "1.65.2"
    assert document["software"]["browser"] == {
        "name": "chromium",
        "version": FAKE_BROWSER.version,
        "executable": FAKE_BROWSER.executable,
        "found_by": "system",
        "sha256": FAKE_BROWSER.sha256,
    }
    assert document["user_agent"] == FAKE_BROWSER.user_agent
    assert document["viewport"] == "320x240"
    assert document["options"]["proxy"] == "http://proxy:3128"
    assert document["machine"] == FAKE_MACHINE.to_json()
    assert [step["name"] for step in document["steps"]] == ["navigate", "settle", "screenshot"]
    assert document["screenshot"] == {
        "width_px": 320,
        "height_px": 480,
        "page_height_px": 480,
        "tiles": 1,
        "truncated": False,
    }
    assert document["article"] == article
    assert document["files"] == files
    json.dumps(document)  # JSON-ready all the way down


def test_record_of_a_partial_capture_gives_the_reasons() -> None:
    document = provenance.record(
        partial_page(REQUEST), options=OPTIONS, machine=FAKE_MACHINE, article=None, files=[]
    )

    assert document["state"] == "partial"
    assert document["partial_reasons"] == ["screenshot: timed out after 5.0 s"]
    assert document["screenshot"] is None
    failed_step = document["steps"][-1]
    assert failed_step == {
        "name": "screenshot",
        "state": "failed",
        "duration_s": 5.0,
        "error": "timed out after 5.0 s",
    }


def test_record_of_a_failed_capture_keeps_the_error() -> None:
    document = provenance.record(
        failed_page(REQUEST), options=OPTIONS, machine=FAKE_MACHINE, article=None, files=[]
    )

    assert document["state"] == "failed"
    assert document["final_url"] is None
    assert document["error"] == f"Could not load {REQUEST.url} (net::ERR_CONNECTION_REFUSED)."
    assert document["article"] is None
    assert document["tls"] is None
    json.dumps(document)


def test_an_option_user_agent_overrides_the_browsers() -> None:
    options = CaptureOptions(user_agent="Archiver/1.0")
    document = provenance.record(
        complete_page(REQUEST), options=options, machine=FAKE_MACHINE, article=None, files=[]
    )
    fields = provenance.warcinfo(REQUEST.url, options, FAKE_MACHINE, FAKE_BROWSER)

    assert document["user_agent"] == "Archiver/1.0"
    assert fields["http-header-user-agent"] == "Archiver/1.0"


def test_warcinfo_fields_name_the_software_browser_and_operator() -> None:
    fields = provenance.warcinfo(REQUEST.url, OPTIONS, FAKE_MACHINE, FAKE_BROWSER)

    assert fields["software"] == f"capture/{__version__} (Playwright 1.65.2)"
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["browser"] == "Chromium 140.0.0.0"
    assert fields["http-header-user-agent"] == FAKE_BROWSER.user_agent
    assert fields["operator"] == "tester"
    assert fields["hostname"] == "test-host"
    assert fields["isPartOf"] == REQUEST.url
    assert fields["viewport"] == "320x240"
    assert fields["options"] == OPTIONS.to_json()


def test_machine_current_reports_this_python() -> None:
    import platform

    machine = provenance.Machine.current()
    assert machine.python == platform.python_version()
    assert machine.hostname
    assert machine.operator
