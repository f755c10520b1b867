"""RFC 3161 timestamp tokens, checked offline: imprint, CMS signature, TSA certificate, chain.

A token is kept as the TSA's whole DER `TimeStampResp` (a `.tsr` file, what `openssl ts -reply`
writes), so `openssl ts -verify -in X.tsr -data capture.json -CAfile TSA.pem` checks it too.
Everything here is pure: bytes and certificates in, a verdict out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from capture.evidence.chain import CHAINS, Broken, check_chain, path_problem

GRANTED = ("granted", "granted_with_mods")
NAMED_SIGNER = "the certificate that signed is the one the token names (ESS signing certificate)"
SIGNATURE = "the TSA's signature over the token holds with its certificate's key"


class _Refused(ValueError):
    """A token check that failed by a named rule."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Token:
    """What a timestamp token says: when, by whom, over which digest."""

    gen_time: datetime
    serial: int
    policy: str
    hash_algorithm: str
    digest: bytes
    nonce: int | None
    tsa: str | None
    """The TSA's name as the token gives it, when it does."""


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Whether a token holds for a digest, and why or why not."""

    ok: bool
    detail: str
    token: Token | None = None
    trusted: bool = False
    """Whether its signature was chained to a TSA certificate the verifier trusts."""
    rule: str | None = None
    """The rule of the signer's certificate path that failed (capture.evidence.chain), if any."""


def read_token(reply: bytes) -> Token:
    """Return what a DER TimeStampResp says; raise ValueError when it is not a granted token."""
    _, tst = _parse(reply)
    imprint = tst["message_imprint"]
    tsa = tst["tsa"]
    return Token(
        gen_time=tst["gen_time"].native,
        serial=int(tst["serial_number"].native),
        policy=str(tst["policy"].dotted),
        hash_algorithm=str(imprint["hash_algorithm"]["algorithm"].native),
        digest=bytes(imprint["hashed_message"].native),
        nonce=tst["nonce"].native,
        tsa=None if tsa.native is None else str(tsa.chosen.human_friendly),
    )


def _parse(reply: bytes) -> tuple[cms.SignedData, tsp.TSTInfo]:
    try:
        response = tsp.TimeStampResp.load(reply)
        status = response["status"]["status"].native
        if status not in GRANTED:
            text = response["status"]["status_string"].native
            raise ValueError(f"the TSA answered {status}{': ' + str(text) if text else ''}")
        token = response["time_stamp_token"]
        if token["content_type"].native != "signed_data":
            raise ValueError("the token is not CMS SignedData")
        signed = token["content"]
        content = signed["encap_content_info"]
        if content["content_type"].native != "tst_info":
            raise ValueError("the token does not hold a TSTInfo")
        tst = content["content"].parsed
        tst.native  # parse it all now, so damage shows here and not later  # noqa: B018
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not an RFC 3161 time stamp response ({exc})") from exc
    return signed, tst


def verify_token(reply: bytes, digest: bytes, trusted: Sequence[x509.Certificate]) -> TokenCheck:
    """Return whether reply is a valid token over the SHA-256 digest, chained to trusted.

    Checks the message imprint, the CMS signature over the signed attributes, the message digest
    of the TSTInfo, the ESS signing-certificate hash, then the signer's certificate path to one
    of the trusted certificates by every rule of capture.evidence.chain at the stamped time
    (the failed rule is named in `rule`). With no trusted certificates the signature is checked
    with the certificate in the token only, and that certificate by the rules it can keep alone.
    """
    try:
        signed, _ = _parse(reply)
        token = read_token(reply)
    except ValueError as exc:
        return TokenCheck(False, str(exc))
    if token.hash_algorithm != "sha256" or token.digest != digest:
        return TokenCheck(
            False,
            f"stamps {token.hash_algorithm}:{token.digest.hex()}, not sha256:{digest.hex()}",
            token,
        )
    try:
        signer = _check_signer(signed, trusted)
    except _Refused as exc:
        return TokenCheck(False, f'the rule "{exc.rule}" fails: {exc}', token, rule=exc.rule)
    except ValueError as exc:
        return TokenCheck(False, str(exc), token)
    when = token.gen_time.strftime("%Y-%m-%d %H:%M:%S UTC")
    who = signer.subject.rfc4514_string()
    if not trusted:
        broken = path_problem((signer,), token.gen_time)
        if broken:
            return _broken(token, when, who, broken)
        return TokenCheck(
            True,
            f"stamped {when} by {who}, serial {token.serial}; its signature holds with the "
            "certificate inside the token, which was not checked against a trusted TSA "
            "certificate (pass --tsa-cert)",
            token,
        )
    chain = check_chain(signer, _token_certificates(signed), trusted, token.gen_time)
    if chain.broken is not None or chain.anchor is None:
        return _broken(token, when, who, chain.broken or Broken(CHAINS, "no path"))
    return TokenCheck(
        True,
        f"stamped {when} by {who}, serial {token.serial}, "
        f"chained to trusted {chain.anchor.subject.rfc4514_string()}"
        f"{_through(chain.path)}",
        token,
        trusted=True,
    )


