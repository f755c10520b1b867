"""Recognising publisher-declared gating and server-side walls from page facts."""

from __future__ import annotations

import json

from capture.overlays.gating import declaration, gating_reason, wall_phrase

GATED = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled",
        },
    }
)


def test_a_declared_paid_part_is_found_in_json_ld() -> None:
    found = declaration([GATED])
    assert found.not_free
    assert found.selectors == (".paywalled",)


def test_string_false_graphs_and_lists_of_selectors() -> None:
    block = json.dumps(
        {"@graph": [{"@type": "Article", "isAccessibleForFree": "False",
                     "hasPart": [{"isAccessibleForFree": "false", "cssSelector": [".a", ".b"]}]}]}
    )  # fmt: skip
    assert declaration([block, "not json"]).selectors == (".a", ".b")


def test_free_articles_declare_nothing() -> None:
    block = json.dumps({"@type": "NewsArticle", "isAccessibleForFree": True})
    assert declaration([block]) == declaration([])
    assert not declaration([block]).not_free


def test_a_declared_part_missing_from_the_page_is_gated_with_the_remedy() -> None:
    reason = gating_reason(declaration([GATED]), {"parts": {".paywalled": 0}, "text": ""})
    assert reason is not None
    assert ".paywalled" in reason
    assert "Log in with a site config" in reason


def test_a_declared_part_that_is_readable_is_not_gated() -> None:
    facts = {"parts": {".paywalled": 5000}, "article_chars": 5000, "text": "the story"}
    assert gating_reason(declaration([GATED]), facts) is None


def test_a_teaser_beside_a_wall_phrase_is_a_server_side_wall() -> None:
    facts = {"parts": {}, "article_chars": 190, "text": "subscribe to continue reading."}
    reason = gating_reason(declaration([]), facts)
    assert reason is not None
    assert "teaser" in reason
    assert "Log in with a site config" in reason


def test_a_full_article_with_a_wall_phrase_elsewhere_is_not_gated() -> None:
    facts = {"parts": {}, "article_chars": 4000, "text": "… already a subscriber? log in"}
    assert gating_reason(declaration([]), facts) is None


def test_wall_phrases_match_whole_words() -> None:
    assert wall_phrase("this article is for subscribers.") == "for subscribers"
    assert wall_phrase("for subscribersonly") is None
