"""Packaging a run folder as one WACZ 1.1.1 file, and verifying a WACZ's fixity.

The package holds every capture's WARC under `archive/<slug>.warc.gz`, one sorted CDXJ index
(plain `indexes/index.cdx`, or for large runs `indexes/index.cdx.gz` with its `indexes/index.idx`:
see capture.output.cdxj), `pages/pages.jsonl` with each page's title and text,
`datapackage.json` with the SHA-256 and size of every file, and `datapackage-digest.json`.
WARCs are streamed into the ZIP uncompressed (STORE) so readers can seek into them.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import string
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from capture import paths
from capture._version import __version__
from capture.errors import NothingToPackageError, PackageError
from capture.output.cdxj import DEFAULT_LAYOUT, IndexLayout, index_files
from capture.output.files import atomic_file, read_json_object, sha256_label

WACZ_VERSION = "1.1.1"
PAGES_PATH = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
_CHUNK_BYTES = 1 << 20
_PAGE_MIMES_SKIPPED = frozenset({"warc/revisit"})
_NAME_CHARS = frozenset(string.ascii_lowercase + string.digits + "-.")


@dataclass(frozen=True, slots=True)
class PackedCapture:
    """One capture folder as the WACZ sees it."""

    warc: Path
    archive_name: str
    """The WARC's name inside `archive/`: `<slug>.warc.gz`."""
    url: str
    title: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class Member:
    """One file written into the WACZ: its path, size and SHA-256."""

    path: str
    bytes: int
    sha256: str

    def to_resource(self) -> dict[str, Any]:
        """Return the datapackage.json resource describing this member."""
        return {
            "name": _resource_name(self.path),
            "path": self.path,
            "hash": f"sha256:{self.sha256}",
            "bytes": self.bytes,
        }


def write_wacz(
    run_folder: Path,
    out_path: Path,
    *,
    title: str,
    clock: Callable[[], datetime],
    index_layout: IndexLayout = DEFAULT_LAYOUT,
) -> Path:
    """Package every capture of run_folder that has a WARC into out_path and return out_path.

    index_layout says when the index is compressed (large runs) and into blocks of what size.
    Written as `<out_path>.open` and renamed when complete. Raises NothingToPackageError when no
    capture has a WARC, PackageError when a WARC cannot be read, OutputError when the disk fails.
    """
    captures = packed_captures(run_folder)
    if not captures:
        raise NothingToPackageError(
            f"Could not package {run_folder} as a WACZ (no capture folder holds a "
            f"{paths.WARC}). Check the captures' capture.json for their errors."
        )
    created = clock().astimezone(UTC).replace(microsecond=0)
    with atomic_file(out_path, visible=True) as handle:
        _write_package(handle, captures, title=title, created=created, layout=index_layout)
    return out_path


def packed_captures(run_folder: Path) -> list[PackedCapture]:
    """Return the captures under `run_folder/captures/` that have a WARC, by folder name."""
    captures = []
    for folder in sorted((run_folder / "captures").glob("*/")):
        warc = folder / paths.WARC
        if not warc.is_file():
            continue
        record = read_json_object(folder / paths.CAPTURE_JSON) or {}
        article = read_json_object(folder / paths.ARTICLE_JSON) or {}
        summary = record.get("article") or {}
        title = article.get("title") or summary.get("title")
        captures.append(
            PackedCapture(
                warc=warc,
                archive_name=f"{folder.name}.warc.gz",
                url=str(record.get("url") or ""),
                title=str(title) if title else None,
                text=str(article["text"]) if article.get("text") else None,
            )
        )
    return captures


def index_lines(warc: Path, archive_name: str) -> list[str]:
    """Return the CDXJ lines of one WARC, each naming archive_name as its file, unsorted."""
    out = io.StringIO()
    with warc.open("rb") as handle:
        # post_append keeps POST bodies in the index so replay can match them.
        indexer = _indexer_class()(
            out, [handle], post_append=True, fields="referrer", filename=archive_name
        )
        try:
            indexer.process_all()
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
            raise PackageError(
                f"Could not index {warc} ({exc}). The WARC is damaged: check it with "
                "`warcio check`, and move its capture folder out of the run to package the rest."
            ) from exc
        finally:
            indexer.release()
    return out.getvalue().splitlines()


