"""The WACZ index: plain for small runs, gzip blocks with an .idx for large ones, and read back."""

from __future__ import annotations

import gzip
import json

from capture.output.cdxj import IndexLayout, IndexState, index_files, read_index

ARCHIVE = "archive/a.warc.gz"


def _line(key: str, when: str, offset: int) -> str:
    fields = {"url": f"https://{key}/", "filename": "a.warc.gz", "offset": offset, "length": 9}
    return f"{key} {when} {json.dumps(fields)}"


LINES = sorted(
    _line(key, when, n)
    for n, (key, when) in enumerate(
        [("a,x)/", "2026"), ("b,x)/", "2026"), ("b,x)/", "2026"), ("b,x)/", "2026"),
         ("c,x)/", "2025"), ("c,x)/", "2026"), ("d,x)/", "2026")]
    )
)  # fmt: skip


def _members(lines: list[str], layout: IndexLayout) -> dict[str, bytes]:
    members = {index.path: index.data for index in index_files(lines, layout)}
    members[ARCHIVE] = b""
    return members


def _state(members: dict[str, bytes]) -> IndexState:
    return read_index(set(members), members.__getitem__)


def test_small_indexes_are_one_plain_file() -> None:
    (index,) = index_files(LINES, IndexLayout(plain_max_lines=7))
    assert (index.path, index.stored) == ("indexes/index.cdx", False)
    assert index.data.decode().splitlines() == LINES
    assert _state(_members(LINES, IndexLayout(plain_max_lines=7))) == IndexState(
        "plain CDXJ", 7, ()
    )


def test_blocks_never_start_with_the_key_and_time_the_block_before_started_with() -> None:
    files = index_files(LINES, IndexLayout(plain_max_lines=1, block_lines=2))
    assert [(f.path, f.stored) for f in files] == [
        ("indexes/index.cdx.gz", True),
        ("indexes/index.idx", False),
    ]
    prefixes = [line.split(" {")[0] for line in files[1].data.decode().splitlines()[1:]]
    # a,x + the first b,x make a block; the other two b,x lines join it rather than start one.
    assert prefixes == ["a,x)/ 2026", "c,x)/ 2025", "d,x)/ 2026"]
    state = _state(_members(LINES, IndexLayout(plain_max_lines=1, block_lines=2)))
    assert state == IndexState("compressed CDXJ with index.idx", 7, ())


def test_a_changed_block_is_named_by_its_idx_line() -> None:
    members = _members(LINES, IndexLayout(plain_max_lines=1, block_lines=2))
    data = bytearray(members["indexes/index.cdx.gz"])
    data[-12] ^= 1
    members["indexes/index.cdx.gz"] = bytes(data)
    (problem,) = _state(members).problems
    assert problem.startswith("indexes/index.idx line 4: the block at")


def test_lines_pointing_outside_the_package_or_unsorted_are_problems() -> None:
    members = _members(LINES, IndexLayout())
    del members[ARCHIVE]
    assert _state(members).problems == (
        "indexes/index.cdx line 1 points into archive/a.warc.gz, which the package lacks",
    )
    members = _members(LINES[::-1], IndexLayout())
    assert _state(members).problems == ("indexes/index.cdx is not sorted",)


def test_an_old_gzipped_index_without_idx_reads_and_no_index_is_a_problem() -> None:
    old = {"indexes/index.cdx.gz": gzip.compress("\n".join(LINES).encode()), ARCHIVE: b""}
    assert _state(old) == IndexState("gzipped CDXJ without index.idx", 7, ())
    assert _state({ARCHIVE: b""}).problems == (
        "no index: neither indexes/index.cdx nor indexes/index.idx",
    )


def test_by_default_the_index_is_compressed_only_above_5000_lines() -> None:
    many = sorted(_line(f"k{n:05d},x)/", "2026", n) for n in range(5001))
    assert [f.path for f in index_files(many[:5000])] == ["indexes/index.cdx"]
    files = index_files(many)
    assert [f.path for f in files] == ["indexes/index.cdx.gz", "indexes/index.idx"]
    assert len(files[1].data.decode().splitlines()) == 1 + 17  # !meta, then 5001 / 300 blocks
    members = {f.path: f.data for f in files} | {ARCHIVE: b""}
    assert _state(members) == IndexState("compressed CDXJ with index.idx", 5001, ())
