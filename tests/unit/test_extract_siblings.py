"""add_chunk_siblings: a split body comes back; captions in the same template do not."""

from __future__ import annotations

from capture.extract.parse import parse_html
from capture.extract.render import Block
from capture.extract.siblings import add_chunk_siblings

FIRST = "The ferry service resumed on Monday after three weeks of repairs to the pier."
SECOND = "Passengers queued from six in the morning, and the first boat left on time."
MISSED = "The operator said the winter timetable would start a week later than planned."
CAPTION = "The repaired pier at dawn on Monday, seen from the harbour wall. Jana Doe/Riverside"


def test_a_missed_chunk_comes_back_and_a_credited_caption_does_not() -> None:
    tree = parse_html(
        f'<html><body><div class="chunk"><p>{FIRST}</p><p>{SECOND}</p></div>'
        f'<div class="ad">Advertisement</div>'
        f'<div class="chunk"><p>{CAPTION}</p><p>{MISSED}</p></div></body></html>'
    )
    blocks = [Block("p", FIRST, FIRST), Block("p", SECOND, SECOND)]
    merged, added = add_chunk_siblings(blocks, tree)
    assert added == 1
    assert [block.text for block in merged] == [FIRST, SECOND, MISSED]


def test_a_paragraph_kept_with_a_hole_is_not_added_again() -> None:
    """The extractor dropped a linked phrase: the page's paragraph is no new one."""
    linked = "the council voted to close the pier"
    whole = (
        f"Local reporters have said that {linked} for the winter, and the ferry "
        "company now has to find another berth before the first storms arrive."
    )
    holed = whole.replace(f"{linked} ", "")
    tree = parse_html(
        f'<html><body><div class="chunk"><p>{FIRST}</p><p>{SECOND}</p></div>'
        f'<div class="chunk"><p>Local reporters have said that <span class="link"><a href="/x">'
        f"{linked}</a></span> for the winter, and the ferry company now has to find another "
        f"berth before the first storms arrive.</p><p>{MISSED}</p></div></body></html>"
    )
    blocks = [Block("p", FIRST, FIRST), Block("p", SECOND, SECOND), Block("p", holed, holed)]
    merged, added = add_chunk_siblings(blocks, tree)
    assert [block.text for block in merged] == [FIRST, SECOND, holed, MISSED]
    assert added == 1
