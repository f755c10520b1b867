"""A closing paragraph of the article's own flow may mention a newsletter; sign-up boxes go."""

from __future__ import annotations

from dataclasses import replace

from capture.extract import DEFAULT_RULES, ExtractionRules, extract_article

URL = "https://riverside.example/news/2026/council-votes-on-the-new-bridge"
BODY = (
    "The city council voted on Tuesday evening to fund a second footbridge over the river, "
    "after two years of public meetings and three rejected designs from local architects.",
    "The bridge will link the market square to the new park on the eastern bank, a walk that "
    "now takes twenty minutes around the old road bridge and its busy junctions.",
    "Councillors said the cost, close to four million euros, would be shared with the regional "
    "government, which has promised half of the money in its budget for next year.",
    "Work is due to start in the spring, and the engineers expect the crossing to open to "
    "walkers and cyclists before the end of the following summer, weather permitting.",
)
CLOSING = (
    "Readers who want to follow the works can sign up for the council's weekly newsletter, "
    "which will publish the building schedule and the road closures as they are decided."
)


def _page(after_body: str) -> str:
    paragraphs = "\n".join(f"<p>{text}</p>" for text in BODY)
    return f"""<!doctype html><html lang="en"><head><title>Council votes on the new bridge</title>
<meta property="og:type" content="article"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><article><h1>Council votes on the new bridge</h1>
{paragraphs}
{after_body}
</article></main>
<footer><p>Riverside Daily, 1 Quay Street.</p></footer></body></html>"""


def _text(html: str, rules: ExtractionRules = DEFAULT_RULES) -> str:
    return extract_article(html, URL, rules=rules).text


def test_closing_paragraph_that_mentions_a_newsletter_stays() -> None:
    text = _text(_page(f"<p>{CLOSING}</p>"))
    assert text.startswith(BODY[0])
    assert text.endswith(CLOSING)


def test_without_the_closing_rule_the_same_paragraph_is_taken_for_furniture() -> None:
    # The rule, not the extractor underneath, is what keeps the paragraph.
    text = _text(_page(f"<p>{CLOSING}</p>"), replace(DEFAULT_RULES, closing_paragraphs=False))
    assert text.endswith(BODY[-1])
    assert "newsletter" not in text


def test_sign_up_box_with_a_form_inside_the_article_is_removed() -> None:
    box = (
        '<div class="signup"><p>Get the Riverside newsletter: sign up for our morning '
        "briefing of local news.</p><form action='/join'><input type='email' name='email'>"
        "<button>Sign up</button></form></div>"
    )
    text = _text(_page(box))
    assert text.endswith(BODY[-1])
    assert "newsletter" not in text


def test_sign_up_paragraph_followed_by_a_form_in_the_flow_is_removed() -> None:
    flat = (
        "<p>Get the Riverside newsletter every morning: sign up for our briefing of local "
        "news.</p><form action='/join'><input type='email' name='email'></form>"
    )
    text = _text(_page(flat))
    assert text.endswith(BODY[-1])
    assert "newsletter" not in text


def test_sign_up_aside_inside_the_article_is_removed() -> None:
    aside = (
        "<aside><p>Like this story? Sign up for the Riverside newsletter and get the "
        "day's news in your inbox every morning.</p></aside>"
    )
    text = _text(_page(aside))
    assert text.endswith(BODY[-1])
    assert "newsletter" not in text


def test_sign_up_links_at_the_end_of_the_article_are_removed() -> None:
    links = (
        '<p><a href="/newsletter">Subscribe to our newsletter.</a> '
        '<a href="/app">Get the app.</a> <a href="/rss">Follow the feed.</a></p>'
    )
    text = _text(_page(links))
    assert text.endswith(BODY[-1])
    assert "newsletter" not in text


def test_a_sign_up_prompt_is_furniture_even_in_the_flow() -> None:
    # Only a mention inside a sentence is the article's: an imperative prompt stays furniture.
    prompt = "<p>Sign up for our newsletter to get stories like this one every morning.</p>"
    text = _text(_page(prompt))
    assert text.endswith(BODY[-1])
