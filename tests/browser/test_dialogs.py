"""alert and confirm dialogs are answered, logged in capture.json, and the capture completes."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_alert_and_confirm_are_accepted_and_logged(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/dialogs.html"), shared_renderer, tmp_path)

    events = [(e["kind"], e["message"], e["action"]) for e in captured.document["events"]]
    assert events == [
        ("dialog:alert", "Welcome to the dialog page", "accepted"),
        ("dialog:confirm", "Do you accept the terms?", "accepted"),
    ]
    assert captured.document["state"] == "complete"
    assert '<p id="answer">confirmed</p>' in (captured.folder / "dom.html").read_text()
    assert (captured.folder / "screenshot.png").stat().st_size > 0
