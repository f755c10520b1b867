"""Headings that stand between the body's paragraphs in its own container are the article's."""

from __future__ import annotations

from dataclasses import replace

from capture.extract import DEFAULT_RULES, extract_article
from capture.extract.flow import add_flow_headings, body_flow
from capture.extract.parse import parse_html
from capture.extract.render import Block

URL = "https://trade.example/explainers/how-tariffs-work"
PARAGRAPHS = (
    "Tariffs are taxes on imported goods, paid by the company that brings the goods into the "
    "country, and they are collected by the customs service at the border crossing.",
    "Economists mostly agree that the cost is passed on to buyers in the form of higher prices, "
    "although exporters sometimes cut their own prices to keep their share of the market.",
    "The revenue from tariffs goes to the treasury, but it is small next to income taxes, and "
    "it can shrink when buyers turn to goods from countries that are not taxed.",
    "Retaliation is common: the countries hit by a tariff answer with their own, aimed at the "
    "exports that matter most to the voters of the government that started it.",
)


def _page() -> str:
    first, second, third, fourth = (f"<p>{text}</p>" for text in PARAGRAPHS)
    return f"""<!doctype html><html lang="en"><head><title>How tariffs work</title>
<meta property="og:type" content="article"></head><body><main><article>
<h1>How tariffs work</h1><div class="article__text">
{first}
<div class="pf_subheadline">Who pays the cost of a tariff?</div>
{second}{third}
<h3>Do tariffs raise money?</h3>
{fourth}
<h3>Comments</h3>
</div></article></main></body></html>"""


def test_subheads_between_paragraphs_are_kept_in_reading_order() -> None:
    text = extract_article(_page(), URL).text
    assert "Who pays the cost of a tariff?" in text
    assert text.index(PARAGRAPHS[0]) < text.index("Who pays the cost") < text.index(PARAGRAPHS[1])
    assert text.index(PARAGRAPHS[2]) < text.index("Do tariffs raise money?")
    assert text.index("Do tariffs raise money?") < text.index(PARAGRAPHS[3])


def test_a_heading_after_the_last_paragraph_is_not_the_article_s() -> None:
    text = extract_article(_page(), URL).text
    assert text.endswith(PARAGRAPHS[3])
    assert "Comments" not in text


def test_without_the_rule_the_div_subhead_is_lost() -> None:
    text = extract_article(_page(), URL, rules=replace(DEFAULT_RULES, flow_headings=False)).text
    assert "Who pays the cost of a tariff?" not in text


def test_headings_outside_the_paragraphs_container_are_not_added() -> None:
    tree = parse_html(
        "<html><body><div><p>One two three four.</p><h2>Elsewhere</h2><p>Five six seven.</p>"
        "</div><section><p>Alpha beta gamma.</p><h2>Between</h2><p>Delta epsilon.</p>"
        "</section></body></html>"
    )
    blocks = [
        Block("p", "Alpha beta gamma.", "Alpha beta gamma."),
        Block("p", "Delta epsilon.", "Delta epsilon."),
    ]
    merged, added = add_flow_headings(blocks, body_flow(blocks, tree))
    assert added == 1
    assert [block.text for block in merged] == ["Alpha beta gamma.", "Between", "Delta epsilon."]
    assert merged[1].kind == "head"
    assert merged[1].markdown == "## Between"


def test_a_linked_product_heading_is_kept_and_a_related_link_heading_is_not() -> None:
    tree = parse_html(
        "<html><body><article><p>First paragraph.</p>"
        '<h3><a href="https://shop.example/charger">Satechi 72W USB-C Car Charger</a></h3>'
        "<p>Second paragraph.</p>"
        '<h3><a href="/news/other">Related: the best chargers of the year</a></h3>'
        "<p>Third paragraph.</p></article></body></html>"
    )
    blocks = [
        Block("p", text, text)
        for text in ("First paragraph.", "Second paragraph.", "Third paragraph.")
    ]
    merged, added = add_flow_headings(blocks, body_flow(blocks, tree))
    assert added == 1
    assert [block.text for block in merged] == [
        "First paragraph.",
        "Satechi 72W USB-C Car Charger",
        "Second paragraph.",
        "Third paragraph.",
    ]