def _broken(token: Token, when: str, who: str, broken: Broken) -> TokenCheck:
    return TokenCheck(
        False,
        f'stamped {when} by {who}, but the rule "{broken.rule}" fails: {broken.detail}',
        token,
        rule=broken.rule,
    )


def _through(path: Sequence[x509.Certificate]) -> str:
    between = [cert.subject.rfc4514_string() for cert in path[1:-1]]
    return f" through {', '.join(between)}" if between else ""


def _token_certificates(signed: cms.SignedData) -> list[x509.Certificate]:
    found = []
    for choice in signed["certificates"] or []:
        if choice.name == "certificate":
            found.append(x509.load_der_x509_certificate(choice.chosen.dump()))
    return found


def _check_signer(signed: cms.SignedData, trusted: Sequence[x509.Certificate]) -> x509.Certificate:
    infos = signed["signer_infos"]
    if len(infos) != 1:
        raise ValueError(f"the token has {len(infos)} signers, not one")
    info: cms.SignerInfo = infos[0]
    signer = _find_signer(info["sid"], [*_token_certificates(signed), *trusted])
    if signer is None:
        raise ValueError("the TSA's certificate is neither in the token nor given (--tsa-cert)")
    attributes = {attr["type"].native: attr["values"][0] for attr in info["signed_attrs"]}
    if attributes.get("content_type") is None or attributes["content_type"].native != "tst_info":
        raise ValueError("the token's signed attributes do not name a TSTInfo")
    algorithm = info["digest_algorithm"]["algorithm"].native
    content = signed["encap_content_info"]["content"].contents
    expected = attributes.get("message_digest")
    if expected is None or hashlib.new(algorithm, content).digest() != expected.native:
        raise ValueError("the token's TSTInfo does not match its signed message digest")
    _check_ess(attributes, signer)
    signed_bytes = b"\x31" + info["signed_attrs"].dump()[1:]  # signed as a SET, not [0]
    if not signature_holds(signer, info, signed_bytes):
        raise _Refused(
            SIGNATURE, f"the token's signature does not hold ({signer.subject.rfc4514_string()})"
        )
    return signer


def _find_signer(
    sid: cms.SignerIdentifier, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for cert in candidates:
        parsed = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
        if sid.name == "issuer_and_serial_number":
            chosen = sid.chosen
            if parsed.issuer == chosen["issuer"] and parsed.serial_number == (
                chosen["serial_number"].native
            ):
                return cert
        elif parsed.key_identifier == sid.chosen.native:
            return cert
    return None


def _check_ess(attributes: dict[str, object], signer: x509.Certificate) -> None:
    der = signer.public_bytes(Encoding.DER)
    v2 = attributes.get("signing_certificate_v2")
    v1 = attributes.get("signing_certificate")
    if isinstance(v2, tsp.SigningCertificateV2):
        first = v2["certs"][0]
        algorithm = first["hash_algorithm"]["algorithm"].native
        if hashlib.new(algorithm, der).digest() != first["cert_hash"].native:
            raise _Refused(NAMED_SIGNER, "the token names another signing certificate (ESS v2)")
    elif isinstance(v1, tsp.SigningCertificate):
        if hashlib.sha1(der).digest() != v1["certs"][0]["cert_hash"].native:
            raise _Refused(NAMED_SIGNER, "the token names another signing certificate (ESS)")
    else:
        raise ValueError("the token has no ESS signing-certificate attribute")


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Return the certificates in PEM (one or more) or DER data; raise ValueError if none."""
    if b"-----BEGIN" in data:
        return list(x509.load_pem_x509_certificates(data))
    return [x509.load_der_x509_certificate(data)]


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def signature_holds(signer: x509.Certificate, info: cms.SignerInfo, signed: bytes) -> bool:
    """Return whether a CMS SignerInfo's signature over signed holds with signer's key."""
    public = signer.public_key()
    signature = info["signature"].native
    algorithm = info["signature_algorithm"]
    digest_name = info["digest_algorithm"]["algorithm"].native
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, signed)
            return True
        chosen = _HASHES[digest_name]()
        if isinstance(public, rsa.RSAPublicKey):
            scheme: padding.AsymmetricPadding = padding.PKCS1v15()
            if algorithm.signature_algo == "rsassa_pss":
                params = algorithm["parameters"]
                chosen = _HASHES[params["hash_algorithm"]["algorithm"].native]()
                scheme = padding.PSS(padding.MGF1(chosen), params["salt_length"].native)
            public.verify(signature, signed, scheme, chosen)
            return True
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, signed, ec.ECDSA(chosen))
            return True
    except (InvalidSignature, KeyError, ValueError):
        return False
    return False
