"""The streaming WARC writer: `.open` while writing, renamed on close, errors as OutputError."""

from __future__ import annotations

import contextlib
import gzip
import random
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from capture.errors import OutputError
from capture.exchanges import HttpResponse
from capture.output.records import resource_record, response_record
from capture.output.warc import (
    FAST_LEVEL,
    OPEN_SUFFIX,
    STORED_LEVEL,
    TEXT_LEVEL,
    WarcFile,
    compression_level,
    new_record_id,
)

DATE = datetime(2026, 11, 27, 6, 45, tzinfo=UTC)


def text_record(n: int) -> Any:
    """Return a small resource record numbered n."""
    return resource_record(
        f"urn:text:{n}", "text/plain", f"record {n}\n".encode(), date=DATE, record_id=f"<urn:{n}>"
    )


def read_ids(path: Path) -> list[str]:
    """Return the record ids in a WARC file, checking its digests."""
    with path.open("rb") as handle:
        ids = []
        for record in ArchiveIterator(handle, check_digests="raise"):
            record.content_stream().read()
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
        return ids


def test_records_stream_to_an_open_file_renamed_on_close(tmp_path: Path) -> None:
    final = tmp_path / "page.warc.gz"
    warc = WarcFile(final)
    warc.write(text_record(1))
    warc.write(text_record(2), text_record(3))

    open_path = tmp_path / ("page.warc.gz" + OPEN_SUFFIX)
    assert not final.exists()
    assert read_ids(open_path) == ["<urn:1>", "<urn:2>", "<urn:3>"]  # flushed as written

    assert warc.close() == final
    assert not open_path.exists()
    assert read_ids(final) == ["<urn:1>", "<urn:2>", "<urn:3>"]
    assert warc.records == 3


def test_each_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    with WarcFile(tmp_path / "page.warc.gz") as warc:
        warc.write(text_record(1), text_record(2))
    data = (tmp_path / "page.warc.gz").read_bytes()

    assert data.count(b"\x1f\x8b\x08") == 2
    assert gzip.decompress(data).startswith(b"WARC/1.1\r\n")


def response(content_type: str, body: bytes) -> Any:
    """Return the response record of a 200 with content_type and body."""
    answer = HttpResponse(200, "OK", (("Content-Type", content_type),), body)
    return response_record(answer, "https://example.org/x", date=DATE, record_id="<urn:r>")


def test_text_gets_the_middle_level() -> None:
    assert compression_level(text_record(1)) == TEXT_LEVEL
    html = response("text/html; charset=utf-8", b"<p>")
    assert compression_level(html) == TEXT_LEVEL
    svg = response("image/svg+xml", b"<svg/>")  # an image, but text
    assert compression_level(svg) == TEXT_LEVEL


def test_a_packed_payload_is_stored_unless_a_sample_deflates_by_five_percent() -> None:
    # The samples are read from the payload stream, which is left where it was.
    noise = random.Random(7).randbytes(200_000)  # a photograph: deflate gains nothing
    flat = bytes(200_000)  # a screenshot of a white page: deflate gains a lot
    photo = response("image/jpeg", noise)
    shot = resource_record("urn:view:x", "image/png", flat, date=DATE, record_id="<urn:1>")

    assert compression_level(photo) == STORED_LEVEL
    assert compression_level(response("font/woff2", noise)) == STORED_LEVEL
    assert compression_level(shot) == FAST_LEVEL
    assert compression_level(response("IMAGE/PNG; x=1", flat)) == FAST_LEVEL
    assert shot.raw_stream.tell() == 0


def test_each_member_is_compressed_as_its_record_asks_and_reads_back(tmp_path: Path) -> None:
    html = b"<p>The harbour council voted on Tuesday.</p>" * 200
    photo = random.Random(3).randbytes(100_000)
    with WarcFile(tmp_path / "page.warc.gz") as warc:
        warc.write(response("text/html", html), response("image/jpeg", photo))
    data = (tmp_path / "page.warc.gz").read_bytes()

    second = data.index(b"\x1f\x8b\x08", 1)
    assert second < len(html) / 4  # the page, deflated
    assert len(data) - second > len(photo)  # the photo, stored as it was
    with (tmp_path / "page.warc.gz").open("rb") as handle:
        bodies = [
            record.content_stream().read()
            for record in ArchiveIterator(handle, check_digests="raise")
        ]
    assert bodies == [html, photo]


def test_a_large_record_streams_to_disk_without_a_copy_in_memory(tmp_path: Path) -> None:
    video = random.Random(5).randbytes(20_000_000)
    record = response("video/mp4", video)
    with WarcFile(tmp_path / "page.warc.gz") as warc:
        tracemalloc.start()
        warc.write(record)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    assert peak < 2_000_000  # chunks, not the 20 MB record again
    assert (tmp_path / "page.warc.gz").stat().st_size > len(video)


def test_abandon_leaves_nothing_half_written(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path / "page.warc.gz")
    warc.write(text_record(1))
    warc.abandon()

    assert list(tmp_path.iterdir()) == []


def test_leaving_the_block_with_an_error_abandons(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), WarcFile(tmp_path / "page.warc.gz") as warc:
        warc.write(text_record(1))
        raise RuntimeError("render crashed")

    assert list(tmp_path.iterdir()) == []


def test_close_twice_is_harmless(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path / "page.warc.gz")
    assert warc.close() == warc.close() == tmp_path / "page.warc.gz"


def test_a_folder_that_cannot_hold_the_file_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the capture folder should be")

    with pytest.raises(OutputError, match=r"Could not create .*page\.warc\.gz\.open") as caught:
        WarcFile(blocker / "page.warc.gz")
    assert "permissions and free space" in str(caught.value)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fail writes")
def test_a_full_disk_while_writing_is_an_output_error(tmp_path: Path) -> None:
    # /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
    (tmp_path / "page.warc.gz.open").symlink_to("/dev/full")
    warc = WarcFile(tmp_path / "page.warc.gz")

    with pytest.raises(OutputError, match="No space left on device") as caught:
        warc.write(text_record(1))
    assert "choose another --output" in str(caught.value)
    assert isinstance(caught.value.__cause__, OSError)
    with contextlib.suppress(OSError):
        warc.abandon()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fail writes")
def test_abandon_after_a_full_disk_does_not_raise(tmp_path: Path) -> None:
    (tmp_path / "page.warc.gz.open").symlink_to("/dev/full")
    warc = WarcFile(tmp_path / "page.warc.gz")
    with pytest.raises(OutputError):
        warc.write(text_record(1))

    warc.abandon()


class FailingFile:
    """A file object whose writes fail as a full disk does."""

    closed = False

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")

    def fileno(self) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        self.closed = True


def test_a_failing_file_object_turns_write_and_close_errors_into_output_errors(
    tmp_path: Path,
) -> None:
    warc = WarcFile(tmp_path / "page.warc.gz")
    warc._file.close()
    failing = FailingFile()
    warc._file = failing  # type: ignore[assignment]
    warc._writer.out = failing

    with pytest.raises(OutputError, match="Could not write"):
        warc.write(text_record(1))
    with pytest.raises(OutputError, match="Could not finish"):
        warc.close()
    assert not (tmp_path / "page.warc.gz").exists()


def test_new_record_ids_are_unique_urn_uuids() -> None:
    ids = {new_record_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("<urn:uuid:") and i.endswith(">") for i in ids)
