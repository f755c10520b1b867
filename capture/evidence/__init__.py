"""Evidence: signing and timestamping captures, verifying them offline, and provenance.html.

`keys` makes and loads Ed25519 keys; `seal` signs and timestamps capture.json (and a WACZ's
datapackage.json); `tsa` asks RFC 3161 time stamp authorities; `tokens` checks their tokens;
`verify` checks a capture folder, a run folder or a WACZ; `report_html` writes provenance.html.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from capture.errors import KeyFileError, TimestampError
    from capture.evidence.checks import Check, VerifyReport
    from capture.evidence.keys import (
        SigningKey,
        generate_key_pair,
        load_public_key,
        load_signing_key,
    )
    from capture.evidence.seal import Seal, seal_capture, seal_wacz
    from capture.evidence.verify import verify_path
    from capture.output.provenance_html import PROVENANCE_HTML, PROVENANCE_URN, provenance_html

_WHERE = {
    "PROVENANCE_HTML": "capture.output.provenance_html",
    "PROVENANCE_URN": "capture.output.provenance_html",
    "Check": "capture.evidence.checks",
    "KeyFileError": "capture.errors",
    "Seal": "capture.evidence.seal",
    "SigningKey": "capture.evidence.keys",
    "TimestampError": "capture.errors",
    "VerifyReport": "capture.evidence.checks",
    "generate_key_pair": "capture.evidence.keys",
    "load_public_key": "capture.evidence.keys",
    "load_signing_key": "capture.evidence.keys",
    "provenance_html": "capture.output.provenance_html",
    "seal_capture": "capture.evidence.seal",
    "seal_wacz": "capture.evidence.seal",
    "verify_path": "capture.evidence.verify",
}
"""Where each public name lives: imported on first use, so that a capture, which writes
provenance.html, does not also import the verifier and the WACZ checks."""

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


def __getattr__(name: str) -> Any:
    """Return a public name of the package, importing its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module 'capture.evidence' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
