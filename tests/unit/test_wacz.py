"""The run WACZ: built from synthetic capture folders, checked member by member and by `wacz`."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capture import paths
from capture.errors import NothingToPackageError, OutputError, PackageError
from capture.evidence.checks import Check
from capture.evidence.verify import verify_path
from capture.evidence.waczfixity import verify_wacz
from capture.exchanges import Exchange, HttpRequest, HttpResponse
from capture.output.cdxj import IndexLayout
from capture.output.records import exchange_records, resource_record, warcinfo_record
from capture.output.wacz import write_wacz
from capture.output.warc import WarcFile

CREATED = datetime(2026, 11, 27, 6, 45, 0, tzinfo=UTC)
PAGES = {
    "example.org-story-11111111": ("https://example.org/story", "Story one", "First paragraph."),
    "example.org-Other_Page-22222222": ("https://example.org/Other_Page", "Ünïcode two", "Zwei."),
}


def _clock() -> datetime:
    return CREATED


def _warc(path: Path, url: str, body: bytes) -> None:
    """Write a WARC as capture does: warcinfo, the page's exchange, a POST, a urn:text: record."""
    ids = (f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>" for n in range(100))
    when = datetime(2026, 11, 27, 6, 45, 1, tzinfo=UTC)
    page = Exchange(
        HttpRequest("GET", url, (("Accept", "text/html"),)),
        HttpResponse(200, "OK", (("Content-Type", "text/html"),), body),
        when,
    )
    post = Exchange(
        HttpRequest("POST", f"{url}/count", (("Content-Type", "text/plain"),), b"seen=1"),
        HttpResponse(204, "No Content", (), b""),
        when,
    )
    with WarcFile(path) as warc:
        info = {"software": "test"}
        warc.write(warcinfo_record(info, filename=path.name, date=when, record_id=next(ids)))
        warc.write(*exchange_records(page, lambda: next(ids)))
        warc.write(*exchange_records(post, lambda: next(ids)))
        text = resource_record(
            f"urn:text:{url}", "text/plain", b"text", date=when, record_id=next(ids)
        )
        warc.write(text)


def _capture(run: Path, slug: str, url: str, title: str, text: str, *, warc: bool = True) -> Path:
    folder = run / "captures" / slug
    folder.mkdir(parents=True)
    if warc:
        _warc(folder / paths.WARC, url, f"<title>{title}</title><p>{text}</p>".encode())
    article = {"title": title, "text": text}
    (folder / paths.ARTICLE_JSON).write_text(json.dumps(article), encoding="utf-8")
    record = {"url": url, "state": "complete", "article": {"title": title}, "files": []}
    (folder / paths.CAPTURE_JSON).write_text(json.dumps(record), encoding="utf-8")
    return folder


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """Return a run folder with two captures that have WARCs and a failed one without."""
    folder = tmp_path / "run"
    for slug, (url, title, text) in PAGES.items():
        _capture(folder, slug, url, title, text)
    _capture(folder, "example.org-gone-33333333", "https://example.org/gone", "", "", warc=False)
    return folder


@pytest.fixture
def wacz(run: Path) -> Path:
    """Return the WACZ written for the run."""
    return write_wacz(run, run / "job.wacz", title="job", clock=_clock)


def _manifest(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as package:
        return dict(json.loads(package.read("datapackage.json")))


def test_datapackage_lists_every_member_with_its_sha256_and_size(wacz: Path) -> None:
    manifest = _manifest(wacz)
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        resources = manifest["resources"]
        assert isinstance(resources, list)
        assert {r["path"] for r in resources} == names - {
            "datapackage.json",
            "datapackage-digest.json",
        }
        for resource in resources:
            data = package.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(package.read("datapackage-digest.json"))
        described = package.read("datapackage.json")
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(described).hexdigest(),
    }
    assert manifest["profile"] == "data-package"
    assert manifest["wacz_version"] == "1.1.1"
    assert manifest["created"] == "2026-11-27T06:45:00Z"
    assert manifest["title"] == "job"
    assert "mainPageUrl" not in manifest  # two pages: no single main page


def test_warcs_are_stored_byte_for_byte_under_their_capture_slugs(run: Path, wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        warcs = [info for info in package.infolist() if info.filename.startswith("archive/")]
        assert sorted(info.filename for info in warcs) == sorted(
            f"archive/{slug}.warc.gz" for slug in PAGES
        )
        for info in warcs:
            assert info.compress_type == zipfile.ZIP_STORED
            slug = info.filename.removeprefix("archive/").removesuffix(".warc.gz")
            assert package.read(info) == (run / "captures" / slug / paths.WARC).read_bytes()
        assert "indexes/index.cdx.gz" not in package.namelist()  # a small run: plain index
    assert not (run / "job.wacz.open").exists()


def test_pages_jsonl_has_the_header_then_each_page_with_title_and_text(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("pages/pages.jsonl").decode().splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert [json.loads(line) for line in lines[1:]] == [
        {"id": slug, "url": url, "ts": "2026-11-27T06:45:01Z", "title": title, "text": text}
        for slug, (url, title, text) in sorted(PAGES.items())
    ]


def test_index_is_sorted_cdxj_pointing_into_each_warc(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("indexes/index.cdx").decode().splitlines()
        assert lines == sorted(lines)
        for line in lines:
            fields = json.loads(line.split(" ", 2)[2])
            member = package.read(f"archive/{fields['filename']}")
            offset, length = int(fields["offset"]), int(fields["length"])
            record = gzip.decompress(member[offset : offset + length])
            assert f"WARC-Target-URI: {fields['url']}".encode() in record
    assert len(lines) == 6  # per page: its response, the POST's response, the urn:text: record
    # POST bodies stay in the index (pywb's form) so replay can match the request.
    posts = [line for line in lines if "__wb_method=post&__wb_post_data=c2vlbj0x " in line]
    assert len(posts) == 2
    assert all('"method": "POST"' in line for line in posts)


def test_a_single_page_is_the_main_page(tmp_path: Path) -> None:
    _capture(tmp_path, "one-11111111", "https://example.org/one", "One", "Text.")
    manifest = _manifest(write_wacz(tmp_path, tmp_path / "one.wacz", title="one", clock=_clock))
    assert manifest["mainPageUrl"] == "https://example.org/one"
    assert manifest["mainPageDate"] == "2026-11-27T06:45:01Z"


def test_the_same_run_packs_to_the_same_bytes(run: Path, tmp_path: Path) -> None:
    first = write_wacz(run, tmp_path / "a.wacz", title="job", clock=_clock).read_bytes()
    assert write_wacz(run, tmp_path / "b.wacz", title="job", clock=_clock).read_bytes() == first


def test_a_run_without_any_warc_raises_and_writes_nothing(tmp_path: Path) -> None:
    _capture(tmp_path, "gone-11111111", "https://example.org/gone", "", "", warc=False)
    with pytest.raises(NothingToPackageError, match="no capture folder holds"):
        write_wacz(tmp_path, tmp_path / "x.wacz", title="x", clock=_clock)
    assert list(tmp_path.glob("x.wacz*")) == []


def test_a_damaged_warc_is_a_package_error_and_leaves_no_file(run: Path) -> None:
    damaged = run / "captures" / sorted(PAGES)[1] / paths.WARC
    damaged.write_bytes(damaged.read_bytes() + b"garbage\r\n" * 30)
    with pytest.raises(PackageError, match=f"Could not index {damaged}"):
        write_wacz(run, run / "x.wacz", title="x", clock=_clock)
    assert list(run.glob("x.wacz*")) == []


def test_an_unwritable_destination_is_an_output_error(run: Path) -> None:
    with pytest.raises(OutputError, match="Could not write"):
        write_wacz(run, run / "missing" / "x.wacz", title="x", clock=_clock)


def test_verify_finds_nothing_wrong_in_a_fresh_package(wacz: Path) -> None:
    assert verify_wacz(wacz) == []


def _data_offset(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(name)
    with path.open("rb") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = (int.from_bytes(handle.read(2), "little") for _ in range(2))
    return info.header_offset + 30 + name_length + extra_length


def test_verify_catches_a_flipped_byte_in_a_warc(wacz: Path) -> None:
    member = f"archive/{sorted(PAGES)[0]}.warc.gz"
    data = bytearray(wacz.read_bytes())
    data[_data_offset(wacz, member) + 100] ^= 0x01
    wacz.write_bytes(bytes(data))
    problems = verify_wacz(wacz)
    assert len(problems) == 1
    assert problems[0].startswith(f"{member} is damaged")


def _rewrite(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy a ZIP, replacing members (None drops one); CRCs stay consistent."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = replace.get(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
    return target


def test_verify_catches_a_member_changed_behind_the_manifest(wacz: Path, tmp_path: Path) -> None:
    changed = _rewrite(wacz, tmp_path / "changed.wacz", {"pages/pages.jsonl": b"{}\n"})
    problems = verify_wacz(changed)
    assert any(p.startswith("pages/pages.jsonl hash mismatch") for p in problems)
    assert any(p.startswith("pages/pages.jsonl size mismatch") for p in problems)


def test_verify_catches_missing_and_unlisted_members(wacz: Path, tmp_path: Path) -> None:
    changed = _rewrite(
        wacz, tmp_path / "changed.wacz", {"indexes/index.cdx": None, "extra.txt": None}
    )
    with zipfile.ZipFile(changed, "a") as package:
        package.writestr("extra.txt", b"not listed")
    assert verify_wacz(changed) == [
        "indexes/index.cdx is listed in datapackage.json but missing from the package",
        "extra.txt is in the package but not listed in datapackage.json",
    ]


def test_verify_catches_a_datapackage_that_no_longer_matches_its_digest(
    wacz: Path, tmp_path: Path
) -> None:
    manifest = _manifest(wacz)
    manifest["title"] = "edited"
    changed = _rewrite(
        wacz, tmp_path / "x.wacz", {"datapackage.json": json.dumps(manifest).encode()}
    )
    (problem,) = verify_wacz(changed)
    assert problem.startswith("datapackage.json does not match datapackage-digest.json")


def test_verify_reports_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "x.wacz").write_bytes(b"not a zip")
    assert verify_wacz(tmp_path / "x.wacz")[0].endswith(
        "could not be read as a ZIP file (File is not a zip file)"
    )
    assert verify_wacz(tmp_path / "nope.wacz") == [f"{tmp_path / 'nope.wacz'} does not exist"]


def _wacz_validate(path: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("wacz") is None:
        if os.environ.get("CI"):
            pytest.fail("the wacz package is not installed (pip install wacz==0.6.0)")
        pytest.skip("the wacz package is not installed")
    # `python -m wacz` always exits 0; call its main() so the exit code says the verdict.
    runner = "import sys; from wacz.main import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", runner, "validate", "-f", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_wacz_validate_accepts_the_package(wacz: Path) -> None:
    result = _wacz_validate(wacz)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


@pytest.fixture
def compressed(run: Path) -> Path:
    """Return the run's WACZ with its index compressed into blocks of two lines."""
    layout = IndexLayout(plain_max_lines=2, block_lines=2)
    return write_wacz(run, run / "big.wacz", title="job", clock=_clock, index_layout=layout)


def test_a_large_index_is_gzip_blocks_with_an_idx_naming_each_block(
    wacz: Path, compressed: Path
) -> None:
    with zipfile.ZipFile(wacz) as package:
        plain = package.read("indexes/index.cdx").decode().splitlines()
    with zipfile.ZipFile(compressed) as package:
        assert "indexes/index.cdx" not in package.namelist()
        assert package.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        blocks = package.read("indexes/index.cdx.gz")
        meta, *entries = package.read("indexes/index.idx").decode().splitlines()
        listed = {r["path"] for r in json.loads(package.read("datapackage.json"))["resources"]}
    assert {"indexes/index.cdx.gz", "indexes/index.idx"} <= listed
    assert meta == '!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}'
    found, offset = [], 0
    for entry_line in entries:
        prefix, _, data = entry_line.partition(" {")
        entry = json.loads("{" + data)
        assert entry["offset"] == offset
        block = blocks[offset : offset + entry["length"]]
        assert entry["digest"] == "sha256:" + hashlib.sha256(block).hexdigest()
        lines = gzip.decompress(block).decode().splitlines()  # each block is one gzip member
        assert " ".join(lines[0].split(" ")[:2]) == prefix
        found += lines
        offset += entry["length"]
    assert offset == len(blocks)
    assert found == plain
    assert len(entries) == 3  # six lines, two per block
    assert verify_wacz(compressed) == []


def test_wacz_validate_accepts_the_compressed_index(compressed: Path) -> None:
    result = _wacz_validate(compressed)
    assert result.returncode == 0, result.stdout + result.stderr


def _index_check(path: Path) -> Check:
    (check,) = [c for c in verify_path(path).checks if c.what.startswith("CDXJ index")]
    return check


def test_verify_checks_the_index_in_either_form(wacz: Path, compressed: Path) -> None:
    assert _index_check(wacz) == Check(
        "job.wacz/indexes",
        "CDXJ index that pywb and ReplayWeb.page read",
        True,
        "plain CDXJ, 6 sorted lines pointing into archive/",
    )
    check = _index_check(compressed)
    assert check.ok and check.detail.startswith("compressed CDXJ with index.idx, 6 sorted")


def test_verify_fails_an_idx_whose_blocks_do_not_match(compressed: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(compressed) as package:
        idx = package.read("indexes/index.idx").decode()
    changed = _rewrite(
        compressed,
        tmp_path / "changed.wacz",
        {"indexes/index.idx": idx.replace('"offset": 0,', '"offset": 1,').encode()},
    )
    check = _index_check(changed)
    assert not check.ok
    assert check.detail.startswith("indexes/index.idx line 2: the block at 1 does not match")
