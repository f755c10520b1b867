"""Browser tests: a real Chromium, fixture sites on 127.0.0.1, never the internet.

Without a browser these tests skip on a developer's machine, but fail when `CI` is set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from capture.errors import BrowserNotFoundError
from capture.render import ChromiumRenderer, open_renderer

pytestmark = pytest.mark.browser


@pytest.fixture
async def renderer() -> AsyncIterator[ChromiumRenderer]:
    """Yield a renderer on a real Chromium (one per test: isolation over speed)."""
    try:
        async with open_renderer(os.environ.get("CAPTURE_BROWSER")) as chromium:
            yield chromium
    except BrowserNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no browser: {exc}")
