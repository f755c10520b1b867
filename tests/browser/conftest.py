"""Browser tests: a real Chromium, fixture sites on 127.0.0.1, never the internet.

Without a browser these tests skip on a developer's machine, but fail when `CI` is set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from capture.browser.renderer import ChromiumRenderer, open_renderer
from capture.demo.localsite import LocalSite
from capture.errors import BrowserNotFoundError
from tests.browser.core_site import core_site, other_site

pytestmark = pytest.mark.browser


async def _open_or_skip() -> AsyncIterator[ChromiumRenderer]:
    try:
        async with open_renderer(os.environ.get("CAPTURE_BROWSER")) as chromium:
            yield chromium
    except BrowserNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no browser: {exc}")


@pytest.fixture
async def renderer() -> AsyncIterator[ChromiumRenderer]:
    """Yield a renderer on a real Chromium (one per test: isolation over speed)."""
    async for chromium in _open_or_skip():
        yield chromium


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_renderer() -> AsyncIterator[ChromiumRenderer]:
    """Yield one Chromium for a whole test module; each capture still gets a fresh context.

    A module that uses it marks its tests `pytest.mark.asyncio(loop_scope="module")`.
    """
    async for chromium in _open_or_skip():
        yield chromium


@pytest.fixture(scope="module")
def other_origin() -> Iterator[LocalSite]:
    """Yield the second origin (another port) serving the cross-origin frame."""
    with other_site() as site:
        yield site


@pytest.fixture(scope="module")
def site(other_origin: LocalSite) -> Iterator[LocalSite]:
    """Yield the core fixture site, started on 127.0.0.1."""
    with core_site(other_origin) as started:
        yield started
