"""The page JavaScript the site actions run; each returns a count or a short fact to record.

The scripts are files in `scripts/` beside this module (package data), read once when first used;
each name below (`pagejs.REMOVE_JS`) is the text of its file.
"""

from __future__ import annotations

import functools
from pathlib import Path

FILES = {
    "REMOVE_JS": "remove.js",
    "HIDE_JS": "hide.js",
    "REMOVE_CLASS_JS": "remove-class.js",
    "SET_STYLE_JS": "set-style.js",
    "UNLOCK_SCROLL_CSS": "unlock-scroll.css",
    "UNLOCK_SCROLL_JS": "unlock-scroll.js",
    "UNCLAMP_JS": "unclamp.js",
    "SCROLL_JS": "scroll.js",
    "LOCAL_STORAGE_JS": "local-storage.js",
    "FORGET_PASSWORDS_JS": "forget-passwords.js",
}
"""Each script's name, as its users spell it, and its file in `scripts/`."""


@functools.cache
def _read(file: str) -> str:
    return (Path(__file__).parent / "scripts" / file).read_text(encoding="utf-8")


def __getattr__(name: str) -> str:
    """Return the text of the named page script, read from its file on first use."""
    if name in FILES:
        return _read(FILES[name])
    raise AttributeError(f"module 'capture.overlays.pagejs' has no attribute {name!r}")
