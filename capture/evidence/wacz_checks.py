"""Verifying a WACZ: its fixity (capture.output.wacz), its index, every WARC record, its signature
and tokens."""

from __future__ import annotations

import base64
import binascii
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from capture.evidence.checks import Check
from capture.evidence.sealcheck import Expectations, signature_checks, timing_checks, token_check
from capture.evidence.tokens import TokenCheck
from capture.evidence.waczfixity import verify_wacz
from capture.evidence.warcfixity import check_warc
from capture.output.cdxj import INDEXES, read_index
from capture.output.wacz import DATAPACKAGE, DIGEST

_CHUNK_BYTES = 1 << 20
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError)


def wacz_checks(path: Path, label: str, expect: Expectations) -> list[Check]:
    """Return the checks of the WACZ at path, each subject `<label>/<member>`."""
    problems = verify_wacz(path)
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            checks = [_problem_check(label, problem, names) for problem in problems]
            if not problems:
                count = len(json.loads(package.read(DATAPACKAGE))["resources"])
                checks.append(
                    Check(
                        f"{label}/{DATAPACKAGE}",
                        "size and SHA-256 of every member",
                        True,
                        f"all {count} listed members match; {DATAPACKAGE} matches {DIGEST}",
                    )
                )
            checks += _container_checks(path, package, label)
            checks.append(_index_check(package, label, names))
            checks += _warc_checks(package, label, names)
            checks += _seal_checks(package, label, names, expect)
    except _DAMAGE as exc:
        if problems:
            return [_problem_check(label, problem, set()) for problem in problems]
        return [Check(label, "readable WACZ", False, f"unreadable ({exc})")]
    return checks


def _problem_check(label: str, problem: str, names: set[str]) -> Check:
    first = problem.split(" ", 1)[0]
    subject = f"{label}/{first}" if first in names or first in (DATAPACKAGE, DIGEST) else label
    return Check(subject, "size and SHA-256 as listed in datapackage.json", False, problem)


def _container_checks(path: Path, package: zipfile.ZipFile, label: str) -> list[Check]:
    """Return checks that each deflated member's stream ends exactly where the ZIP says.

    zipfile stops reading at the recorded size and checks only the CRC, so a changed byte that
    leaves the content alone (the final-block bit, the end-of-block code) would go unnoticed.
    """
    what = "compressed data ends where the ZIP says"
    checks = []
    with path.open("rb") as handle:
        for info in package.infolist():
            if info.compress_type != zipfile.ZIP_DEFLATED:
                continue
            if not _deflate_ends_cleanly(handle, info):
                detail = "the compressed stream is damaged (it does not end cleanly)"
                checks.append(Check(f"{label}/{info.filename}", what, False, detail))
    if not checks:
        checks.append(Check(label, what, True, "every compressed member ends cleanly"))
    return checks


def _deflate_ends_cleanly(handle: Any, info: zipfile.ZipInfo) -> bool:
    handle.seek(info.header_offset + 26)
    name_length, extra_length = struct.unpack("<HH", handle.read(4))
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    remaining = info.compress_size
    try:
        while remaining > 0:
            chunk = handle.read(min(remaining, _CHUNK_BYTES))
            if not chunk:
                return False
            remaining -= len(chunk)
            inflater.decompress(chunk)  # small members (JSON, pages, index): WARCs are stored
    except zlib.error:
        return False
    return inflater.eof and not inflater.unused_data


def _index_check(package: zipfile.ZipFile, label: str, names: set[str]) -> Check:
    """Return the check that the index is one replay tools read and that it matches its files."""
    what = "CDXJ index that pywb and ReplayWeb.page read"
    subject = f"{label}/{INDEXES.rstrip('/')}"
    try:
        state = read_index(names, package.read)
    except _DAMAGE as exc:
        return Check(subject, what, False, f"unreadable ({exc})")
    if state.problems:
        return Check(subject, what, False, "; ".join(state.problems))
    detail = f"{state.form}, {state.lines} sorted lines pointing into archive/"
    if state.form.startswith("gzipped"):
        # Packages written before the index was fixed: intact, yet not read by ReplayWeb.page.
        detail += " (pywb reads it; ReplayWeb.page does not, it needs a plain index or an .idx)"
    return Check(subject, what, True, detail)


def _warc_checks(package: zipfile.ZipFile, label: str, names: set[str]) -> list[Check]:
    checks = []
    for name in sorted(n for n in names if n.startswith("archive/")):
        try:
            with package.open(name) as stream:
                fixity = check_warc(stream)
        except _DAMAGE as exc:
            damaged = Check(f"{label}/{name}", "WARC record digests", False, f"damaged ({exc})")
            checks.append(damaged)
            continue
        checks.append(Check(f"{label}/{name}", "WARC record digests", fixity.ok, fixity.summary()))
    return checks


def _seal_checks(
    package: zipfile.ZipFile, label: str, names: set[str], expect: Expectations
) -> list[Check]:
    subject = f"{label}/{DIGEST}"
    if DIGEST not in names:
        ok = expect.public_key is None and not expect.tsa_certs
        return [Check(subject, "seal", ok, f"missing: {DATAPACKAGE} is not sealed")]
    try:
        digest = json.loads(package.read(DIGEST))
        if not isinstance(digest, dict):
            raise ValueError("not a JSON object")
    except _DAMAGE as exc:
        return [Check(subject, "readable seal", False, f"unreadable ({exc})")]
    checks = signature_checks(digest, subject, DATAPACKAGE, expect)
    tokens, token_checks = _token_checks(digest, subject, expect)
    return checks + token_checks + timing_checks(digest, subject, tokens, expect)


def _token_checks(
    digest: dict[str, Any], subject: str, expect: Expectations
) -> tuple[list[TokenCheck], list[Check]]:
    entries = [entry for entry in digest.get("timestamps") or [] if isinstance(entry, dict)]
    if not entries:
        ok = not expect.tsa_certs
        return [], [Check(subject, "timestamps", ok, f"{DATAPACKAGE} is not timestamped")]
    hashed = bytes.fromhex(str(digest.get("hash", ""))[7:] or "00")
    results, checks = [], []
    for number, entry in enumerate(entries, 1):
        where = f"{subject}#timestamps/{number}"
        try:
            reply = base64.b64decode(str(entry.get("token")), validate=True)
        except (ValueError, binascii.Error) as exc:
            checks.append(Check(where, "timestamp token", False, f"unreadable ({exc})"))
            continue
        check, result = token_check(where, DATAPACKAGE, reply, hashed, expect)
        checks.append(check)
        results.append(result)
    return results, checks
