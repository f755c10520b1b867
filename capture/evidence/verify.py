"""Verifying a capture folder, a run folder or a WACZ: every hash, digest, signature and token.

`verify_path` returns a `VerifyReport`: one `Check` per thing checked, each naming its file.
It reads and never writes; it needs no network: everything is checked against what is stored
and what the person verifying trusts (a signer's public key, TSA certificates).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from capture import paths
from capture.errors import UsageError
from capture.evidence.checks import Check, VerifyReport
from capture.evidence.keys import load_public_key
from capture.evidence.mediacheck import media_checks
from capture.evidence.seal import CAPTURE_JSON, SEAL, TIMESTAMPS
from capture.evidence.sealcheck import Expectations, signature_checks, timing_checks, token_check
from capture.evidence.tokens import TokenCheck, load_certificates
from capture.evidence.wacz_checks import wacz_checks
from capture.evidence.warcfixity import check_warc
from capture.output.certificates import CERTIFICATE_CHAIN
from capture.output.files import sha256_file, sha256_label
from capture.output.provenance_html import PROVENANCE_HTML, PROVENANCE_URN
from capture.output.runfolder import RunFolder

__all__ = ["Check", "VerifyReport", "verify_path"]

RESOURCE_COPIES = {
    paths.SCREENSHOT: "urn:screenshot:",
    paths.SERVED_SCREENSHOT: "urn:screenshot-as-served:",
    paths.VIEWPORT: "urn:view:",
    paths.THUMBNAIL: "urn:thumbnail:",
    paths.DOM: "urn:dom:",
    paths.ARTICLE_TXT: "urn:text:",
    paths.ARTICLE_MD: "urn:markdown:",
    PROVENANCE_HTML: PROVENANCE_URN,
    CERTIFICATE_CHAIN: "urn:certificates:",
    paths.PAGE_PDF: "urn:print:",
}
"""Files of a capture folder that the WARC also holds, by the prefix of their record's URI."""

_SEALS = frozenset({CAPTURE_JSON, SEAL})


def verify_path(
    path: Path, *, tsa_certs: Sequence[Path] = (), public_key: Path | None = None
) -> VerifyReport:
    """Return the report of verifying a capture folder, a run folder or a `.wacz` at path.

    tsa_certs are PEM files of TSA (or TSA root) certificates to trust; public_key the PEM of
    the signer's expected Ed25519 key. Raises UsageError when path is none of the three or a
    certificate or key file cannot be read.
    """
    expect = Expectations(
        public_key=load_public_key(public_key) if public_key else None,
        tsa_certs=tuple(cert for file in tsa_certs for cert in _certificates(file)),
    )
    if path.is_file() and path.suffix == ".wacz":
        return VerifyReport(path, "WACZ", tuple(wacz_checks(path, path.name, expect)))
    if path.is_dir() and (path / "captures").is_dir():
        return VerifyReport(path, "run folder", tuple(_run_checks(path, expect)))
    if path.is_dir() and _looks_like_capture(path):
        return VerifyReport(path, "capture folder", tuple(capture_checks(path, "", expect)))
    raise UsageError(
        f"Could not verify {path} (it is not a capture folder, a run folder or a .wacz file). "
        "Pass a folder holding capture.json, a folder holding captures/, or a WACZ."
    )


def _certificates(file: Path) -> list[Any]:
    try:
        return load_certificates(file.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"Could not read the TSA certificate {file} ({exc}). Pass a PEM certificate file."
        ) from exc


def _looks_like_capture(folder: Path) -> bool:
    names = {child.name for child in folder.iterdir()}
    return bool(names & {CAPTURE_JSON, paths.WARC, paths.WARC + ".open"})


def _run_checks(run: Path, expect: Expectations) -> list[Check]:
    sealing = RunFolder(run).read_run().get("sealing")
    if isinstance(sealing, dict) and (sealing.get("signer") or sealing.get("tsa")):
        signer = sealing.get("signer")
        expect = replace(expect, run_seals=True, run_signer=str(signer) if signer else None)
    checks: list[Check] = []
    for folder in sorted(p for p in (run / "captures").iterdir() if p.is_dir()):
        checks += capture_checks(folder, f"captures/{folder.name}/", expect)
    for package in sorted(run.glob("*.wacz")):
        checks += wacz_checks(package, package.name, expect)
    return checks


