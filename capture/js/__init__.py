"""The browser-side scripts of a capture, kept as real `.js` files (package data).

Each file holds one JavaScript expression that Playwright evaluates in the page (a function) or
installs before the page's own scripts (an init script). Keeping them out of Python strings lets
JavaScript tools read, lint and format them.
"""

from __future__ import annotations

import functools
from pathlib import Path

HERE = Path(__file__).parent


@functools.cache
def page_script(name: str) -> str:
    """Return the text of the script file `name` beside this module (read once)."""
    return (HERE / name).read_text(encoding="utf-8")
