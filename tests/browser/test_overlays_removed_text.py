"""Text a script removed after load is recovered from the document the server sent; text the
server never sent stays gated; a page an app rebuilt is not mistaken for a cut article."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.builtin_overlays import FIXTURES, LAST_LINE, colour_pixels
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite(FIXTURES) as started:
        yield started


async def test_text_removed_by_a_script_is_recovered_from_the_served_document(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("removed-text.html"), shared_renderer, tmp_path)
    folder = captured.folder
    text = (folder / "article.txt").read_text(encoding="utf-8")
    assert LAST_LINE in text
    assert "Residents of the lower town" in text
    article = json.loads((folder / "article.json").read_text(encoding="utf-8"))
    assert article["text_source"] == "served"
    assert any(note.startswith("recovered:") for note in article["notes"])
    [entry] = [e for e in captured.document["interventions"] if e["action"] == "recover"]
    assert entry["rule"] == "generic:removed_text" and entry["ok"]
    assert entry["elements"] == 6
    assert "removed from the page by a script" in entry["detail"]
    assert captured.document["gated"] is None
    assert captured.document["state"] == "complete"
    # The page as the reader saw it: the DOM and the screenshots keep the cut and the box.
    dom = (folder / "dom.html").read_text(encoding="utf-8")
    assert "END OF ARTICLE" not in dom and "wall-box" in dom
    # The served document is in the WARC, where the recovered text comes from.
    served = captured.response(site.url("removed-text.html"))
    assert b"END OF ARTICLE" in served.payload


async def test_text_the_server_never_sent_stays_gated(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("server-wall.html"), shared_renderer, tmp_path)
    assert captured.document["gated"] is not None
    assert "never sent" in captured.document["gated"]
    assert not [e for e in captured.document["interventions"] if e["action"] == "recover"]
    article = json.loads((captured.folder / "article.json").read_text(encoding="utf-8"))
    assert article["text_source"] != "served"


async def test_a_page_an_app_rebuilt_is_not_recovered(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("rebuilt-app.html"), shared_renderer, tmp_path)
    assert not [e for e in captured.document["interventions"] if e["action"] == "recover"]
    article = json.loads((captured.folder / "article.json").read_text(encoding="utf-8"))
    assert article["text_source"] != "served"


def colour_count(png: Path, colour: tuple[int, int, int]) -> int:
    """Return how many pixels of the PNG are `colour`."""
    with Image.open(png) as image:
        return colour_pixels(image.convert("RGB"), colour)


async def test_hidden_paywalled_text_is_in_the_text_and_the_final_shot_only(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("paywall-hidden.html"), shared_renderer, tmp_path)
    folder = captured.folder
    assert LAST_LINE in (folder / "article.txt").read_text(encoding="utf-8")
    assert captured.document["gated"] is None
    assert captured.document["state"] == "complete"
    assert [e["rule"] for e in captured.document["interventions"]] == ["generic:hidden_text"]
    offer = (180, 20, 60)  # the subscription widget: the reader saw it, the final shot not
    assert colour_count(folder / "screenshot-as-served.png", offer) > 1000
    assert colour_count(folder / "screenshot.png", offer) == 0


async def test_text_removed_under_a_wall_the_pass_cleared_is_recovered_too(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # The wall over the page is removed, so nothing looks gated any more: the removed wall is
    # what sends the capture to compare the page with the document as served.
    captured = await capture_one(site.url("removed-wall.html"), shared_renderer, tmp_path)
    assert LAST_LINE in (captured.folder / "article.txt").read_text(encoding="utf-8")
    rules = [e["rule"] for e in captured.document["interventions"]]
    assert "generic:wall" in rules and rules[-1] == "generic:removed_text"
    assert captured.document["state"] == "complete"
