"""Synthetic capture and run folders for the evidence tests, written the way the pipeline does.

Files first (each also a WARC resource record), provenance.html from `report_html` into the
folder and the WARC, the WARC closed, then capture.json last with the manifest of every file.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from capture import paths
from capture.exchanges import Exchange, HttpRequest, HttpResponse
from capture.output import provenance
from capture.output.files import write_bytes, write_json
from capture.output.provenance_html import (
    CONTENT_TYPE,
    PROVENANCE_HTML,
    PROVENANCE_URN,
    provenance_html,
)
from capture.output.records import exchange_records, resource_record, warcinfo_record
from capture.output.warc import WarcFile

MOMENT = datetime(2026, 11, 27, 6, 45, 0, tzinfo=UTC)
URL = "https://example.org/news/story"
PAGE = b"<!doctype html><title>Story</title><p>What the server sent.</p>"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
TEXT = "What the server sent.\n"
DOM = "<html><head><title>Story</title></head><body><p>What the server sent.</p></body></html>"
INTERVENTION = {
    "action": "remove",
    "rule": "generic:consent",
    "selector": "#cookie-banner",
    "frame": None,
    "at": "2026-11-27T06:45:01+00:00",
    "ok": True,
    "detail": "removed 1 element",
}


def clock() -> datetime:
    """Return the fixed moment of every synthetic capture."""
    return MOMENT


def record_facts(url: str = URL) -> dict[str, Any]:
    """Return capture.json's data (without files) of a complete synthetic capture."""
    return {
        "format": "capture/1",
        "url": url,
        "final_url": url,
        "state": "complete",
        "partial_reasons": [],
        "error": None,
        "redirect_chain": [url],
        "status": 200,
        "content_type": "text/html",
        "started_at": MOMENT.isoformat(),
        "ended_at": MOMENT.isoformat(),
        "duration_s": 1.5,
        "software": {"capture": "0.1.0", "playwright": "1.65.2", "python": "3.11.7",
                     "browser": {"name": "chromium", "version": "156.0", "executable": "/c"}},
        "user_agent": "Mozilla/5.0 Test",
        "viewport": "1280x800",
        "remote_ip": "192.0.2.10",
        "tls": None,
        "options": {"viewport": "1280x800", "dismiss": True},
        "machine": {"hostname": "vm", "operator": "clerk", "os": "Linux", "python": "3.11.7"},
        "steps": [{"name": "navigate", "state": "ok", "duration_s": 0.5, "detail": {}}],
        "interventions": [INTERVENTION],
        "gated": None,
        "events": [],
        "traffic": {"exchanges": 1, "bytes": len(PAGE), "failed_requests": []},
    }  # fmt: skip


def make_capture(folder: Path, url: str = URL) -> Path:
    """Write a complete synthetic capture folder at folder and return it."""
    folder.mkdir(parents=True)
    ids = (f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>" for n in itertools.count(1))
    warc = WarcFile(folder / paths.WARC)
    warc.write(warcinfo_record({"software": "capture/test"}, filename=paths.WARC, date=MOMENT,
                               record_id=next(ids)))  # fmt: skip
    exchange = Exchange(
        HttpRequest("GET", url, (("User-Agent", "Mozilla/5.0 Test"),)),
        HttpResponse(200, "OK", (("Content-Type", "text/html"),), PAGE, remote_ip="192.0.2.10"),
        MOMENT,
    )
    warc.write(*exchange_records(exchange, lambda: next(ids)))
    outputs = [
        (paths.SCREENSHOT, "screenshot", "image/png", PNG),
        (paths.DOM, "dom", "text/html; charset=utf-8", DOM.encode()),
        (paths.ARTICLE_TXT, "text", "text/plain; charset=utf-8", TEXT.encode()),
    ]
    for name, kind, mime, data in outputs:
        write_bytes(folder / name, data)
        warc.write(resource_record(f"urn:{kind}:{url}", mime, data, date=MOMENT,
                                   record_id=next(ids)))  # fmt: skip
    facts = record_facts(url)
    hashes = provenance.manifest(folder, [name for name, *_ in outputs])
    page = provenance_html(facts, hashes).encode()
    write_bytes(folder / PROVENANCE_HTML, page)
    warc.write(resource_record(f"{PROVENANCE_URN}{url}", CONTENT_TYPE, page, date=MOMENT,
                               record_id=next(ids)))  # fmt: skip
    warc.close()
    names = [p.name for p in folder.iterdir() if p.is_file()]
    write_json(folder / paths.CAPTURE_JSON, {**facts, "files": provenance.manifest(folder, names)})
    return folder


def make_run(root: Path, count: int = 2) -> Path:
    """Write a run folder with count synthetic captures and a run.json; return it."""
    run = root / "20261127T064500Z"
    for number in range(count):
        url = f"https://example.org/news/story-{number}"
        make_capture(run / "captures" / paths.slug(url), url)
    (run / "run.json").write_text(json.dumps({"format": "capture-run/1"}), encoding="utf-8")
    return run
