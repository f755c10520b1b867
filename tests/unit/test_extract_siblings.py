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
