"""The tamper matrix: one flipped byte in any kind of file, and `verify` fails naming that file."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capture.evidence.keys import generate_key_pair
from capture.evidence.seal import SEAL, seal_capture, seal_wacz
from capture.evidence.verify import verify_path
from capture.output.wacz import write_wacz
from tests.evidence_folder import clock, make_run
from tests.evidence_tsa import Authority, make_authority, serve

WACZ = "job.wacz"
CAPTURE_FILES = [
    "page.warc.gz",
    "screenshot.png",
    "article.txt",
    "dom.html",
    "provenance.html",
    "capture.json",
    "timestamps/*.tsr",
]
WACZ_MEMBERS = [
    "archive/*.warc.gz",
    "indexes/index.cdx",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
]
WHERE: dict[str, Callable[[int], int]] = {
    "first": lambda size: 0,
    "middle": lambda size: size // 2,
    "last": lambda size: size - 1,
}


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Authority, Path]:
    """Return a signed and stamped run folder with a signed WACZ, its TSA and the public key."""
    root = tmp_path_factory.mktemp("sealed")
    authority = make_authority(root / "tsa")
    key = generate_key_pair(root / "clerk")
    run = make_run(root / "runs")
    wacz = write_wacz(run, run / WACZ, title="job", clock=clock)
    with serve(authority) as server:
        for folder in (run / "captures").iterdir():
            seal_capture(folder, key=key, tsa_urls=[server.url], clock=_now)
        seal_wacz(wacz, key=key, tsa_urls=[server.url], clock=_now)
    return run, authority, root / "clerk.pub"


def _copy(sealed: tuple[Path, Authority, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(sealed[0], tmp_path / sealed[0].name))


def _verify(run: Path, sealed: tuple[Path, Authority, Path]) -> set[str]:
    report = verify_path(run, tsa_certs=[sealed[1].root], public_key=sealed[2])
    assert not report.ok
    return {check.subject for check in report.failures}


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_untouched_run_verifies(sealed: tuple[Path, Authority, Path]) -> None:
    report = verify_path(sealed[0], tsa_certs=[sealed[1].root], public_key=sealed[2])

    assert report.ok, report.to_text()


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("pattern", CAPTURE_FILES)
def test_a_flipped_byte_in_a_capture_file_fails_naming_it(
    sealed: tuple[Path, Authority, Path], tmp_path: Path, pattern: str, where: str
) -> None:
    run = _copy(sealed, tmp_path)
    folder = sorted((run / "captures").iterdir())[0]
    target = sorted(folder.glob(pattern))[0]
    _flip(target, WHERE[where](target.stat().st_size))

    failed = _verify(run, sealed)

    assert f"captures/{folder.name}/{target.relative_to(folder)}" in failed, failed


def test_a_flipped_byte_in_the_signature_fails_naming_the_seal(
    sealed: tuple[Path, Authority, Path], tmp_path: Path
) -> None:
    run = _copy(sealed, tmp_path)
    folder = sorted((run / "captures").iterdir())[0]
    signature = json.loads((folder / SEAL).read_text())["signedData"]["signature"]
    text = (folder / SEAL).read_bytes()
    _flip(folder / SEAL, text.index(signature.encode()) + len(signature) // 2)

    assert f"captures/{folder.name}/{SEAL}" in _verify(run, sealed)


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("pattern", WACZ_MEMBERS)
def test_a_flipped_byte_in_a_wacz_member_fails_naming_it(
    sealed: tuple[Path, Authority, Path], tmp_path: Path, pattern: str, where: str
) -> None:
    run = _copy(sealed, tmp_path)
    with zipfile.ZipFile(run / WACZ) as package:
        info = next(i for i in package.infolist() if Path(i.filename).match(pattern))
    with (run / WACZ).open("rb") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack("<HH", handle.read(4))
    start = info.header_offset + 30 + name_length + extra_length
    _flip(run / WACZ, start + WHERE[where](info.compress_size))

    failed = _verify(run, sealed)

    assert f"{WACZ}/{info.filename}" in failed, failed
