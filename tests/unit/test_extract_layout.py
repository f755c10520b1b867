"""Layout from the browser: hidden and fixed elements are dropped, and the layout round-trips."""

from __future__ import annotations

from capture.extract import BlockBox, RenderedPage, extract_article
from capture.extract.model import FLAG_FIXED, FLAG_HIDDEN
from capture.js import page_script

PARAGRAPH = (
    "The committee met on Thursday to agree the plan for the new harbour wall, which will be "
    "built over the next three summers with stone from the quarry above the town."
)
HTML = f"""<html><head><title>Harbour wall plan agreed</title></head><body>
<article data-capture-id="1">
<p data-capture-id="2">{PARAGRAPH}</p>
<p data-capture-id="3">{PARAGRAPH.replace("Thursday", "Friday")}</p>
<p data-capture-id="4">Members asked for the works to stop during the busy holiday weeks.
Builders agreed to that and to keep the footpath along the water open all year.</p>
<div data-capture-id="5"><p>Please log in to read this story in full, it only takes a minute
to create your free account with us and you can read every story.</p></div>
<div data-capture-id="6"><p>We use cookies to improve your experience on this website and to
show you personalised advertising from our partners across the web.</p></div>
</article></body></html>"""


def _layout(flags: dict[int, int]) -> RenderedPage:
    boxes = tuple(BlockBox(i, 0, 100 * i, 800, 90, flags.get(i, 0), 16) for i in range(1, 7))
    return RenderedPage(1280, 800, 1280, 2000, boxes)


def test_without_layout_overlay_text_can_leak_in() -> None:
    assert "log in" in extract_article(HTML).text


def test_hidden_and_fixed_elements_are_dropped_with_a_layout() -> None:
    article = extract_article(HTML, rendered=_layout({5: FLAG_HIDDEN, 6: FLAG_FIXED}))
    assert "log in" not in article.text
    assert "cookies" not in article.text
    assert article.text.startswith("The committee met on Thursday")
    assert "dropped 1 hidden and 1 fixed" in article.notes[0]


def test_layout_hiding_most_of_the_text_is_not_trusted() -> None:
    article = extract_article(HTML, rendered=_layout({1: FLAG_HIDDEN}))
    assert article.text.startswith("The committee met on Thursday")
    assert any("hidden text kept" in note for note in article.notes)


def test_rendered_page_round_trips_through_json() -> None:
    page = _layout({2: FLAG_HIDDEN | FLAG_FIXED})
    again = RenderedPage.from_json(page.to_json())
    assert again == page
    assert again.box_map()[2].hidden and again.box_map()[2].fixed
    assert not again.box_map()[3].offscreen


def test_layout_script_is_a_function_that_stamps_capture_ids() -> None:
    assert page_script("layout.js").strip().startswith("() =>")
    assert "data-capture-id" in page_script("layout.js")
