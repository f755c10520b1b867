"""Pure: decide whether extracted blocks are an article or page furniture (a home page, a list)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from capture.extract.metadata import PageMetadata
from capture.extract.render import Block

MIN_WORDS = 50
"""Fewer words than this, with no declaration of an article, is not an article."""
MAX_LINKED_SHARE = 0.5
"""More of the words than this inside link-dominated blocks reads as a list of links."""
MIN_MEAN_BLOCK_WORDS = 5
"""Articles are paragraphs; lists of headlines average fewer words per block."""
LANGUAGE_HOME = re.compile(r"[a-z]{2}([-_][a-z]{2})?")
"""A path of one language code (`/en/`, `/pt-br/`): a site's home page in that language."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the page holds an article, and the reason when it does not."""

    is_article: bool
    reason: str = ""


def _is_front_page(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    path = parts.path.strip("/").lower()
    return (
        path in ("", "index.html", "index.php", "home")
        or LANGUAGE_HOME.fullmatch(path) is not None
        or path.startswith("search")
        or ("q=" in parts.query or "query=" in parts.query or "s=" in parts.query.split("&")[0])
    )


def judge(blocks: list[Block], meta: PageMetadata, url: str | None) -> Verdict:
    """Return the verdict on `blocks` extracted from the page at `url` that declares `meta`."""
    words = [len(block.text.split()) for block in blocks]
    total = sum(words)
    if not total:
        return Verdict(False, "no article text found")
    if meta.declares_article and total >= 20:
        return Verdict(True)
    if total < MIN_WORDS:
        return Verdict(False, f"only {total} words of text and no article declared")
    if _is_front_page(url):
        return Verdict(False, "a home or search page with no article declared")
    linked = sum(n for n, block in zip(words, blocks, strict=True) if block.link_share > 0.5)
    if linked > MAX_LINKED_SHARE * total:
        return Verdict(False, f"{linked} of {total} words are links: a list, not an article")
    if total / len(blocks) < MIN_MEAN_BLOCK_WORDS:
        return Verdict(False, "short blocks only: a list of items, not an article")
    return Verdict(True)
