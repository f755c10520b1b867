"""The certificate chain as a PEM file and as capture.json facts (pure, no browser)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from capture.output.certificates import CERTIFICATE_CHAIN, chain_pem, chain_summary

NOT_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def certificate(subject: str, issuer: str, names: tuple[str, ...] = ()) -> x509.Certificate:
    """Return a certificate for subject signed (by a throwaway key) in issuer's name."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(0xC0FFEE)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    return builder.sign(key, hashes.SHA256())


LEAF = certificate("news.example.org", "Example CA", ("news.example.org", "example.org"))
ROOT = certificate("Example CA", "Example CA")
CHAIN = (
    LEAF.public_bytes(serialization.Encoding.DER),
    ROOT.public_bytes(serialization.Encoding.DER),
)


def test_pem_holds_the_chain_leaf_first_as_openssl_writes_it() -> None:
    expected = LEAF.public_bytes(serialization.Encoding.PEM) + ROOT.public_bytes(
        serialization.Encoding.PEM
    )
    assert chain_pem(CHAIN) == expected
    loaded = x509.load_pem_x509_certificates(chain_pem(CHAIN))
    assert [c.subject for c in loaded] == [LEAF.subject, ROOT.subject]


def test_summary_names_each_certificate_with_its_fingerprint() -> None:
    summary = chain_summary(CHAIN)

    assert summary["file"] == CERTIFICATE_CHAIN
    leaf, root = summary["certificates"]
    assert leaf == {
        "subject": "CN=news.example.org",
        "issuer": "CN=Example CA",
        "serial": "c0ffee",
        "not_before": "2026-01-01T00:00:00+00:00",
        "not_after": "2026-04-01T00:00:00+00:00",
        "dns_names": ["news.example.org", "example.org"],
        "self_signed": False,
        "sha256": "sha256:" + LEAF.fingerprint(hashes.SHA256()).hex(),
    }
    assert root["self_signed"] is True
    assert root["dns_names"] == []


def test_no_chain_gives_no_file_and_no_certificates() -> None:
    assert chain_pem(()) == b""
    assert chain_summary(())["file"] is None
    assert chain_summary(())["certificates"] == []


def test_an_unparsable_certificate_is_kept_by_fingerprint() -> None:
    (facts,) = chain_summary((b"not DER",))["certificates"]

    assert facts["sha256"].startswith("sha256:")
    assert facts["error"].startswith("unparsable certificate")
