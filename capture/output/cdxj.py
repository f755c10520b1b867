"""The WACZ's CDXJ index, written the way replay tools read it, and read back for verify.

Small archives get one plain, sorted `indexes/index.cdx`: ReplayWeb.page and pywb load it
whole. Large ones get the compressed form of the WACZ 1.1.1 spec: `indexes/index.cdx.gz`, a
run of gzip members of up to `block_lines` sorted lines each (stored, so readers can fetch one
block by its byte range), and `indexes/index.idx`, the secondary index naming each block's first
key with its offset, length and SHA-256. A gzipped index without its `.idx` is read by no
viewer (ReplayWeb.page 2.5.3 shows "Archived Page Not Found"), so it is never written alone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

INDEXES = "indexes/"
PLAIN_INDEX = "indexes/index.cdx"
COMPRESSED_INDEX = "indexes/index.cdx.gz"
SECONDARY_INDEX = "indexes/index.idx"
IDX_FORMAT = "cdxj-gzip-1.0"
_META_PREFIX = "!meta 0 "


@dataclass(frozen=True, slots=True)
class IndexLayout:
    """When the index is compressed, and into blocks of how many lines."""

    plain_max_lines: int = 5000
    """Up to this many lines the index is one plain `index.cdx`; above, `index.cdx.gz` + `.idx`."""
    block_lines: int = 300
    """Lines per gzip block of `index.cdx.gz` (a block never splits lines of one key and time)."""


DEFAULT_LAYOUT = IndexLayout()


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One index file to put in the WACZ."""

    path: str
    data: bytes
    stored: bool
    """Written uncompressed into the ZIP: readers fetch byte ranges of `index.cdx.gz`."""


@dataclass(frozen=True, slots=True)
class IndexState:
    """What verify found in a WACZ's index: its form, its line count and any problems."""

    form: str
    lines: int
    problems: tuple[str, ...]


def index_files(lines: Sequence[str], layout: IndexLayout = DEFAULT_LAYOUT) -> list[IndexFile]:
    """Return the index files for sorted CDXJ lines: plain, or compressed with its `.idx`."""
    if len(lines) <= layout.plain_max_lines:
        return [IndexFile(PLAIN_INDEX, _text(lines), stored=False)]
    blocks, idx_lines = [], [_meta_line()]
    offset = 0
    for block in _blocks(lines, layout.block_lines):
        data = gzip.compress(_text(block), mtime=0)  # mtime=0: the same run packs identically
        entry = {"offset": offset, "length": len(data), "digest": _sha256(data)}
        idx_lines.append(f"{_prefix(block[0])} {json.dumps(entry)}")
        blocks.append(data)
        offset += len(data)
    return [
        IndexFile(COMPRESSED_INDEX, b"".join(blocks), stored=True),
        IndexFile(SECONDARY_INDEX, _text(idx_lines), stored=False),
    ]


def _blocks(lines: Sequence[str], size: int) -> list[Sequence[str]]:
    """Split lines into blocks of about size lines, each starting at a new key and time.

    ReplayWeb.page keys its block table by the first key and time, so two blocks starting
    alike would hide one of them.
    """
    blocks, start = [], 0
    for number in range(1, len(lines) + 1):
        full = number - start >= max(size, 1)
        if number == len(lines) or (full and _prefix(lines[number]) != _prefix(lines[number - 1])):
            blocks.append(lines[start:number])
            start = number
    return blocks


def _meta_line() -> str:
    meta = {"format": IDX_FORMAT, "filename": COMPRESSED_INDEX.removeprefix(INDEXES)}
    return _META_PREFIX + json.dumps(meta)


def _prefix(line: str) -> str:
    """Return a CDXJ line's search key and timestamp."""
    return " ".join(line.split(" ", 2)[:2])


def _text(lines: Sequence[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_index(names: set[str], read: Callable[[str], bytes]) -> IndexState:
    """Return the state of the index among a WACZ's member names; read(name) returns a member.

    Checks what replay tools rely on: a plain index, or a `.idx` whose blocks match the
    compressed index byte for byte; lines sorted, parseable and pointing into `archive/`.
    """
    if PLAIN_INDEX in names:
        lines = read(PLAIN_INDEX).decode().splitlines()
        return IndexState(
            "plain CDXJ", len(lines), tuple(_line_problems(PLAIN_INDEX, lines, names))
        )
    if SECONDARY_INDEX in names:
        return _read_compressed(names, read)
    if COMPRESSED_INDEX in names:
        lines = gzip.decompress(read(COMPRESSED_INDEX)).decode().splitlines()
        problems = _line_problems(COMPRESSED_INDEX, lines, names)
        return IndexState("gzipped CDXJ without index.idx", len(lines), tuple(problems))
    return IndexState("none", 0, (f"no index: neither {PLAIN_INDEX} nor {SECONDARY_INDEX}",))


def _read_compressed(names: set[str], read: Callable[[str], bytes]) -> IndexState:
    idx = read(SECONDARY_INDEX).decode().splitlines()
    if not idx or not idx[0].startswith(_META_PREFIX):
        return IndexState("compressed CDXJ", 0, (f"{SECONDARY_INDEX} has no !meta line",))
    meta = json.loads(idx[0].removeprefix(_META_PREFIX))
    target = INDEXES + str(meta.get("filename"))
    if meta.get("format") != IDX_FORMAT or target not in names:
        detail = f"{SECONDARY_INDEX} names {meta} but the package holds no such {IDX_FORMAT} file"
        return IndexState("compressed CDXJ", 0, (detail,))
    data = read(target)
    problems: list[str] = []
    lines: list[str] = []
    offset = 0
    for number, entry_line in enumerate(idx[1:], 2):
        prefix, _, entry_json = entry_line.partition(" {")
        entry = json.loads("{" + entry_json)
        where = f"{SECONDARY_INDEX} line {number}"
        block = data[int(entry["offset"]) : int(entry["offset"]) + int(entry["length"])]
        if int(entry["offset"]) != offset or _sha256(block) != entry.get("digest"):
            problems.append(f"{where}: the block at {entry['offset']} does not match {target}")
            break
        found = zlib.decompress(block, wbits=31).decode().splitlines()
        if not found or _prefix(found[0]) != prefix:
            problems.append(f"{where}: the block does not start at {prefix!r}")
        lines += found
        offset += len(block)
    if not problems and offset != len(data):
        problems.append(f"{target} has {len(data) - offset} bytes after its last indexed block")
    problems += _line_problems(target, lines, names)
    return IndexState("compressed CDXJ with index.idx", len(lines), tuple(problems))


def _line_problems(path: str, lines: Sequence[str], names: set[str]) -> list[str]:
    if list(lines) != sorted(lines):
        return [f"{path} is not sorted"]
    for number, line in enumerate(lines, 1):
        try:
            fields = json.loads(line.split(" ", 2)[2])
            archive = "archive/" + str(fields["filename"])
            int(fields["offset"]), int(fields["length"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return [f"{path} line {number} is not CDXJ ({exc})"]
        if archive not in names:
            return [f"{path} line {number} points into {archive}, which the package lacks"]
    return []
