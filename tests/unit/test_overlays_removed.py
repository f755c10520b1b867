"""Recovering text a script removed: when it counts, and what article.json then says."""

from __future__ import annotations

from capture.extract import extract_article
from capture.overlays.removed import Removed, recovered_article, removal

PARAGRAPH = (
    "The harbour council voted on Tuesday evening to build a new sea wall along the northern "
    "quay, ending a debate that had run for almost three years. "
)


def page(paragraphs: int) -> str:
    body = "".join(f"<p>{PARAGRAPH}Paragraph {i}.</p>" for i in range(paragraphs))
    head = "<html><head><title>Sea wall</title></head>"
    return f"{head}<body><article><h1>Sea wall</h1>{body}</article></body></html>"


def test_a_teaser_that_kept_its_start_and_lost_the_rest_is_a_removal() -> None:
    assert removal({"kept": [160, 170], "removed": [150, 160, 180]}) == Removed(3, 490, 2)


def test_small_losses_and_rebuilt_pages_are_no_removal() -> None:
    assert removal({"kept": [160], "removed": [150]}) is None  # a caption, a promo
    assert removal({"kept": [], "removed": [150, 160, 180, 200]}) is None  # an app's own screen
    assert removal({"kept": [160], "removed": [90, 90]}) is None


def test_the_served_text_replaces_a_shorter_rendered_text_and_says_so() -> None:
    url = "https://harbour.example/sea-wall"
    rendered = extract_article(page(2), url)
    article = recovered_article(rendered, page(8), url)
    assert article is not None and article.text_source == "served"
    assert "Paragraph 7." in article.text
    assert article.notes[-1].startswith("recovered: ")
    assert article.title == rendered.title


def test_a_served_text_no_longer_than_the_rendered_one_changes_nothing() -> None:
    url = "https://harbour.example/sea-wall"
    rendered = extract_article(page(8), url)
    assert recovered_article(rendered, page(8), url) is rendered
