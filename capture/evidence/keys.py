"""Ed25519 signing keys: making a key pair, loading keys, and naming a key by its fingerprint.

The private key is PKCS#8 PEM (readable by `openssl pkey`), the public key SubjectPublicKeyInfo
PEM in `<key>.pub`. A key's fingerprint is `sha256:<hex>` of its 32 raw public-key bytes, the
same value `openssl pkey -pubin -in KEY.pub -outform DER | tail -c 32 | sha256sum` prints.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from capture.errors import KeyFileError, OutputError
from capture.output.files import sha256_label

ALGORITHM = "Ed25519"
PUBLIC_SUFFIX = ".pub"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key and where it came from."""

    private: Ed25519PrivateKey
    path: Path | None = None

    @property
    def public(self) -> Ed25519PublicKey:
        """Return the public half of the key."""
        return self.private.public_key()

    @property
    def fingerprint(self) -> str:
        """Return `sha256:<hex>` of the raw public key."""
        return fingerprint(self.public)

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of data."""
        return self.private.sign(data)


def fingerprint(public: Ed25519PublicKey) -> str:
    """Return `sha256:<hex>` of the 32 raw bytes of a public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_label(raw)


def public_key_b64(public: Ed25519PublicKey) -> str:
    """Return the public key as base64 DER SubjectPublicKeyInfo (the WACZ `publicKey` form)."""
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """Return the public key of a base64 DER SubjectPublicKeyInfo; raise ValueError if it is not."""
    try:
        key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a base64 DER public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"not an {ALGORITHM} public key ({type(key).__name__})")
    return key


def public_path(private_path: Path) -> Path:
    """Return where the public key of private_path lives: `<private_path>.pub`."""
    return private_path.with_name(private_path.name + PUBLIC_SUFFIX)


def generate_key_pair(path: Path) -> SigningKey:
    """Write a new key pair to path (private, mode 0600) and `<path>.pub`; return the key.

    Raises UsageError when either file exists (a key is never overwritten), OutputError when they
    cannot be written.
    """
    public = public_path(path)
    for target in (path, public):
        if target.exists():
            raise KeyFileError(
                f"Could not make a key pair at {path} ({target} exists). "
                "Choose another name, or remove the old key if you are sure it is not needed."
            )
    key = SigningKey(Ed25519PrivateKey.generate(), path)
    private_pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(path, private_pem, mode=0o600)
    _write_new(public, public_pem, mode=0o644)
    return key


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(
            f"Could not write {path} ({exc.strerror}). Choose a folder you can write to."
        ) from exc


def load_signing_key(path: Path, *, password: bytes | None = None) -> SigningKey:
    """Return the Ed25519 private key in the PEM file at path.

    Raises KeyFileError naming the file when it is missing or not an Ed25519 private key.
    """
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(
            f"Could not load the signing key {path} ({exc}). "
            "Pass the private key file made by `capture keygen KEY` (not KEY.pub)."
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(
            f"Could not use {path} as a signing key (it is {type(key).__name__}, not {ALGORITHM})."
            " Make one with `capture keygen KEY`."
        )
    return SigningKey(key, path)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Return the Ed25519 public key in the PEM file at path (a `.pub` from `capture keygen`).

    Raises KeyFileError naming the file when it is missing or not an Ed25519 public key.
    """
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(
            f"Could not load the public key {path} ({exc}). "
            "Pass the KEY.pub file made by `capture keygen KEY`."
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(
            f"Could not use {path} as a public key (it is {type(key).__name__}, not {ALGORITHM})."
            " Pass the KEY.pub file made by `capture keygen KEY`."
        )
    return key


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyFileError(
            f"Could not read the {what} {path} ({exc.strerror}). Check the path."
        ) from exc
