"""The streaming WARC writer: records go to disk as they are made, under an `.open` name."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.warcwriter import WARCWriter

from capture.errors import OutputError
from capture.records import WarcRecord

OPEN_SUFFIX = ".open"


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
        self._writer = WARCWriter(self._file, gzip=True, warc_version="WARC/1.1")

    def write(self, *records: WarcRecord) -> None:
        """Append records, flushed to the OS so a crash loses at most the record in hand."""
        try:
            for record in records:
                self._writer.write_record(record)
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