def capture_checks(folder: Path, prefix: str, expect: Expectations) -> list[Check]:
    """Return the checks of one capture folder, each subject prefixed with prefix."""
    data, files, checks = _manifest(folder, prefix)
    if data is None:
        return checks
    checks += _warc_checks(folder, prefix, files)
    checks += media_checks(folder, prefix, files, json.loads(data))
    checks += _seal_checks(folder, prefix, data, expect)
    return checks


def manifest_checks(folder: Path) -> list[Check]:
    """Return the checks that capture.json lists every file of folder with its size and SHA-256
    (what a seal over capture.json vouches for); no WARC or seal checks."""
    return _manifest(folder, "")[2]


def _manifest(folder: Path, prefix: str) -> tuple[bytes | None, list[dict[str, Any]], list[Check]]:
    """Return capture.json's bytes (None: unreadable), its file entries, and their checks."""
    document = folder / CAPTURE_JSON
    try:
        data = document.read_bytes()
        record = json.loads(data)
        files = [entry for entry in record["files"] if isinstance(entry, dict)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        failed = Check(prefix + CAPTURE_JSON, "readable manifest", False, f"unreadable ({exc})")
        return None, [], [failed, *_unlisted(folder, prefix, set())]
    checks = [_file_check(folder, prefix, entry) for entry in files]
    checks += _unlisted(folder, prefix, {str(entry.get("name")) for entry in files})
    return data, files, checks


def _file_check(folder: Path, prefix: str, entry: dict[str, Any]) -> Check:
    name = str(entry.get("name"))
    what = "size and SHA-256 as listed in capture.json"
    path = folder / name
    if not path.is_file():
        return Check(prefix + name, what, False, "listed in capture.json but missing")
    actual, size = sha256_file(path), path.stat().st_size
    if actual != entry.get("sha256") or size != entry.get("bytes"):
        return Check(
            prefix + name,
            what,
            False,
            f"is sha256:{actual} ({size} bytes); capture.json lists "
            f"sha256:{entry.get('sha256')} ({entry.get('bytes')} bytes)",
        )
    return Check(prefix + name, what, True, f"sha256:{actual}, {size} bytes")


def _unlisted(folder: Path, prefix: str, listed: set[str]) -> list[Check]:
    checks = []
    for child in sorted(folder.iterdir()):
        name = child.name
        if name.startswith(".") or name in _SEALS or name in listed or name == TIMESTAMPS:
            continue
        if name in paths.QA_FILES:
            if name == paths.QA_JSON:
                checks.append(_qa_check(folder, prefix))
            continue
        if name.endswith(".open"):
            checks.append(
                Check(prefix + name, "capture finished", False, "the capture never finished")
            )
        else:
            checks.append(
                Check(prefix + name, "listed in capture.json", False, "not in the manifest")
            )
    return checks


def _qa_check(folder: Path, prefix: str) -> Check:
    """Return whether qa.json (made after the capture by `capture qa`) is about this capture."""
    what = "made after the capture by `capture qa`, for this capture.json"
    try:
        bound = json.loads((folder / paths.QA_JSON).read_text(encoding="utf-8")).get(
            "capture_json_sha256"
        )
    except (OSError, ValueError):
        return Check(prefix + paths.QA_JSON, what, False, "unreadable")
    actual = sha256_file(folder / CAPTURE_JSON) if (folder / CAPTURE_JSON).is_file() else None
    ok = bool(actual) and str(bound).removeprefix("sha256:") == actual
    detail = "names this capture.json" if ok else "names another capture.json (stale or altered)"
    return Check(prefix + paths.QA_JSON, what, ok, detail)


def _warc_checks(folder: Path, prefix: str, files: list[dict[str, Any]]) -> list[Check]:
    checks = []
    names = {str(entry.get("name")) for entry in files}
    for name in sorted(n for n in names if n.endswith((".warc", ".warc.gz"))):
        if not (folder / name).is_file():
            continue
        with (folder / name).open("rb") as stream:
            fixity = check_warc(stream)
        checks.append(Check(prefix + name, "WARC record digests", fixity.ok, fixity.summary()))
        for copy, urn in RESOURCE_COPIES.items():
            if copy not in names or not (folder / copy).is_file():
                continue
            stored = [digest for uri, digest in fixity.resources.items() if uri.startswith(urn)]
            if stored:
                same = sha256_file(folder / copy) in stored
                detail = (
                    f"same bytes as the {urn}… record"
                    if same
                    else (f"differs from the {urn}… record in {name}")
                )
                checks.append(Check(prefix + copy, f"same as its copy in {name}", same, detail))
    return checks


def _seal_checks(folder: Path, prefix: str, data: bytes, expect: Expectations) -> list[Check]:
    subject = prefix + SEAL
    try:
        seal = json.loads((folder / SEAL).read_bytes())
        if not isinstance(seal, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        if expect.run_seals:
            detail = "missing: the run seals its captures (run.json says so), this one is not"
            return [Check(subject, "seal", False, detail)]
        if expect.public_key is not None or expect.tsa_certs:
            return [Check(subject, "seal", False, "missing: capture.json is not sealed")]
        return [
            Check(
                subject,
                "seal",
                True,
                "none: capture.json is neither signed nor timestamped, so a change to it "
                "could not be detected",
            )
        ]
    except (OSError, ValueError) as exc:
        return [Check(subject, "readable seal", False, f"unreadable ({exc})")]
    label = sha256_label(data)
    same = seal.get("hash") == label
    checks = [
        Check(
            prefix + CAPTURE_JSON,
            "hash sealed in seal.json",
            same,
            label if same else f"is {label}; seal.json sealed {seal.get('hash')}",
        )
    ]
    checks += signature_checks(seal, subject, CAPTURE_JSON, expect)
    if expect.run_signer and seal.get("publicKeyFingerprint") != expect.run_signer:
        checks.append(
            Check(
                subject,
                "signed by the run's key",
                False,
                f"signed by {seal.get('publicKeyFingerprint') or 'no key'}; run.json names "
                f"{expect.run_signer}",
            )
        )
    tokens, token_checks = _token_checks(folder, prefix, seal, expect)
    checks += token_checks
    checks += timing_checks(seal, subject, tokens, expect)
    return checks


def _hex_digest(label: Any) -> bytes:
    """Return the bytes of a `sha256:<hex>` label; a damaged label gives b"" (no token matches)."""
    try:
        return bytes.fromhex(str(label or "").removeprefix("sha256:"))
    except ValueError:
        return b""


def _token_checks(
    folder: Path, prefix: str, seal: dict[str, Any], expect: Expectations
) -> tuple[list[TokenCheck], list[Check]]:
    entries = [e for e in seal.get("timestamps") or [] if isinstance(e, dict)]
    listed = {str(entry.get("path")): entry for entry in entries}
    stored = {f"{TIMESTAMPS}/{p.name}" for p in (folder / TIMESTAMPS).glob("*.tsr")}
    digest = _hex_digest(seal.get("hash"))
    results, checks = [], []
    for name in sorted(listed.keys() | stored):
        subject = prefix + name
        if name not in stored:
            checks.append(Check(subject, "timestamp token", False, "listed in seal.json, missing"))
            continue
        reply = (folder / name).read_bytes()
        entry = listed.get(name)
        if entry is None:
            checks.append(Check(subject, "listed in seal.json", False, "not in seal.json"))
        elif entry.get("sha256") != hashlib.sha256(reply).hexdigest():
            checks.append(
                Check(subject, "SHA-256 as listed in seal.json", False, "the token file changed")
            )
        check, result = token_check(subject, CAPTURE_JSON, reply, digest, expect)
        checks.append(check)
        results.append(result)
    if not listed and not stored:
        ok = not expect.tsa_certs
        checks.append(Check(prefix + SEAL, "timestamps", ok, "capture.json is not timestamped"))
    return results, checks
