"""extract_article on fixture pages: the article, all of it, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.extract import Article, extract_article

SITES = Path(__file__).resolve().parents[1] / "sites" / "extraction"


def _extract(name: str, url: str = "https://coastal.example/news/story") -> Article:
    return extract_article((SITES / name).read_text(encoding="utf-8"), url)


@pytest.fixture(scope="module")
def news() -> Article:
    return _extract("news-graph.html")


def test_article_text_is_the_body_paragraphs_only(news: Article) -> None:
    assert news.text.startswith("The harbour bridge reopened to traffic on Tuesday morning")
    assert news.text.endswith("tolls would not be raised to pay for it.")
    for furniture in ("Home", "Related stories", "Ferry timetable", "All rights reserved"):
        assert furniture not in news.text


def test_article_text_has_one_blank_line_between_paragraphs_and_no_trailing_spaces(
    news: Article,
) -> None:
    assert "\n\n\n" not in news.text
    assert all(line == line.rstrip() for line in news.text.split("\n"))
    assert "Costs rose during the work\n\nThe repairs cost" in news.text


def test_article_text_leaves_out_the_headline_it_repeats(news: Article) -> None:
    assert news.title == "Harbour bridge reopens after two years of repairs"
    assert news.title not in news.text


def test_markdown_keeps_headings_lists_quotes_and_links(news: Article) -> None:
    assert news.markdown.startswith("# Harbour bridge reopens after two years of repairs\n\n")
    assert "\n## Costs rose during the work\n" in news.markdown
    assert "- New steel supports on both piers\n- A widened footpath" in news.markdown
    assert "> We are proud of the crews" in news.markdown
    assert "[full report on the overspend](https://coastal.example/report)" in news.markdown


def test_word_count_counts_the_text(news: Article) -> None:
    assert news.word_count == len(news.text.split())
    assert news.to_json()["word_count"] == news.word_count


def test_home_page_says_it_has_no_article() -> None:
    home = _extract("home.html", "https://coastal.example/")
    assert home.is_article is False
    assert home.text == ""
    assert home.text_source == "none"
    assert any(note.startswith("no article:") for note in home.notes)
    assert home.to_json()["is_article"] is False


def test_non_english_article_keeps_its_text_and_language() -> None:
    article = _extract("german.html")
    assert article.language == "de"
    assert article.byline == "Jana Müller"
    assert article.date == "2019-11-19"
    assert article.text.startswith("Nach drei Wochen Pause fährt die Fähre")
    assert "Impressum" not in article.text
    assert len(article.text.split("\n\n")) == 3


def test_truncated_visible_text_is_completed_from_json_ld() -> None:
    article = _extract("truncated-jsonld.html")
    assert article.text_source == "json-ld"
    assert article.text.endswith("without disturbing them.")
    assert "Subscribe to keep reading" not in article.text
    assert len(article.text.split("\n\n")) == 5
    assert any("JSON-LD articleBody used" in note for note in article.notes)
    assert article.to_json()["text_source"] == "json-ld"


def test_empty_and_broken_html_give_no_article() -> None:
    for html in ("", "   ", "<html>", "\x00<p>"):
        article = extract_article(html)
        assert article.is_article is False
        assert article.text == ""
