"""Finding pywb's commands for replay tests.

pywb pins an old `redis` that Celery cannot use, so it lives in its own virtualenv
(`make setup` builds `.venv-pywb`). Order: `CAPTURE_PYWB_BIN` (a bin folder), `.venv-pywb/bin`
beside this repository, then the bin folder of the running Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pywb_bin() -> Path | None:
    """Return the folder holding `wayback` and `wb-manager`, or None when pywb is not installed."""
    candidates = [
        Path(os.environ["CAPTURE_PYWB_BIN"]) if os.environ.get("CAPTURE_PYWB_BIN") else None,
        REPO / ".venv-pywb" / "bin",
        Path(sys.executable).parent,
    ]
    for folder in candidates:
        if folder is not None and all(
            (folder / name).exists() for name in ("wayback", "wb-manager")
        ):
            return folder
    return None


def pywb_tool(name: str) -> str:
    """Return the path of a pywb command; fail with how to install pywb when it is missing."""
    folder = pywb_bin()
    assert folder is not None, "pywb is not installed: run `make setup` (it builds .venv-pywb)"
    return str(folder / name)
