"""The WACZ `signedData` structure: an Ed25519 signature of a `sha256:<hex>` hash label.

Following WACZ Signing and Verification 0.1.0 (anonymous signature): the signed bytes are the
ASCII hash label itself (as authsign and ArchiveWeb.page sign it), `publicKey` is base64 DER
SubjectPublicKeyInfo, `created` an ISO 8601 UTC time. We sign with Ed25519, not ECDSA.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from capture._version import __version__
from capture.evidence.keys import (
    ALGORITHM,
    SigningKey,
    fingerprint,
    public_key_b64,
    public_key_from_b64,
)

SPEC_VERSION = "0.1.0"
"""The version of WACZ Signing and Verification whose fields we follow."""

SIGNED_FIELDS = ("hash", "created", "software", "version", "signature", "publicKey")


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What checking one `signedData` found: whether it holds, and the signer's fingerprint."""

    ok: bool
    detail: str
    fingerprint: str | None = None
    created: str | None = None


def iso_time(moment: datetime) -> str:
    """Return moment as `YYYY-MM-DDTHH:MM:SSZ` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_data(hash_label: str, key: SigningKey, created: datetime) -> dict[str, str]:
    """Return the `signedData` object signing hash_label (`sha256:<hex>`) with key."""
    return {
        "hash": hash_label,
        "created": iso_time(created),
        "software": f"capture/{__version__}",
        "version": SPEC_VERSION,
        "signature": base64.b64encode(key.sign(hash_label.encode("ascii"))).decode("ascii"),
        "publicKey": public_key_b64(key.public),
    }


def check_signed_data(
    data: Any, hash_label: str, *, expected: Ed25519PublicKey | None = None
) -> SignatureCheck:
    """Return whether data is a valid `signedData` of hash_label, by expected when given.

    Without `expected` the signature is checked with the key it carries: that proves the file
    was signed by whoever holds that key, whose fingerprint the result names.
    """
    if not isinstance(data, Mapping):
        return SignatureCheck(False, "signedData is not an object")
    missing = [name for name in SIGNED_FIELDS if not isinstance(data.get(name), str)]
    if missing:
        return SignatureCheck(False, f"signedData lacks {', '.join(missing)}")
    if data["hash"] != hash_label:
        return SignatureCheck(
            False, f"signedData signs {data['hash']}, but the file's hash is {hash_label}"
        )
    try:
        public = public_key_from_b64(data["publicKey"])
        signature = base64.b64decode(data["signature"], validate=True)
    except (ValueError, binascii.Error) as exc:
        return SignatureCheck(False, f"signedData is unreadable ({exc})")
    found = fingerprint(public)
    created = str(data["created"])
    if expected is not None and fingerprint(expected) != found:
        return SignatureCheck(
            False,
            f"signed by key {found}, not by the expected key {fingerprint(expected)}",
            found,
            created,
        )
    try:
        public.verify(signature, hash_label.encode("ascii"))
    except InvalidSignature:
        return SignatureCheck(False, f"the {ALGORITHM} signature does not match", found, created)
    who = "the expected key" if expected is not None else "the key stored beside it"
    return SignatureCheck(
        True, f"{ALGORITHM} signature by {who} {found}, made {created}", found, created
    )
