"""The page JavaScript the site actions run; each returns a count or a short fact to record.

The scripts are files in `capture/js/actions/` (package data), read once when first used through
`capture.js.page_script`; each name below (`pagejs.REMOVE_JS`) is the text of its file.
"""

from __future__ import annotations

from capture.js import page_script

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
"""Each script's name, as its users spell it, and its file in `capture/js/actions/`."""


def __getattr__(name: str) -> str:
    """Return the text of the named page script, read from its file on first use."""
    if name in FILES:
        return page_script(f"actions/{FILES[name]}")
    raise AttributeError(f"module 'capture.overlays.pagejs' has no attribute {name!r}")
