"""Pure: drop from a parsed DOM what the reader never saw, using the rendered layout.

Also, with or without a layout: hover cards inside paragraphs (a name's card of picture and
links that a page shows only while the pointer rests on the name).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from capture.extract.model import CAPTURE_ID_ATTRIBUTE, RenderedPage
from capture.extract.rules import DEFAULT_RULES, ExtractionRules


@dataclass(frozen=True, slots=True)
class Pruning:
    """What `drop_unseen` removed, for the article's notes."""

    hidden: int = 0
    fixed: int = 0
    chars: int = 0
    skipped: str = ""


def _text_length(element: HtmlElement) -> int:
    return len("".join(element.itertext()).split())


def _unseen(
    tree: HtmlElement, rendered: RenderedPage
) -> tuple[list[HtmlElement], list[HtmlElement]]:
    boxes = rendered.box_map()
    hidden: list[HtmlElement] = []
    fixed: list[HtmlElement] = []
    for element in tree.iter():
        raw = element.get(CAPTURE_ID_ATTRIBUTE) if isinstance(element.tag, str) else None
        box = boxes.get(int(raw)) if raw and raw.isdigit() else None
        if box is None:
            continue
        if box.hidden or box.offscreen:
            hidden.append(element)
        elif box.fixed:
            fixed.append(element)
    return hidden, fixed


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(elements)
    return [
        element
        for element in elements
        if not any(ancestor in chosen for ancestor in element.iterancestors())
    ]


def drop_unseen(
    tree: HtmlElement, rendered: RenderedPage, rules: ExtractionRules = DEFAULT_RULES
) -> Pruning:
    """Remove hidden, off-page and fixed-position elements from `tree`, which the caller owns.

    Keeps everything when the hidden part would hold most of the page's text, and keeps a fixed
    element that holds a large share of it: both mean the layout cannot be trusted for this page.
    """
    body = tree.find("body")
    total = _text_length(body if body is not None else tree) or 1
    hidden, fixed = _unseen(tree, rendered)
    hidden = _outermost(hidden) if rules.drop_hidden else []
    fixed = fixed if rules.drop_fixed else []
    hidden_words = sum(_text_length(element) for element in hidden)
    if hidden_words > rules.max_hidden_share * total:
        hidden, skipped = [], f"hidden text kept ({hidden_words} of {total} words)"
    else:
        skipped = ""
    hidden_set = set(hidden)
    fixed = [
        element
        for element in _outermost(fixed)
        if _text_length(element) <= rules.max_fixed_share * total
        and not any(ancestor in hidden_set for ancestor in element.iterancestors())
    ]
    removed = 0
    for element in hidden + fixed:
        removed += _text_length(element)
        _remove(element)
    return Pruning(len(hidden), len(fixed), removed, skipped)


def _remove(element: HtmlElement) -> None:
    """Remove `element` and its subtree, keeping its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


HOVER_CARD_MIN_WORDS = 8
"""A card holds a few headlines; an inline link with an icon is shorter. A sentence around the
card holds at least as many words outside it."""
_HOVER_CARD = "//body//p//*[(.//img or .//picture) and count(.//a) >= 2 and not(ancestor::figure)]"


def _link_share(element: HtmlElement) -> float:
    words = _text_length(element)
    linked = sum(_text_length(link) for link in element.iter("a"))
    return linked / words if words else 0.0


def _in_prose(card: HtmlElement) -> bool:
    paragraph = next(card.iterancestors("p"))
    return _text_length(paragraph) - _text_length(card) >= HOVER_CARD_MIN_WORDS


def drop_hover_cards(tree: HtmlElement, rules: ExtractionRules = DEFAULT_RULES) -> int:
    """Remove hover cards from the paragraphs of `tree` (the caller owns it); return how many.

    A hover card is an element inside a paragraph that holds a picture and at least two links,
    and whose words are (nearly) all link text; the innermost such element is removed, so the
    linked name the card belongs to stays in the sentence. The paragraph must hold prose around
    the card: a paragraph that is only a picture and links is what the reader saw there.
    """
    if not rules.drop_hover_cards:
        return 0
    cards = [
        element
        for element in tree.xpath(_HOVER_CARD)
        if _text_length(element) >= HOVER_CARD_MIN_WORDS and _link_share(element) >= 0.9
    ]
    chosen = set(cards)
    innermost = [
        card
        for card in cards
        if not any(other in chosen for other in card.iterdescendants()) and _in_prose(card)
    ]
    for card in innermost:
        _remove(card)
    return len(innermost)
