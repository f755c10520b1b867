"""The WACZ `signedData` object: its fields, what it signs, and what breaks it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capture.evidence.keys import SigningKey, generate_key_pair
from capture.evidence.signature import SIGNED_FIELDS, check_signed_data, signed_data

LABEL = "sha256:" + "ab" * 32
CREATED = datetime(2026, 11, 27, 6, 45, 0, 999, tzinfo=UTC)


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    """Return a fresh key pair's signing key."""
    return generate_key_pair(tmp_path / "k")


def test_signed_data_has_exactly_the_fields_of_an_anonymous_wacz_signature(key: SigningKey) -> None:
    data = signed_data(LABEL, key, CREATED)

    assert tuple(data) == SIGNED_FIELDS
    assert data["hash"] == LABEL
    assert data["created"] == "2026-11-27T06:45:00Z"
    assert data["version"] == "0.1.0"
    # The signed bytes are the ASCII hash label, as authsign and ArchiveWeb.page sign them.
    key.public.verify(base64.b64decode(data["signature"]), LABEL.encode("ascii"))


def test_a_valid_signature_names_the_signer_by_fingerprint(key: SigningKey) -> None:
    result = check_signed_data(signed_data(LABEL, key, CREATED), LABEL, expected=key.public)

    assert result.ok
    assert result.fingerprint == key.fingerprint
    assert "expected key" in result.detail


def test_another_hash_another_key_or_a_changed_signature_fail(
    key: SigningKey, tmp_path: Path
) -> None:
    data = signed_data(LABEL, key, CREATED)
    other = generate_key_pair(tmp_path / "other")
    forged = {**data, "signature": base64.b64encode(other.sign(LABEL.encode())).decode()}

    assert "file's hash is" in check_signed_data(data, "sha256:" + "cd" * 32).detail
    assert "not by the expected key" in check_signed_data(data, LABEL, expected=other.public).detail
    assert "does not match" in check_signed_data(forged, LABEL).detail
    assert "lacks signature" in check_signed_data({**data, "signature": None}, LABEL).detail
