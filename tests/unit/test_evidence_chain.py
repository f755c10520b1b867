"""Forged timestamp tokens: each is refused by the rule of the TSA's certificate path it breaks.

The tokens are made in Python (tests/evidence_forge.py) because OpenSSL's own TSA refuses to sign
with most of these certificates; `openssl ts -verify` is asked about each as a cross-check.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import tsp  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from capture.evidence import chain
from capture.evidence.keys import generate_key_pair
from capture.evidence.seal import seal_capture
from capture.evidence.tokens import NAMED_SIGNER, SIGNATURE, TokenCheck, verify_token
from capture.evidence.verify import verify_path
from tests.evidence_folder import make_capture
from tests.evidence_forge import (
    NOW,
    Issued,
    ca_extensions,
    issue,
    server_extensions,
    stamp,
    tsa_extensions,
    unknown_critical,
)
from tests.evidence_tsa import OPENSSL

DIGEST = hashlib.sha256(b"capture.json").digest()


@pytest.fixture(scope="module")
def root() -> Issued:
    """Return the root CA the verifier trusts."""
    return issue("Trusted Root", ca_extensions())


def _verify(reply: bytes, root: Issued) -> TokenCheck:
    return verify_token(reply, DIGEST, [root.cert])


def _openssl_accepts(reply: bytes, root: Issued, folder: Path, *, at: int | None = None) -> bool:
    (folder / "token.tsr").write_bytes(reply)
    (folder / "root.pem").write_bytes(root.cert.public_bytes(Encoding.PEM))
    when = ["-attime", str(at)] if at is not None else []
    result = subprocess.run(
        [str(OPENSSL), "ts", "-verify", "-in", str(folder / "token.tsr"), "-digest",
         DIGEST.hex(), "-CAfile", str(folder / "root.pem"), *when],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return "Verification: OK" in result.stdout


def _chain_of(*issued: Issued) -> Sequence[x509.Certificate]:
    return [item.cert for item in issued]


def test_a_token_through_a_ca_intermediate_holds_for_us_and_for_openssl(
    root: Issued, tmp_path: Path
) -> None:
    intermediate = issue("TSA Intermediate", ca_extensions(path_length=0), root)
    tsa = issue("Good TSA", tsa_extensions(), intermediate)
    reply = stamp(DIGEST, tsa, _chain_of(tsa, intermediate))

    check = _verify(reply, root)

    assert check.ok and check.trusted and check.rule is None, check.detail
    assert "chained to trusted CN=Trusted Root through CN=TSA Intermediate" in check.detail
    assert _openssl_accepts(reply, root, tmp_path)


def test_a_tsa_certificate_issued_by_a_web_servers_leaf_is_refused(
    root: Issued, tmp_path: Path
) -> None:
    server = issue("www.example.test", server_extensions(), root)
    forged = issue("Forged TSA", tsa_extensions(), server)
    reply = stamp(DIGEST, forged, _chain_of(forged, server))

    check = _verify(reply, root)

    assert not check.ok and not check.trusted
    assert check.rule == chain.ISSUER_IS_CA
    assert "CN=www.example.test is not a CA certificate" in check.detail
    assert chain.ISSUER_IS_CA in check.detail
    assert not _openssl_accepts(reply, root, tmp_path)


def test_a_ca_that_may_not_sign_certificates_is_refused(root: Issued, tmp_path: Path) -> None:
    barred = issue("Signing-only CA", [ca_extensions()[0], server_extensions()[1]], root)
    forged = issue("Forged TSA", tsa_extensions(), barred)
    reply = stamp(DIGEST, forged, _chain_of(forged, barred))

    check = _verify(reply, root)

    assert not check.ok and check.rule == chain.ISSUER_SIGNS_CERTIFICATES, check.detail
    assert not _openssl_accepts(reply, root, tmp_path)


def test_an_intermediate_expired_before_the_stamp_is_refused_but_holds_for_an_earlier_stamp(
    root: Issued, tmp_path: Path
) -> None:
    then = NOW - timedelta(days=400)
    expired = issue(
        "Old Intermediate", ca_extensions(), root, valid=(then, NOW - timedelta(days=30))
    )
    tsa = issue("Old TSA", tsa_extensions(), expired, valid=(then, NOW + timedelta(days=30)))
    issuer = issue(
        "Trusted Root", ca_extensions(), valid=(then, NOW + timedelta(days=30)), key=root.key
    )

    late = verify_token(stamp(DIGEST, tsa, _chain_of(tsa, expired)), DIGEST, [issuer.cert])
    early_reply = stamp(DIGEST, tsa, _chain_of(tsa, expired), when=NOW - timedelta(days=60))
    early = verify_token(early_reply, DIGEST, [issuer.cert])

    assert not late.ok and late.rule == chain.VALID_AT_STAMP, late.detail
    assert "CN=Old Intermediate is valid from" in late.detail
    assert early.ok and early.trusted, early.detail
    assert not _openssl_accepts(early_reply, issuer, tmp_path)
    moment = int((NOW - timedelta(days=60)).timestamp())
    assert _openssl_accepts(early_reply, issuer, tmp_path, at=moment)


def test_a_path_longer_than_a_ca_allows_is_refused(tmp_path: Path) -> None:
    strict_root = issue("Strict Root", ca_extensions(path_length=0))
    intermediate = issue("Too Deep CA", ca_extensions(), strict_root)
    tsa = issue("Deep TSA", tsa_extensions(), intermediate)
    reply = stamp(DIGEST, tsa, _chain_of(tsa, intermediate))

    check = _verify(reply, strict_root)

    assert not check.ok and check.rule == chain.PATH_LENGTH, check.detail
    assert "CN=Strict Root allows 0 CA certificate(s) below it, the path has 1" in check.detail
    assert not _openssl_accepts(reply, strict_root, tmp_path)


def test_a_swapped_signer_certificate_is_refused(root: Issued, tmp_path: Path) -> None:
    genuine = issue("Genuine TSA", tsa_extensions(), root, serial=4242)
    swapped = issue("Genuine TSA", tsa_extensions(), root, serial=4242)
    as_signed = stamp(DIGEST, genuine, _chain_of(swapped))
    renamed = stamp(DIGEST, genuine, _chain_of(swapped), named=swapped.cert)

    named = _verify(as_signed, root)
    resigned = _verify(renamed, root)

    assert not named.ok and named.rule == NAMED_SIGNER, named.detail
    assert not resigned.ok and resigned.rule == SIGNATURE, resigned.detail
    assert not _openssl_accepts(as_signed, root, tmp_path)
    assert not _openssl_accepts(renamed, root, tmp_path)


@pytest.mark.parametrize(
    "usage",
    [[], [(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), False)]],
    ids=["no usage", "usage not critical"],
)
def test_a_signer_without_critical_time_stamping_usage_is_refused(
    root: Issued, tmp_path: Path, usage: list[tuple[x509.ExtensionType, bool]]
) -> None:
    signer = issue("Not A TSA", [*tsa_extensions()[:2], *usage], root)
    reply = stamp(DIGEST, signer, _chain_of(signer))

    trusted = _verify(reply, root)
    alone = verify_token(reply, DIGEST, [])

    assert not trusted.ok and trusted.rule == chain.TIME_STAMPING, trusted.detail
    assert not alone.ok and alone.rule == chain.TIME_STAMPING, alone.detail
    assert not _openssl_accepts(reply, root, tmp_path)


@pytest.mark.parametrize("where", ["signer", "intermediate"])
def test_an_unknown_critical_extension_is_refused(root: Issued, tmp_path: Path, where: str) -> None:
    extra = [unknown_critical()]
    intermediate = issue(
        "Odd CA", [*ca_extensions(), *(extra if where == "intermediate" else [])], root
    )
    tsa = issue("Odd TSA", [*tsa_extensions(), *(extra if where == "signer" else [])], intermediate)
    reply = stamp(DIGEST, tsa, _chain_of(tsa, intermediate))

    check = _verify(reply, root)

    assert not check.ok and check.rule == chain.KNOWN_CRITICAL, check.detail
    assert "1.3.6.1.4.1.55555.1" in check.detail
    assert not _openssl_accepts(reply, root, tmp_path)


def test_an_issuer_limited_to_other_uses_is_refused(root: Issued) -> None:
    # Stricter than openssl ts -verify, which does not look at an issuer's extendedKeyUsage.
    web_only = [(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)]
    intermediate = issue("Web CA", [*ca_extensions(), *web_only], root)
    tsa = issue("Web TSA", tsa_extensions(), intermediate)

    check = _verify(stamp(DIGEST, tsa, _chain_of(tsa, intermediate)), root)

    assert not check.ok and check.rule == chain.ISSUER_USAGE, check.detail


def test_a_good_path_is_found_among_bad_ones(root: Issued) -> None:
    key_holder = issue("Shared Name CA", server_extensions(), root)
    good = issue("Shared Name CA", ca_extensions(), root, key=key_holder.key)
    tsa = issue("Good TSA", tsa_extensions(), good)

    check = _verify(stamp(DIGEST, tsa, _chain_of(tsa, key_holder, good)), root)

    assert check.ok and check.trusted, check.detail


def test_a_token_from_another_root_does_not_chain(root: Issued) -> None:
    stranger = issue("Stranger Root", ca_extensions())
    tsa = issue("Stranger TSA", tsa_extensions(), stranger)

    check = _verify(stamp(DIGEST, tsa, _chain_of(tsa, stranger)), root)

    assert not check.ok and check.rule == chain.CHAINS, check.detail
    assert "does not chain" in check.detail


def test_capture_verify_refuses_a_sealed_folder_stamped_by_a_tsa_under_a_web_leaf(
    root: Issued, tmp_path: Path
) -> None:
    # The issue's case end to end: the holder of a web server's key under a trusted root runs
    # their own TSA for a signed capture; verify with that root and the key must not hold.
    server = issue("www.example.test", server_extensions(), root)
    forged = issue("Forged TSA", tsa_extensions(), server)

    def forger(url: str, query: bytes, timeout_s: float) -> bytes:
        asked = tsp.TimeStampReq.load(query)
        digest = asked["message_imprint"]["hashed_message"].native
        return stamp(digest, forged, _chain_of(forged, server), nonce=asked["nonce"].native)

    folder = make_capture(tmp_path / "capture")
    key = generate_key_pair(tmp_path / "clerk")
    seal_capture(folder, key=key, tsa_urls=["https://forger.test/tsa"], clock=lambda: NOW,
                 transport=forger)  # fmt: skip
    (tmp_path / "root.pem").write_bytes(root.cert.public_bytes(Encoding.PEM))

    trusted = [tmp_path / "root.pem"]
    report = verify_path(folder, tsa_certs=trusted, public_key=tmp_path / "clerk.pub")

    assert not report.ok
    failed = {check.what: check.detail for check in report.failures}
    assert set(failed) == {"RFC 3161 timestamp of capture.json", "trusted timestamp"}
    assert chain.ISSUER_IS_CA in failed["RFC 3161 timestamp of capture.json"]
    assert "no token chains to the given --tsa-cert" in failed["trusted timestamp"]
    assert "NOT VERIFIED" in report.to_text()
