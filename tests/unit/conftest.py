"""Unit tests start no browser and no Playwright driver: the CLI's driver started ahead is a
no-op here (tests/browser/test_driver_ahead.py runs the real one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from capture.browser import launch


@asynccontextmanager
async def no_driver_ahead() -> AsyncIterator[None]:
    """Start nothing: whatever opens a renderer inside starts its own driver (or a fake)."""
    yield


@pytest.fixture(autouse=True)
def _no_driver_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launch, "driver_ahead", no_driver_ahead)
