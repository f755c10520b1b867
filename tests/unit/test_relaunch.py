"""A local run whose browser dies relaunches it and goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from capture import api
from capture.browser.recorder import ExchangeSink
from capture.models import CaptureRequest, CaptureState, PageCapture
from tests.fakes import FakeRenderer

URLS = [f"https://site.example/{n}" for n in range(4)]


class CrashingRenderer(FakeRenderer):
    """Renders one page, then its browser dies and every later render fails as Playwright's."""

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        if not self.browser.is_connected():
            raise RuntimeError("Target page, context or browser has been closed")
        page = await super().render(request, sink)
        self.browser.crash()
        return page


async def test_a_browser_that_crashes_is_relaunched_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[FakeRenderer] = []

    @asynccontextmanager
    async def launch(browser_path: str | None = None) -> AsyncIterator[FakeRenderer]:
        renderer = CrashingRenderer()
        launched.append(renderer)
        yield renderer

    monkeypatch.setattr(api, "open_renderer", launch)
    run = await api.capture_urls(URLS, output=tmp_path)

    assert [result.state for result in run.results] == [CaptureState.COMPLETE] * len(URLS)
    assert len(launched) == len(URLS)  # one relaunch after each crash, none in between
    assert [renderer.rendered for renderer in launched] == [[url] for url in URLS]
