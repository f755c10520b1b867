"""Ed25519 key pairs: `capture keygen` files, loading them, and fingerprints."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from capture.evidence.keys import (
    KeyFileError,
    fingerprint,
    generate_key_pair,
    load_public_key,
    load_signing_key,
    public_key_b64,
    public_key_from_b64,
)


def test_keygen_writes_a_private_key_only_its_owner_reads_and_a_public_key(tmp_path: Path) -> None:
    key = generate_key_pair(tmp_path / "clerk")

    assert (tmp_path / "clerk").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "clerk").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "clerk.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert load_signing_key(tmp_path / "clerk").fingerprint == key.fingerprint
    assert fingerprint(load_public_key(tmp_path / "clerk.pub")) == key.fingerprint


def test_fingerprint_is_sha256_of_the_raw_public_key(tmp_path: Path) -> None:
    key = generate_key_pair(tmp_path / "k")
    raw = key.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    assert key.fingerprint == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert len(raw) == 32


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_reads_the_keys_and_gets_the_same_fingerprint(tmp_path: Path) -> None:
    key = generate_key_pair(tmp_path / "k")
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(tmp_path / "k.pub"), "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "k"), "-noout"], check=True)

    assert "sha256:" + hashlib.sha256(der[-32:]).hexdigest() == key.fingerprint


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    (tmp_path / "k.pub").write_text("old")

    with pytest.raises(KeyFileError, match=r"k\.pub exists"):
        generate_key_pair(tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_loading_the_public_key_as_the_signing_key_names_the_file_and_the_fix(
    tmp_path: Path,
) -> None:
    generate_key_pair(tmp_path / "k")

    with pytest.raises(KeyFileError, match=r"k\.pub.*capture keygen KEY"):
        load_signing_key(tmp_path / "k.pub")
    with pytest.raises(KeyFileError, match="Could not read the public key"):
        load_public_key(tmp_path / "missing.pub")


def test_public_key_round_trips_through_the_wacz_base64_form(tmp_path: Path) -> None:
    key = generate_key_pair(tmp_path / "k")

    assert fingerprint(public_key_from_b64(public_key_b64(key.public))) == key.fingerprint
    with pytest.raises(ValueError, match="not a base64 DER public key"):
        public_key_from_b64("bm90IGEga2V5")
