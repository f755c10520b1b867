"""What pages declare: JSON-LD (with @graph), Open Graph and meta tags, bylines and dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.extract.metadata import PageMetadata, page_metadata
from capture.extract.parse import parse_html

SITES = Path(__file__).resolve().parents[1] / "sites" / "extraction"


def _meta(head: str, body: str = "", html_attrs: str = "") -> PageMetadata:
    return page_metadata(
        parse_html(f"<html {html_attrs}><head>{head}</head><body>{body}</body></html>")
    )


def test_graph_resolves_author_and_publisher_references() -> None:
    tree = parse_html((SITES / "news-graph.html").read_text(encoding="utf-8"))
    meta = page_metadata(tree, "https://coastal.example/news/harbour-bridge-reopens")
    assert meta.byline == "Ada Fenwick"
    assert meta.date == "2019-11-19T08:30:00+01:00"
    assert meta.title == "Harbour bridge reopens after two years of repairs"
    assert meta.site_name == "The Coastal Post"
    assert meta.language == "en"
    assert meta.canonical_url == "https://coastal.example/news/harbour-bridge-reopens"
    assert meta.lead_image == "https://coastal.example/images/bridge.jpg"
    assert meta.declares_article


@pytest.mark.parametrize(
    ("head", "body", "byline"),
    [
        ('<meta name="author" content="By Sam Lee">', "", "Sam Lee"),
        (
            '<meta name="author" content="https://x.example/sam">',
            '<a rel="author">Kim Ode</a>',
            "Kim Ode",
        ),
        ("", '<span class="byline">by Ana Ruiz</span>', "Ana Ruiz"),
        (
            '<script type="application/ld+json">{"@type":"NewsArticle","author":'
            '[{"@type":"Person","name":"A One"},{"@type":"Person","name":"B Two"}]}</script>',
            "",
            "A One, B Two",
        ),
    ],
)
def test_byline_comes_from_json_ld_meta_or_markup(head: str, body: str, byline: str) -> None:
    assert _meta(head, body).byline == byline


@pytest.mark.parametrize(
    ("head", "body", "date"),
    [
        (
            '<meta property="article:published_time" content="2020-01-19T10:00:00Z">',
            "",
            "2020-01-19T10:00:00+00:00",
        ),
        (
            '<meta name="date" content="Sun, 19 Jan 2020 10:00:00 GMT">',
            "",
            "2020-01-19T10:00:00+00:00",
        ),
        ('<meta name="pubdate" content="20200119">', "", "2020-01-19"),
        ("", '<time datetime="2020-01-19">January 19</time>', "2020-01-19"),
        ("", '<span itemprop="datePublished" content="2020/01/19">x</span>', "2020-01-19"),
        ('<meta name="date" content="19 janvier 2020">', "", "2020-01-19"),
    ],
)
def test_date_is_read_from_several_places_and_formats(head: str, body: str, date: str) -> None:
    assert _meta(head, body).date == date


def test_broken_json_ld_is_ignored_and_meta_tags_still_read() -> None:
    meta = _meta(
        '<script type="application/ld+json">{"@type": "NewsArticle", </script>'
        '<meta property="og:title" content="Fallback title">'
        '<meta property="og:locale" content="pt_BR">'
    )
    assert meta.title == "Fallback title"
    assert meta.language == "pt"
    assert meta.declares_article is False


def test_article_body_is_taken_from_the_longest_article_node() -> None:
    meta = _meta(
        '<script type="application/ld+json">[{"@type":"BlogPosting","articleBody":"short"},'
        '{"@type":"NewsArticle","articleBody":"the much longer body of the article"}]</script>'
    )
    assert meta.article_body == "the much longer body of the article"
