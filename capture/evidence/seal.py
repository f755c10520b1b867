"""Sealing a capture's capture.json and a run WACZ's datapackage.json: signature and timestamps.

capture.json is written last and lists the SHA-256 of every other file, so sealing it seals the
folder. The seal cannot live inside capture.json; it is `seal.json` beside it (the same shape as
a signed WACZ's `datapackage-digest.json`) plus the TSA tokens in `timestamps/*.tsr`. A WACZ's
seal is written into its `datapackage-digest.json`, as WACZ Signing and Verification says.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from capture.errors import OutputError, TimestampError, UsageError
from capture.evidence.keys import ALGORITHM, SigningKey
from capture.evidence.signature import iso_time, signed_data
from capture.evidence.tsa import Transport, post_query, request_token
from capture.output.files import atomic_file, sha256_label, write_bytes, write_json

CAPTURE_JSON = "capture.json"
SEAL = "seal.json"
TIMESTAMPS = "timestamps"
SEAL_FORMAT = "capture-seal/1"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Stamp:
    """One RFC 3161 token obtained for a seal."""

    tsa: str
    gen_time: datetime
    serial: int
    path: str | None = None
    """Where the token was stored, relative to the capture folder (None inside a WACZ)."""


@dataclass(frozen=True, slots=True)
class Seal:
    """What was sealed, by which key, with which timestamps, and which TSAs failed."""

    subject: Path
    hash: str
    """`sha256:<hex>` of the sealed manifest (capture.json or datapackage.json)."""
    fingerprint: str | None
    stamps: tuple[Stamp, ...] = ()
    failures: tuple[str, ...] = ()
    """One message per TSA that gave no valid token; the seal holds without them."""

    @property
    def complete(self) -> bool:
        """Return whether every TSA asked gave a token."""
        return not self.failures


def seal_capture(
    folder: Path,
    *,
    key: SigningKey | None,
    tsa_urls: Sequence[str],
    clock: Callable[[], datetime],
    transport: Transport = post_query,
    timeout_s: float = 20.0,
    document_bytes: bytes | None = None,
) -> Seal:
    """Sign and timestamp folder/capture.json, write `seal.json` and `timestamps/`; return the seal.

    `document_bytes` are capture.json's bytes when the pipeline seals them before writing the
    file (capture.json marks a finished capture, so it is written last, after its seal).
    Nothing is written when there is neither a key nor a TSA. A TSA that fails is recorded in
    the seal's `failures` (and seal.json), never raised: the capture stays valid without it.
    Raises UsageError when capture.json is missing, OutputError when the folder is not writable.
    """
    document = folder / CAPTURE_JSON
    try:
        data = document.read_bytes() if document_bytes is None else document_bytes
    except OSError as exc:
        raise UsageError(
            f"Could not seal {document} ({exc.strerror}). Seal a finished capture folder."
        ) from exc
    label = sha256_label(data)
    if key is None and not tsa_urls:
        return Seal(folder / CAPTURE_JSON, label, None)
    seal = _signature_fields(label, key, clock)
    stamps, entries = [], []
    tokens, failures = _request_all(label, tsa_urls, transport, timeout_s)
    for url, reply, token in tokens:
        name = _token_name(folder, url)
        write_bytes(_make_dir(folder / TIMESTAMPS) / name, reply)
        path = f"{TIMESTAMPS}/{name}"
        stamps.append(Stamp(url, token.gen_time, token.serial, path))
        entries.append(
            {
                "path": path,
                "tsa": url,
                "genTime": iso_time(token.gen_time),
                "serial": token.serial,
                "sha256": hashlib.sha256(reply).hexdigest(),
            }
        )
    seal["timestamps"] = entries
    if failures:
        seal["failedTimestamps"] = failures
    write_json(folder / SEAL, {"format": SEAL_FORMAT, "path": CAPTURE_JSON, **seal})
    return Seal(document, label, key.fingerprint if key else None, tuple(stamps), tuple(failures))


def seal_wacz(
    path: Path,
    *,
    key: SigningKey | None,
    tsa_urls: Sequence[str],
    clock: Callable[[], datetime],
    transport: Transport = post_query,
    timeout_s: float = 20.0,
) -> Seal:
    """Sign and timestamp the WACZ at path in its datapackage-digest.json; return the seal.

    The package is rewritten as `<path>.open` and renamed over path, so a reader never sees half
    a package. Raises UsageError when the WACZ's datapackage.json does not match its digest.
    """
    with zipfile.ZipFile(path) as package:
        label = sha256_label(package.read(DATAPACKAGE))
        names = set(package.namelist())
        listed = json.loads(package.read(DIGEST)).get("hash") if DIGEST in names else label
    if listed != label:
        raise UsageError(
            f"Could not seal {path} ({DATAPACKAGE} does not match {DIGEST}). "
            "Check it with `capture verify`, then package the run again."
        )
    if key is None and not tsa_urls:
        return Seal(path, label, None)
    digest: dict[str, Any] = {"path": DATAPACKAGE, "hash": label}
    digest.update(_signature_fields(label, key, clock))
    stamps, entries = [], []
    tokens, failures = _request_all(label, tsa_urls, transport, timeout_s)
    for url, reply, token in tokens:
        stamps.append(Stamp(url, token.gen_time, token.serial))
        entries.append(
            {
                "tsa": url,
                "genTime": iso_time(token.gen_time),
                "serial": token.serial,
                "token": base64.b64encode(reply).decode("ascii"),
            }
        )
    if tsa_urls:
        digest["timestamps"] = entries
    if failures:
        digest["failedTimestamps"] = failures
    _replace_member(path, DIGEST, (json.dumps(digest, indent=2) + "\n").encode())
    return Seal(path, label, key.fingerprint if key else None, tuple(stamps), tuple(failures))


def _request_all(
    label: str, tsa_urls: Sequence[str], transport: Transport, timeout_s: float
) -> tuple[list[tuple[str, bytes, Any]], list[str]]:
    """Return (url, reply, token) per TSA that stamped the hash, and a message per failure."""
    tokens, failures = [], []
    for url in tsa_urls:
        try:
            reply, token = request_token(
                url, bytes.fromhex(label[7:]), transport=transport, timeout_s=timeout_s
            )
        except TimestampError as exc:
            failures.append(str(exc))
            continue
        tokens.append((url, reply, token))
    return tokens, failures


def _signature_fields(
    label: str, key: SigningKey | None, clock: Callable[[], datetime]
) -> dict[str, Any]:
    if key is None:
        return {"hash": label}
    return {
        "hash": label,
        "signedData": signed_data(label, key, clock()),
        "signatureAlgorithm": ALGORITHM,
        "publicKeyFingerprint": key.fingerprint,
    }


def _token_name(folder: Path, url: str) -> str:
    host = "".join(c if c.isalnum() or c in "-." else "-" for c in urlsplit(url).netloc or "tsa")
    number = 1
    while (folder / TIMESTAMPS / f"{CAPTURE_JSON}.{number:02d}.{host}.tsr").exists():
        number += 1
    return f"{CAPTURE_JSON}.{number:02d}.{host}.tsr"


def _make_dir(path: Path) -> Path:
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"Could not create {path} ({exc.strerror}). Check the folder's permissions."
        ) from exc
    return path


def _replace_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as source, atomic_file(path, visible=True) as handle:
        moment = (2026, 1, 1, 0, 0, 0)
        with zipfile.ZipFile(handle, "w", allowZip64=True) as target:
            for info in source.infolist():
                if info.filename == name:
                    moment = info.date_time
                    continue
                _copy_member(source, target, info)
            fresh = zipfile.ZipInfo(name, date_time=moment)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            fresh.external_attr = 0o644 << 16
            target.writestr(fresh, data)


def _copy_member(source: zipfile.ZipFile, target: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.file_size = info.file_size  # lets zipfile choose ZIP64 up front for big WARCs
    with source.open(info) as reader, target.open(copy, "w") as writer:
        shutil.copyfileobj(reader, writer, _CHUNK_BYTES)


@dataclass(frozen=True, slots=True)
class Sealing:
    """How captures are sealed: an Ed25519 key and RFC 3161 time stamp authorities."""

    key: SigningKey | None = None
    tsa_urls: tuple[str, ...] = ()
    sealed_elsewhere: bool = False
    """Set on a worker of a run through a broker: the submitting machine, which alone holds the
    key, seals each capture once its task ends. The capture names the signer and the TSAs, and
    seals nothing itself."""
    signer_fingerprint: str | None = None
    """The fingerprint of the key that seals elsewhere (None: the captures are not signed)."""

    @property
    def active(self) -> bool:
        """Return True when captures are sealed here, with anything to seal with."""
        return not self.sealed_elsewhere and (self.key is not None or bool(self.tsa_urls))

    @property
    def signer(self) -> str | None:
        """Return the fingerprint of the key that signs the captures (None: they are unsigned)."""
        return self.key.fingerprint if self.key is not None else self.signer_fingerprint

    def to_json(self) -> dict[str, object]:
        """Return what a worker needs to know of this sealing: the signer's fingerprint and the
        TSAs, never the key."""
        return {"signer": self.signer, "tsa": list(self.tsa_urls)}

    @classmethod
    def from_json(cls, data: object) -> Sealing:
        """Return, for a worker, the sealing that `to_json` described: done elsewhere.

        Raises ValueError when data is not what `to_json` writes."""
        if data is None:
            return cls()
        if not isinstance(data, dict) or not isinstance(data.get("tsa", []), list):
            raise ValueError(f"sealing {data!r} is not {{'signer': ..., 'tsa': [...]}}")
        signer, tsa = data.get("signer"), tuple(map(str, data.get("tsa") or []))
        if not signer and not tsa:
            return cls()
        return cls(
            tsa_urls=tsa,
            sealed_elsewhere=True,
            signer_fingerprint=str(signer) if signer else None,
        )
