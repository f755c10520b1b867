"""Checking every WARC record's block and payload digests, streaming one record at a time."""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

_CHUNK_BYTES = 1 << 20
_MAX_HTTP_HEAD_BYTES = 1 << 20
_HEAD_END = b"\r\n\r\n"


@dataclass(slots=True)
class WarcFixity:
    """What checking one WARC found: records seen, digests checked, problems, resource hashes."""

    records: int = 0
    digests: int = 0
    problems: list[str] = field(default_factory=list)
    resources: dict[str, str] = field(default_factory=dict)
    """Target URI -> hex SHA-256 of the payload of each resource record."""

    @property
    def ok(self) -> bool:
        """Return whether every record was read and every digest matched."""
        return not self.problems

    def summary(self) -> str:
        """Return one sentence saying what was checked and found."""
        if self.ok:
            return f"{self.records} records, all {self.digests} block and payload digests match"
        return "; ".join(self.problems[:5]) + (
            f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        )


def check_warc(stream: IO[bytes]) -> WarcFixity:
    """Return the fixity of the WARC read from stream: every digest each record declares."""
    found = WarcFixity()
    try:
        for record in ArchiveIterator(stream, no_record_parse=True):
            found.records += 1
            _check_record(record, found)
    except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
        found.problems.append(f"unreadable after record {found.records} ({exc})")
    if found.records == 0 and found.ok:
        found.problems.append("no WARC records")
    return found


def _check_record(record: Any, found: WarcFixity) -> None:
    headers = record.rec_headers
    record_type = headers.get_header("WARC-Type") or ""
    is_http = (headers.get_header("Content-Type") or "").startswith("application/http")
    block = hashlib.sha256()
    payload = hashlib.sha256()
    head, in_payload = b"", not is_http
    for chunk in iter(lambda: record.raw_stream.read(_CHUNK_BYTES), b""):
        block.update(chunk)
        if in_payload:
            payload.update(chunk)
            continue
        head += chunk
        end = head.find(_HEAD_END)
        if end >= 0 or len(head) > _MAX_HTTP_HEAD_BYTES:
            payload.update(head[end + len(_HEAD_END) :] if end >= 0 else head)
            head, in_payload = b"", True
    name = f"record {found.records} ({record_type} {headers.get_header('WARC-Target-URI') or ''})"
    labels = [("block", headers.get_header("WARC-Block-Digest"), block)]
    if record_type != "revisit":  # a revisit's payload digest is the original's
        labels.append(("payload", headers.get_header("WARC-Payload-Digest"), payload))
    for kind, label, digest in labels:
        if not label:
            continue
        found.digests += 1
        problem = _mismatch(label, digest)
        if problem:
            found.problems.append(f"{name.strip()}: {kind} digest {problem}")
    if record_type == "resource":
        found.resources[headers.get_header("WARC-Target-URI") or ""] = payload.hexdigest()


def _mismatch(label: str, digest: Any) -> str | None:
    algorithm, _, value = label.partition(":")
    if algorithm.lower() != "sha256":
        return f"{label} uses {algorithm}, which is not checked"
    try:
        expected = (
            bytes.fromhex(value) if len(value) == 64 else base64.b32decode(value, casefold=True)
        )
    except (ValueError, binascii.Error):
        return f"{label} is not a readable sha256 digest"
    if expected != digest.digest():
        return f"{label} does not match the stored bytes (sha256:{digest.hexdigest()})"
    return None
