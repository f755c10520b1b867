"""drop_hover_cards: a name's hover card leaves the sentence; the name and inline icons stay."""

from __future__ import annotations

from lxml import etree

from capture.extract.parse import parse_html
from capture.extract.rules import ExtractionRules
from capture.extract.visibility import drop_hover_cards

CARD = (
    '<span class="card"><span><img src="/jane.jpg" alt="">'
    '<a href="/people/jane-doe">Jane Doe</a>'
    '<a href="/news/1">Harbour board approves the new ferry timetable for winter</a> '
    '<a href="/news/2">Council asks for a second survey of the old pier</a> '
    '<a href="/people/jane-doe">MORE</a></span></span>'
)
SENTENCE = (
    '<p>The motion was tabled by councillor <span class="person"><a href="/people/jane-doe">'
    f"Jane Doe</a>{CARD}</span> (Harbour Ward), who chairs the transport committee.</p>"
)


def _body_text(html: str, rules: ExtractionRules | None = None) -> tuple[int, str]:
    tree = parse_html(f"<html><body><article>{html}</article></body></html>")
    dropped = drop_hover_cards(tree, rules or ExtractionRules())
    paragraph = tree.find(".//p")
    assert paragraph is not None
    return dropped, " ".join(etree.tostring(paragraph, method="text", encoding="unicode").split())


def test_a_hover_card_inside_a_sentence_goes_and_the_name_stays() -> None:
    dropped, text = _body_text(SENTENCE)
    assert dropped == 1
    assert text == (
        "The motion was tabled by councillor Jane Doe (Harbour Ward), who chairs the "
        "transport committee."
    )


def test_an_icon_link_a_picture_amid_prose_and_a_paragraph_of_links_stay() -> None:
    icon = (
        '<p>Send your questions to the <a href="/desk"><img src="/mail.svg" alt="">news desk</a>'
        ' or <a href="/form">use the form</a>, and we will answer them in next week\'s edition '
        "of the paper.</p>"
    )
    prose = (
        '<p><span><img src="/pier.jpg" alt=""><a href="/pier">The old pier</a> was built in '
        '1890, and <a href="/survey">the survey</a> found its timbers sound after all '
        "those years.</span></p>"
    )
    links_only = (
        '<p><span><img src="/pier.jpg" alt=""><a href="/pier">The history of the old pier'
        '</a> <a href="/survey">and the survey of its timbers this spring</a></span></p>'
    )
    for html in (icon, prose, links_only):
        dropped, _ = _body_text(html)
        assert dropped == 0, html


def test_the_hover_card_rule_can_be_switched_off_for_the_bench() -> None:
    dropped, text = _body_text(SENTENCE, ExtractionRules(drop_hover_cards=False))
    assert dropped == 0
    assert "second survey" in text
