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
from capture.records import WarcRecord

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


def compression_level(record: WarcRecord, data: bytes) -> int:
    """Return the zlib level for record, serialized as data (see the module's doc)."""
    if record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.content_type or ""
    if not content_type.split(";")[0].strip().lower().startswith(PACKED_TYPES):
        return TEXT_LEVEL
    return FAST_LEVEL if _deflates(data) else STORED_LEVEL


def _deflates(data: bytes) -> bool:
    """Return True when slices of data shrink to WORTH_DEFLATING of their size at level 1."""
    if len(data) <= 3 * SAMPLE_BYTES:
        slices = [data]
    else:
        middle = (len(data) - SAMPLE_BYTES) // 2
        slices = [data[:SAMPLE_BYTES], data[middle : middle + SAMPLE_BYTES], data[-SAMPLE_BYTES:]]
    size = sum(len(piece) for piece in slices)
    deflated = sum(len(zlib.compress(piece, FAST_LEVEL)) for piece in slices)
    return deflated <= size * WORTH_DEFLATING


def gzip_member(data: bytes, level: int) -> bytes:
    """Return data as one gzip member compressed at level."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


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
        self._buffer = io.BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=False, warc_version="WARC/1.1")

    def write(self, *records: WarcRecord) -> None:
        """Append records, flushed to the OS so a crash loses at most the record in hand."""
        try:
            for record in records:
                data = self._serialize(record)
                self._file.write(gzip_member(data, compression_level(record, data)))
                self.records += 1
            self._file.flush()
        except OSError as exc:
            raise OutputError(
                f"Could not write {self.open_path} ({exc.strerror}). "
                "Free some space or choose another --output."
            ) from exc

    def _serialize(self, record: WarcRecord) -> bytes:
        """Return record as warcio writes it (digests and lengths filled in), uncompressed."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.write_record(record)
        return self._buffer.getvalue()

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
        """Close without renaming: the `.open` file stays as evidence of an unfinished capture."""
        if not self._file.closed:
            with contextlib.suppress(OSError):  # A full disk must not hide the first error.
                self._file.close()

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
