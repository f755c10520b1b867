"""Certificates and RFC 3161 tokens made in Python, to forge what OpenSSL's own TSA will not sign.

`issue(...)` makes a certificate with exactly the extensions a test asks for (a CA, a web server's
leaf, an expired intermediate, one with an unknown critical extension); `stamp(...)` makes a
granted TimeStampResp over a digest, signed with any key and carrying any certificates, the way
`openssl ts -reply` lays one out (signed attributes with an ESS signing-certificate-v2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import algos, cms, core, tsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.now(UTC).replace(microsecond=0)
UNKNOWN_EXTENSION = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1")


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def ca_extensions(path_length: int | None = None) -> list[tuple[x509.ExtensionType, bool]]:
    """Return a CA's extensions: basicConstraints CA:true, keyUsage keyCertSign."""
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_usage(key_cert_sign=True, crl_sign=True), True),
    ]


def tsa_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    """Return a TSA certificate's extensions: not a CA, critical timeStamping usage."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_usage(digital_signature=True, content_commitment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
    ]


def server_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    """Return a web server leaf's extensions: not a CA, serverAuth usage."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_usage(digital_signature=True, key_encipherment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]


def unknown_critical() -> tuple[x509.ExtensionType, bool]:
    """Return a critical extension no verifier knows."""
    return x509.UnrecognizedExtension(UNKNOWN_EXTENSION, b"\x05\x00"), True


def _usage(**allowed: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment",
             "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
             "encipher_only", "decipher_only")  # fmt: skip
    return x509.KeyUsage(**{name: allowed.get(name, False) for name in names})


def _sorted_set(attributes: list[dict[str, object]]) -> cms.CMSAttributes:
    """Return the attributes as a DER SET OF, sorted by encoding as DER asks (openssl re-sorts)."""
    encoded = sorted(cms.CMSAttribute(attribute).dump() for attribute in attributes)
    return cms.CMSAttributes([cms.CMSAttribute.load(item) for item in encoded])


def issue(
    name: str,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
    issuer: Issued | None = None,
    *,
    valid: tuple[datetime, datetime] = (NOW - timedelta(days=1), NOW + timedelta(days=365)),
    key: ec.EllipticCurvePrivateKey | None = None,
    serial: int | None = None,
) -> Issued:
    """Return a certificate for CN=name with just these extensions (self-signed without issuer)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def stamp(
    digest: bytes,
    signer: Issued,
    certificates: Sequence[x509.Certificate],
    *,
    when: datetime = NOW,
    named: x509.Certificate | None = None,
    nonce: int = 7,
) -> bytes:
    """Return a granted DER TimeStampResp over the SHA-256 digest, signed by signer's key.

    The token carries certificates (the signer's first, as a TSA would) and its ESS
    signing-certificate names `named` (the signer's own certificate unless given).
    """
    tst = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "1.2.3.4.1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "serial_number": x509.random_serial_number(),
            "gen_time": when,
            "nonce": nonce,
        }
    )
    content = tst.dump()
    named_der = (named or signer.cert).public_bytes(Encoding.DER)
    attributes = _sorted_set(
        [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
            {
                "type": "signing_certificate_v2",
                "values": [
                    {
                        "certs": [
                            {
                                "hash_algorithm": {"algorithm": "sha256"},
                                "cert_hash": hashlib.sha256(named_der).digest(),
                            }
                        ]
                    }
                ],
            },
        ]
    )
    signature = signer.key.sign(attributes.dump(force=True), ec.ECDSA(hashes.SHA256()))
    first = asn1_x509.Certificate.load(signer.cert.public_bytes(Encoding.DER))
    info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": first.issuer,
                        "serial_number": first.serial_number,
                    }
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": core.ParsableOctetString(content),
            },
            "certificates": [
                asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in certificates
            ],
            "signer_infos": [info],
        }
    )
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return bytes(
        tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()
    )
