"""Article text a script removed: present in the document the server sent, gone from the page.

A paywall script may replace everything after the first paragraphs once the page has loaded.
The text then reached this browser (the WARC's response record holds it) but not the page a
reader saw. It is not gated: the capture recovers it into article.txt from the served
document, says so in article.json and the intervention log, and leaves the screenshots as the
reader saw the page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from capture.extract.model import Article
from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import Page

RULE = "generic:removed_text"

MIN_REMOVED_CHARS = 400
"""Fewer characters than this of served paragraphs missing from the page are page furniture."""


@dataclass(frozen=True, slots=True)
class Removed:
    """Served paragraphs the page no longer holds."""

    paragraphs: int
    chars: int
    kept: int
    """Served paragraphs still in the page (the teaser): the same article, cut short."""

    def describe(self) -> str:
        """Return the intervention's detail."""
        return (
            f"{self.paragraphs} paragraphs ({self.chars} characters) of article text were in "
            "the document the server sent and were removed from the page by a script after "
            f"it loaded ({self.kept} paragraphs stayed); article.txt takes the text from the "
            "served document (the WARC's response record); the screenshots show the page as "
            "the reader saw it, without them"
        )


def removal(facts: dict[str, Any]) -> Removed | None:
    """Return the removal that js/removed-paragraphs.js's facts show, or None when nothing
    worth it went (pure).

    The teaser must still be in the page: a page that kept none of the served paragraphs was
    rebuilt by its script (an app), not cut short.
    """
    removed = [int(n) for n in facts.get("removed") or ()]
    kept = [int(n) for n in facts.get("kept") or ()]
    if not kept or len(removed) < 2 or sum(removed) < MIN_REMOVED_CHARS:
        return None
    return Removed(paragraphs=len(removed), chars=sum(removed), kept=len(kept))


async def removed_text(page: Page, served_html: str) -> Removed | None:
    """Return what of the served document's article text the page no longer holds, or None."""
    return removal(await page.evaluate(page_script("removed-paragraphs.js"), served_html))


def recovered_article(article: Article | None, served_html: str, url: str) -> Article | None:
    """Return the article with its text taken from the served document, when that has more
    (pure); the rendered page's metadata is kept, and article.json says where the text came
    from (`text_source: served`, a note)."""
    from capture.extract.article import extract_article

    served = extract_article(served_html, url)
    if not served.is_article or (article is not None and served.word_count <= article.word_count):
        return article
    before = article.word_count if article is not None else 0
    note = (
        f"recovered: {served.word_count - before} words of article text that a script removed "
        "from the page were taken from the document the server sent (the WARC's response "
        "record); the screenshots show the page without them"
    )
    base = article if article is not None else served
    return replace(
        base,
        text=served.text,
        markdown=served.markdown,
        is_article=True,
        text_source="served",
        notes=(*base.notes, note),
    )
