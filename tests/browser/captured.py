"""Taking one capture in a browser test and reading back what it wrote."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from capture.api import capture_urls
from capture.models import CaptureResult
from capture.options import CaptureOptions
from capture.run.pipeline import Renderer


@dataclass(frozen=True)
class Record:
    """One WARC record, parsed: WARC headers, HTTP status and headers, payload bytes."""

    type: str
    uri: str
    warc_headers: dict[str, str]
    status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes

    def header(self, name: str) -> str | None:
        """Return the first HTTP header called `name` (any case), or None."""
        return next((v for k, v in self.http_headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Captured:
    """A finished capture: its result, folder, capture.json and WARC records."""

    result: CaptureResult
    document: dict[str, Any]
    records: tuple[Record, ...]

    @property
    def folder(self) -> Path:
        """Return the capture folder."""
        return self.result.folder

    @property
    def warc(self) -> Path:
        """Return the path of the capture's WARC."""
        return self.result.folder / "page.warc.gz"

    def of_type(self, record_type: str, uri: str | None = None) -> list[Record]:
        """Return the records of one type, for one URI when given, in file order."""
        return [r for r in self.records if r.type == record_type and uri in (None, r.uri)]

    def response(self, uri: str) -> Record:
        """Return the only response record for uri (fails the test when there are more)."""
        found = self.of_type("response", uri)
        assert len(found) == 1, f"{len(found)} response records for {uri}"
        return found[0]

    def uris(self, record_type: str = "response") -> set[str]:
        """Return the URIs with a record of the type."""
        return {r.uri for r in self.of_type(record_type)}


def read_records(path: Path) -> Iterator[Record]:
    """Yield every record of a WARC file, payloads read whole."""
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            http = record.http_headers
            status = None
            if record.rec_type == "response" and http is not None:
                status = int(http.get_statuscode())
            yield Record(
                type=record.rec_type,
                uri=record.rec_headers.get_header("WARC-Target-URI") or "",
                warc_headers=dict(record.rec_headers.headers),
                status=status,
                http_headers=list(http.headers) if http is not None else [],
                payload=record.raw_stream.read(),
            )


async def capture_one(
    url: str, renderer: Renderer, output: Path, options: CaptureOptions | None = None
) -> Captured:
    """Capture url with renderer into output and return what was written."""
    run = await capture_urls([url], output=output, options=options, renderer=renderer)
    (result,) = run.results
    document = json.loads((result.folder / "capture.json").read_text())
    warc = result.folder / "page.warc.gz"
    records = tuple(read_records(warc)) if warc.exists() else ()
    return Captured(result, document, records)


async def run_tool(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run a command without blocking the event loop; return its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


def tool(name: str) -> str:
    """Return the path of a command installed beside this Python (the venv's bin folder)."""
    path = Path(sys.executable).with_name(name)
    assert path.exists(), f"{name} is not installed beside {sys.executable}"
    return str(path)