class _Records(ArchiveIterator):  # type: ignore[misc]
    """An ArchiveIterator that remembers the last records it read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.recent: deque[Any] = deque(maxlen=3)
        super().__init__(*args, **kwargs)

    def _iterate_records(self) -> Iterator[Any]:
        for record in super()._iterate_records():
            self.recent.append(record)
            yield record


@functools.cache
def _indexer_class() -> type[Any]:
    """Return CDXJIndexer made able to close the record buffers it leaves open when a WARC is
    damaged (imported on first use: cdxj-indexer takes a third of a second to import)."""
    from cdxj_indexer.main import CDXJIndexer

    class Indexer(CDXJIndexer):  # type: ignore[misc]
        records: _Records | None = None

        def _create_record_iter(self, input_: Any) -> _Records:
            self.records = _Records(
                input_, no_record_parse=not self.record_parse, arc2warc=True, verify_http=False
            )
            return self.records

        def release(self) -> None:
            """Close the spooled copies of the records read last."""
            for record in self.records.recent if self.records else ():
                buffered = getattr(record, "buffered_stream", None)
                if buffered is not None:
                    buffered.close()

    return Indexer


def page_entry(capture: PackedCapture, lines: Sequence[str]) -> dict[str, Any] | None:
    """Return the pages.jsonl entry of a capture, or None when its WARC lacks the page."""
    for line in lines:
        _, timestamp, fields = line.split(" ", 2)
        found = json.loads(fields)
        if found.get("url") == capture.url and found.get("mime") not in _PAGE_MIMES_SKIPPED:
            entry: dict[str, Any] = {
                "id": capture.archive_name.removesuffix(".warc.gz"),
                "url": capture.url,
                "ts": _rfc3339(timestamp),
            }
            if capture.title:
                entry["title"] = capture.title
            if capture.text:
                entry["text"] = capture.text
            return entry
    return None


def pages_jsonl(entries: Iterable[dict[str, Any]]) -> bytes:
    """Return pages/pages.jsonl: the header line, then one line per page."""
    lines = [PAGES_HEADER, *entries]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def datapackage(
    members: Sequence[Member],
    *,
    title: str,
    created: datetime,
    pages: Sequence[dict[str, Any]],
) -> bytes:
    """Return datapackage.json listing every member; a single page becomes the main page."""
    package: dict[str, Any] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": f"capture/{__version__}",
        "resources": [member.to_resource() for member in members],
    }
    if len(pages) == 1:
        package["mainPageUrl"] = pages[0]["url"]
        package["mainPageDate"] = pages[0]["ts"]
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()


def datapackage_digest(datapackage_bytes: bytes) -> bytes:
    """Return datapackage-digest.json: the SHA-256 of datapackage.json."""
    digest = {
        "path": DATAPACKAGE,
        "hash": sha256_label(datapackage_bytes),
    }
    return (json.dumps(digest, indent=2) + "\n").encode()


def _write_package(
    handle: IO[bytes],
    captures: Sequence[PackedCapture],
    *,
    title: str,
    created: datetime,
    layout: IndexLayout,
) -> None:
    moment = created.timetuple()[:6]
    members: list[Member] = []
    lines: list[str] = []
    pages: list[dict[str, Any]] = []
    with zipfile.ZipFile(handle, "w", allowZip64=True) as package:
        for capture in captures:
            found = index_lines(capture.warc, capture.archive_name)
            lines.extend(found)
            entry = page_entry(capture, found)
            if entry is not None:
                pages.append(entry)
            members.append(_copy_file(package, capture.warc, capture.archive_name, moment))
        for index in index_files(sorted(lines), layout):
            members.append(
                _write_bytes(package, index.path, index.data, moment, deflate=not index.stored)
            )
        members.append(_write_bytes(package, PAGES_PATH, pages_jsonl(pages), moment))
        described = datapackage(members, title=title, created=created, pages=pages)
        _write_bytes(package, DATAPACKAGE, described, moment)
        _write_bytes(package, DIGEST, datapackage_digest(described), moment)


def _zip_info(path: str, moment: tuple[int, ...], *, deflate: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=moment)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _copy_file(
    package: zipfile.ZipFile, source: Path, archive_name: str, moment: tuple[int, ...]
) -> Member:
    path = f"archive/{archive_name}"
    info = _zip_info(path, moment, deflate=False)
    info.file_size = source.stat().st_size  # lets zipfile choose ZIP64 up front for big WARCs
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, package.open(info, "w") as writer:
        for chunk in iter(lambda: reader.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
    return Member(path, size, digest.hexdigest())


def _write_bytes(
    package: zipfile.ZipFile,
    path: str,
    data: bytes,
    moment: tuple[int, ...],
    *,
    deflate: bool = True,
) -> Member:
    package.writestr(_zip_info(path, moment, deflate=deflate), data)
    return Member(path, len(data), hashlib.sha256(data).hexdigest())


def _resource_name(path: str) -> str:
    # Frictionless names allow only lower-case letters, digits and `-._/`.
    name = path.rsplit("/", 1)[-1].lower()
    return "".join(char if char in _NAME_CHARS else "-" for char in name)


def _rfc3339(timestamp: str) -> str:
    moment = datetime.strptime(timestamp[:14], "%Y%m%d%H%M%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
