"""Checking a seal: the signature over a manifest's hash, and the RFC 3161 tokens stamping it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from capture.evidence.checks import Check
from capture.evidence.signature import check_signed_data
from capture.evidence.tokens import TokenCheck, verify_token

MAX_CLOCK_SKEW = timedelta(minutes=10)
"""How far a signature's claimed `created` may be from a TSA's time (WACZ Signing, step 7)."""


@dataclass(frozen=True, slots=True)
class Expectations:
    """What the person verifying trusts: a signer's public key, TSA certificates."""

    public_key: Ed25519PublicKey | None = None
    tsa_certs: tuple[x509.Certificate, ...] = ()
    run_seals: bool = False
    """The run folder's run.json says its captures are sealed: a capture without a seal fails."""
    run_signer: str | None = None
    """The fingerprint of the key run.json says signs its captures: a seal by another fails."""


def signature_checks(
    seal: Mapping[str, Any], subject: str, manifest: str, expect: Expectations
) -> list[Check]:
    """Return the checks of the `signedData` in seal (about subject, signing manifest's hash)."""
    what = f"Ed25519 signature of {manifest}'s hash"
    data = seal.get("signedData")
    if data is None:
        if expect.public_key is not None:
            return [Check(subject, what, False, f"{manifest} is not signed")]
        return [Check(subject, what, True, "not signed (no key was used): nothing to check")]
    result = check_signed_data(data, str(seal.get("hash")), expected=expect.public_key)
    checks = [Check(subject, what, result.ok, result.detail)]
    listed = seal.get("publicKeyFingerprint")
    if result.fingerprint and listed is not None and listed != result.fingerprint:
        checks.append(
            Check(
                subject,
                "public key fingerprint",
                False,
                f"lists {listed}, but the stored public key is {result.fingerprint}",
            )
        )
    return checks


def token_check(
    subject: str, manifest: str, reply: bytes, digest: bytes, expect: Expectations
) -> tuple[Check, TokenCheck]:
    """Return the check of one timestamp token over digest (the manifest's SHA-256)."""
    result = verify_token(reply, digest, expect.tsa_certs)
    return Check(subject, f"RFC 3161 timestamp of {manifest}", result.ok, result.detail), result


def timing_checks(
    seal: Mapping[str, Any], subject: str, tokens: Sequence[TokenCheck], expect: Expectations
) -> list[Check]:
    """Return the checks that tie timestamps to the seal: present when trusted, times agree."""
    checks = []
    if expect.tsa_certs and not any(result.trusted for result in tokens):
        checks.append(
            Check(subject, "trusted timestamp", False, "no token chains to the given --tsa-cert")
        )
    created = _created(seal)
    for result in tokens:
        if created is None or result.token is None:
            continue
        skew = abs(result.token.gen_time - created)
        if skew > MAX_CLOCK_SKEW:
            checks.append(
                Check(
                    subject,
                    "signature time agrees with the TSA",
                    False,
                    f"the signature claims {created.isoformat()}, the TSA stamped "
                    f"{result.token.gen_time.isoformat()} ({skew} apart)",
                )
            )
    return checks


def _created(seal: Mapping[str, Any]) -> datetime | None:
    data = seal.get("signedData")
    if not isinstance(data, Mapping) or not isinstance(data.get("created"), str):
        return None
    try:
        return datetime.fromisoformat(data["created"].replace("Z", "+00:00"))
    except ValueError:
        return None
