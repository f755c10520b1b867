"""Evidence: signing and timestamping captures, verifying them offline, and provenance.html.

`keys` makes and loads Ed25519 keys; `seal` signs and timestamps capture.json (and a WACZ's
datapackage.json); `tsa` asks RFC 3161 time stamp authorities; `tokens` checks their tokens;
`verify` checks a capture folder, a run folder or a WACZ; `report_html` writes provenance.html.
"""

from __future__ import annotations

from capture.errors import KeyFileError, TimestampError
from capture.evidence.checks import Check, VerifyReport
from capture.evidence.keys import (
    SigningKey,
    generate_key_pair,
    load_public_key,
    load_signing_key,
)
from capture.evidence.report_html import PROVENANCE_HTML, PROVENANCE_URN, provenance_html
from capture.evidence.seal import Seal, seal_capture, seal_wacz
from capture.evidence.verify import verify_path

__all__ = [
    "PROVENANCE_HTML",
    "PROVENANCE_URN",
    "Check",
    "KeyFileError",
    "Seal",
    "SigningKey",
    "TimestampError",
    "VerifyReport",
    "generate_key_pair",
    "load_public_key",
    "load_signing_key",
    "provenance_html",
    "seal_capture",
    "seal_wacz",
    "verify_path",
]
