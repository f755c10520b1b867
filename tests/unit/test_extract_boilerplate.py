"""strip_furniture: page furniture goes, the article's own recurring lines stay."""

from __future__ import annotations

from capture.extract.boilerplate import strip_furniture
from capture.extract.render import Block
from capture.extract.rules import ExtractionRules


def _blocks(*texts: str) -> list[Block]:
    return [Block("p", text, text) for text in texts]


def test_a_question_asked_of_every_interviewee_is_kept_each_time() -> None:
    question = "What made you start cooking for others?"
    blocks = _blocks(
        "Anna Petrova, a food photographer from Kazan, answered our questions.",
        question,
        "My grandmother cooked for the whole street every Sunday, and I wanted to do the same.",
        "Oleg Ilyin, a chef from Moscow, answered them too.",
        question,
        "Talent, and a family that ate everything I made, however it turned out in the end.",
    )
    kept = strip_furniture(blocks, "Six food bloggers on why they cook")
    assert [block.text for block in kept].count(question) == 2
    assert kept == blocks


def test_credits_and_copyright_at_the_end_still_go() -> None:
    body = "The bridge reopened on Tuesday after two years of repairs, the council said."
    blocks = _blocks(
        body,
        "Write to Jane Doe at jane.doe@example.com",
        "Copyright 2026 Riverside Daily. All rights reserved.",
    )
    assert [block.text for block in strip_furniture(blocks, None)] == [body]


STORY = (
    "The ferry company said on Monday that the winter timetable would start a week late, "
    "after repairs to the pier ran over."
)


def test_closing_lines_that_credit_reporters_and_editors_go() -> None:
    for credit in (
        "Additional reporting by Jane Doe",
        "Reporting by Jane Doe; Editing by John Roe",
        "(Reporting by Jane Doe in Riverside; Writing by John Roe)",
        "John Roe contributed reporting from Harbourtown.",
        "Riverside Daily's Jane Doe contributed to this report.",
    ):
        kept = strip_furniture(_blocks(STORY, credit), None)
        assert [block.text for block in kept] == [STORY], credit


def test_reporting_inside_the_story_and_a_credit_not_at_the_end_stay() -> None:
    quoted = "Reporting by the Riverside Daily contributed to the inquiry, the minister said."
    blocks = _blocks(quoted, STORY, "Reporting by Jane Doe; Editing by John Roe", "Riverside")
    assert strip_furniture(blocks, None) == blocks


def test_the_credit_rule_can_be_switched_off_for_the_bench() -> None:
    blocks = _blocks(STORY, "Additional reporting by Jane Doe")
    assert strip_furniture(blocks, None, ExtractionRules(credit_lines=False)) == blocks


SUMMARY = "The ferry timetable for winter starts a week late after the pier repairs ran over"


def test_a_heading_above_the_body_that_repeats_the_description_goes() -> None:
    blocks = [Block("head", f"{SUMMARY}.", f"## {SUMMARY}."), *_blocks(STORY)]
    kept = strip_furniture(blocks, None, description=f"{SUMMARY}.")
    assert [block.text for block in kept] == [STORY]


def test_a_first_paragraph_repeating_the_description_and_later_headings_stay() -> None:
    """Pages reuse their first paragraph as their description: it is still the article's."""
    lede = _blocks(f"{SUMMARY}, the company said on Monday.")
    heading = [Block("head", SUMMARY, f"## {SUMMARY}")]
    for blocks in (lede + _blocks(STORY), lede + heading + _blocks(STORY)):
        kept = strip_furniture(blocks, None, description=f"{SUMMARY}, the company said on Monday.")
        assert kept == blocks


def test_the_standfirst_rule_can_be_switched_off_for_the_bench() -> None:
    blocks = [Block("head", SUMMARY, f"## {SUMMARY}"), *_blocks(STORY)]
    rules = ExtractionRules(drop_standfirst=False)
    assert strip_furniture(blocks, None, rules, description=SUMMARY) == blocks
