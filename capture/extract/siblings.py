"""Pure: recover article paragraphs an extractor missed because the body was split in chunks.

Pages often cut one article into several containers (ads between them, "chunks" of a grid).
Extractors then keep the biggest chunk only. Paragraphs of the other chunks sit at the same
place in the page's template: the same chain of tags and classes above them. This module finds
the paragraphs that share the chain of the paragraphs already extracted, and adds them in
document order.

A paragraph the extractor kept with a hole in it (an inline element it dropped) is still the same
paragraph: one whose shingles are mostly in the extracted text already is not added again.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

from capture.extract.render import Block, tidy
from capture.extract.rules import DEFAULT_RULES, ExtractionRules

_WORD = re.compile(r"\w+")
MIN_MATCHED = 2
"""How many extracted paragraphs must share a template chain before it is trusted."""
MAX_LINK_SHARE = 0.5
_SENTENCE_END = re.compile('[.!?\u2026:;][\\s"\u201d\u2019\u00bb)]*$')
"""Body paragraphs end like sentences; a caption ends on its credit ("... New York. Reuters")."""

SHINGLE = 4
"""Words per shingle when texts are compared for overlap (as the bench's metric counts them)."""
MAX_KNOWN_SHARE = 0.5
"""A paragraph whose shingles are more than this share in the extracted text is a copy of it."""

Chain = tuple[str, ...]
Shingle = tuple[str, ...]


def text_key(text: str) -> str:
    """Return `text` as lower-case words joined by single spaces: how blocks meet elements."""
    return " ".join(_WORD.findall(text.lower()))


def _chain(element: HtmlElement) -> Chain:
    return tuple(
        f"{ancestor.tag}.{' '.join(sorted((ancestor.get('class') or '').split()))}"
        for ancestor in element.iterancestors()
    )


_TEXT = "descendant-or-self::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
_UNWANTED = "ancestor::figure or ancestor::figcaption or ancestor::aside or ancestor::footer"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(words: list[str]) -> set[Shingle]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _known_share(text: str, known: set[Shingle]) -> float:
    own = _shingles(_words(text))
    return len(own & known) / len(own) if own else 0.0


def _text(element: HtmlElement) -> str:
    return " ".join(str(part) for part in element.xpath(_TEXT))


def _block_of(element: HtmlElement) -> Block:
    text = tidy(_text(element))
    linked = sum(len("".join(_text(link).split())) for link in element.iter("a"))
    share = min(1.0, linked / max(1, len("".join(text.split()))))
    return Block("p", text, text, share)


def add_chunk_siblings(
    blocks: list[Block], tree: HtmlElement, rules: ExtractionRules = DEFAULT_RULES
) -> tuple[list[Block], int]:
    """Return `blocks` with the paragraphs of `tree` that share their template, and how many.

    Only `<p>` elements that end like a sentence are considered; they are inserted after the
    extracted paragraph that precedes them in the document.
    """
    if not rules.chunk_siblings:
        return blocks, 0
    paragraphs = list(tree.iter("p"))
    position = {id(element): index for index, element in enumerate(paragraphs)}
    by_text: dict[str, HtmlElement] = {}
    for element in paragraphs:
        by_text.setdefault(text_key(element.text_content()), element)
    matched: dict[int, int] = {}
    for index, block in enumerate(blocks):
        element = by_text.get(text_key(block.text))
        if block.kind == "p" and element is not None:
            matched[index] = position[id(element)]
    chains = Counter(_chain(paragraphs[place]) for place in matched.values())
    trusted = {chain for chain, count in chains.items() if count >= MIN_MATCHED}
    used = set(matched.values())
    known = " ".join(text_key(block.text) for block in blocks)
    shingles = set().union(*(_shingles(_words(block.text)) for block in blocks))
    extra: list[tuple[int, Block]] = []
    for place, element in enumerate(paragraphs):
        if place in used or _chain(element) not in trusted or element.xpath(_UNWANTED):
            continue
        block = _block_of(element)
        if (
            len(block.text.split()) >= rules.sibling_min_words
            and _SENTENCE_END.search(block.text) is not None
            and block.link_share <= MAX_LINK_SHARE
            and text_key(block.text) not in known
            and _known_share(block.text, shingles) <= MAX_KNOWN_SHARE
        ):
            extra.append((place, block))
    if not extra or not matched:
        return blocks, 0
    return _merge(blocks, matched, extra), len(extra)


def _merge(
    blocks: list[Block], matched: dict[int, int], extra: list[tuple[int, Block]]
) -> list[Block]:
    """Interleave `extra` into `blocks` by document position."""
    keyed: list[tuple[float, int, Block]] = []
    last = -1.0
    for index, block in enumerate(blocks):
        last = float(matched.get(index, last))
        keyed.append((last, 0, block))
    keyed.extend((float(place), 1, block) for place, block in extra)
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [block for _, _, block in keyed]
