"""Pure: reconcile the text found in the DOM with the `articleBody` the page declares.

Three outcomes, named by `Reconciled.source`:
- "dom": no usable declaration; the DOM text stands.
- "dom+json-ld": the declaration is the same article; DOM blocks that it does not contain are
  dropped (the declaration is the page's own statement of what its article is).
- "json-ld": the visible text is a truncated part of the declaration (a paywall, a "read more"
  fold): the declared body replaces it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from capture.extract.render import Block

_WORD = re.compile(r"\w+")
SHINGLE = 4
SAME_ARTICLE = 0.8
"""Share of the DOM text's shingles found in the declaration for both to be one article."""
TRUNCATED = 0.6
"""DOM text shorter than this share of the declaration is taken as truncated."""
KEEP_BLOCK = 0.5
"""A DOM block is kept when this share of its shingles is in the declaration."""


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The blocks to publish, where they came from, and why."""

    blocks: tuple[Block, ...]
    source: str
    note: str = ""


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _contained(part: Counter[tuple[str, ...]], whole: Counter[tuple[str, ...]]) -> float:
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def declared_blocks(body: str) -> tuple[Block, ...]:
    """Return the paragraphs of a declared article body."""
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n|\n", body))
    return tuple(Block("p", text, text) for text in paragraphs if text)


def reconcile(blocks: list[Block], article_body: str | None) -> Reconciled:
    """Return the blocks checked against (or replaced by) the declared `article_body`."""
    if not article_body:
        return Reconciled(tuple(blocks), "dom")
    declared = _shingles(article_body)
    dom_text = " ".join(block.text for block in blocks)
    dom = _shingles(dom_text)
    dom_words, declared_words = len(dom_text.split()), len(article_body.split())
    inside = _contained(dom, declared)
    if dom_words < TRUNCATED * declared_words and (not dom_words or inside >= SAME_ARTICLE):
        note = f"visible text ({dom_words} words) truncated; JSON-LD articleBody used"
        return Reconciled(declared_blocks(article_body), "json-ld", note)
    if inside < SAME_ARTICLE or declared_words < TRUNCATED * dom_words:
        note = f"JSON-LD articleBody not used ({declared_words} words, {inside:.0%} shared)"
        return Reconciled(tuple(blocks), "dom", note)
    kept = tuple(
        block for block in blocks if _contained(_shingles(block.text), declared) >= KEEP_BLOCK
    )
    note = f"checked against JSON-LD articleBody: {len(blocks) - len(kept)} blocks dropped"
    return Reconciled(kept, "dom+json-ld", note)
