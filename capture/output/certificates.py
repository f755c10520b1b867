"""Pure: the TLS certificate chain the browser saw, as a PEM file and as capture.json facts.

The chain comes from Chromium (`Network.getCertificate`) for the main document's origin, on the
capture's own connection: it is never fetched again over a second connection, which could
reach another server (a load balancer, a changed certificate) than the one that served the page.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

CERTIFICATE_CHAIN = "certificate-chain.pem"
"""The capture folder's file of the main document's chain, leaf first (listed in the manifest)."""

_LINE_CHARS = 64


def chain_pem(chain: Sequence[bytes]) -> bytes:
    """Return the DER certificates as one PEM file, in order (leaf first); b"" for none."""
    blocks = []
    for der in chain:
        text = base64.b64encode(der).decode("ascii")
        lines = [text[i : i + _LINE_CHARS] for i in range(0, len(text), _LINE_CHARS)]
        blocks.append(
            "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
        )
    return "".join(blocks).encode("ascii")


def chain_summary(
    chain: Sequence[bytes], *, file: str | None = CERTIFICATE_CHAIN
) -> dict[str, Any]:
    """Return capture.json's `certificate_chain`: the file and, per certificate, its facts."""
    return {
        "file": file if chain else None,
        "source": "the browser's own connection (Chromium DevTools Network.getCertificate)",
        "certificates": [certificate_facts(der) for der in chain],
    }


def certificate_facts(der: bytes) -> dict[str, Any]:
    """Return subject, issuer, serial, validity, names and SHA-256 fingerprint of one DER cert.

    A certificate that cannot be parsed is kept by fingerprint with the parse error.
    """
    fingerprint = "sha256:" + _sha256_hex(der)
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        return {"sha256": fingerprint, "error": f"unparsable certificate ({exc})"}
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": _utc(cert.not_valid_before_utc),
        "not_after": _utc(cert.not_valid_after_utc),
        "dns_names": _dns_names(cert),
        "self_signed": cert.subject == cert.issuer,
        "sha256": fingerprint,
    }


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(name) for name in names.get_values_for_type(x509.DNSName)]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _sha256_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize().hex()
