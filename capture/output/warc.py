"""The streaming WARC writer: records go to disk as they are made, under an `.open` name.

Each record is its own gzip member, as the WARC spec recommends and replay tools expect. warcio
would compress every record at zlib level 9. Here text gets level 6, which costs a third of
level 9 for 1-2% more bytes. A record whose payload is compressed already (a PNG, a JPEG, a
font, a zip) is first sampled: deflated at level 1 when that gains at least 5% (a screenshot of
a text page: 6-30% in 1-15 ms), else stored as it is (a photograph: deflating a 4.6 MB
screenshot of photos again took 85 ms to save 1.7%, storing it 7 ms).
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
import zlib
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.warcwriter import WARCWriter

from capture.errors import OutputError
from capture.output.records import WarcRecord

OPEN_SUFFIX = ".open"

TEXT_LEVEL = 6
FAST_LEVEL = 1
STORED_LEVEL = 0

SAMPLE_BYTES = 16_384
"""Each of the three slices (start, middle, end) that tell whether a packed payload deflates."""

WORTH_DEFLATING = 0.95
"""A packed record is deflated when its samples shrink to this share of their size or less."""

PACKED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/avif",
    "video/",
    "audio/",
    "font/woff",
    "application/font-woff",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/pdf",
)
"""Content types (prefixes) whose payloads are already compressed."""


def compression_level(record: WarcRecord) -> int:
    """Return the zlib level for record (see the module's doc)."""
    if record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.content_type or ""
    if not content_type.split(";")[0].strip().lower().startswith(PACKED_TYPES):
        return TEXT_LEVEL
    slices = _samples(record.raw_stream)
    if slices is None:  # a stream that cannot be sampled: deflate it quickly
        return FAST_LEVEL
    size = sum(len(piece) for piece in slices)
    deflated = sum(len(zlib.compress(piece, FAST_LEVEL)) for piece in slices)
    return FAST_LEVEL if deflated <= size * WORTH_DEFLATING else STORED_LEVEL


def _samples(stream: BinaryIO) -> list[bytes] | None:
    """Return three slices of a payload stream (start, middle, end), leaving it where it was."""
    try:
        at = stream.tell()
        end = stream.seek(0, io.SEEK_END)
    except (AttributeError, OSError, ValueError):
        return None
    try:
        if end - at <= 3 * SAMPLE_BYTES:
            stream.seek(at)
            return [stream.read()]
        slices = []
        for start in (at, at + (end - at - SAMPLE_BYTES) // 2, end - SAMPLE_BYTES):
            stream.seek(start)
            slices.append(stream.read(SAMPLE_BYTES))
        return slices
    finally:
        stream.seek(at)


class _Member:
    """A file-like that warcio writes one record to: a gzip member, compressed as it streams.

    warcio calls flush() once at the end of each record, which ends the member.
    """

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._compressor = zlib.compressobj(TEXT_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def start(self, level: int) -> None:
        """Begin the next member, compressed at level."""
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> int:
        self._out.write(self._compressor.compress(data))
        return len(data)

    def flush(self) -> None:
        self._out.write(self._compressor.flush())


def new_record_id() -> str:
    """Return a fresh WARC record id."""
    return f"<urn:uuid:{uuid.uuid4()}>"


class WarcFile:
    """A gzipped WARC/1.1 file written record by record, one gzip member each.

    It is written as `<name>.open` and renamed to its final name only by `close()`, so a crash
    never leaves a truncated file under the final name.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open_path = path.with_name(path.name + OPEN_SUFFIX)
        self.records = 0
        try:
            self._file: BinaryIO = self.open_path.open("wb")
        except OSError as exc:
            raise OutputError(
                f"Could not create {self.open_path} ({exc.strerror}). "
                "Check the output folder's permissions and free space."
            ) from exc
        self._member = _Member(self._file)
        self._writer = WARCWriter(self._member, gzip=False, warc_version="WARC/1.1")

    def write(self, *records: WarcRecord) -> None:
        """Append records, flushed to the OS so a crash loses at most the record in hand."""
        try:
            for record in records:
                self._member.start(compression_level(record))
                self._writer.write_record(record)  # ends with flush(): the member is complete
                self.records += 1
            self._file.flush()
        except OSError as exc:
            raise OutputError(
                f"Could not write {self.open_path} ({exc.strerror}). "
                "Free some space or choose another --output."
            ) from exc

    def close(self) -> Path:
        """Return the final path after syncing the file and renaming it into place."""
        if self._file.closed:
            return self.path
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self.open_path.replace(self.path)
        except OSError as exc:
            raise OutputError(
                f"Could not finish {self.path} ({exc.strerror}). "
                "Free some space or choose another --output."
            ) from exc
        return self.path

    def abandon(self) -> None:
        """Close and remove the unfinished `.open` file: nothing half-written stays behind.

        (A process killed outright leaves it; a resumed run clears such a folder.)"""
        if not self._file.closed:
            with contextlib.suppress(OSError):  # A full disk must not hide the first error.
                self._file.close()
        self.open_path.unlink(missing_ok=True)

    def __enter__(self) -> WarcFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
        else:
            self.abandon()
