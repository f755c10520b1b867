"""Pure: the body's own flow, the containers whose children are the extracted paragraphs.

An article's paragraphs stand side by side in one container (an `<article>`, an articleBody
`<div>`). What else stands among them there belongs to the article when it reads so: a heading
between two paragraphs, a closing paragraph after them. A sign-up box is not part of the flow: it
has a container of its own, a form, or is a list of links; an `<aside>` is set apart by its tag.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from lxml.html import HtmlElement

from capture.extract.boilerplate import is_furniture
from capture.extract.render import Block, tidy
from capture.extract.siblings import text_key

MIN_FLOW_PARAGRAPHS = 2
"""How many extracted paragraphs a container must hold directly to be the body's flow."""
MAX_HEADING_WORDS = 20
MAX_LINK_SHARE = 0.5
"""A closing paragraph with more of its text in links than this is a list of links."""
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_HEADING_CLASS = re.compile(r"subhead|heading|crosshead|intertitle", re.IGNORECASE)
_SENTENCE_END = re.compile('[.!?\u2026]["\u201d\u2019\u00bb)]*$')
_SET_APART = (
    "ancestor-or-self::form or ancestor-or-self::aside or ancestor-or-self::nav"
    " or ancestor-or-self::footer or ancestor-or-self::figure"
)
_CONTROLS = ".//form or .//input or .//button or .//select or .//textarea"
_TEXT = "descendant-or-self::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"


@dataclass(frozen=True, slots=True)
class Flow:
    """Where the extracted paragraphs stand: each matched block's container and child index."""

    places: tuple[tuple[int, HtmlElement, int], ...] = ()
    """(block index, container, index among the container's children), in block order."""
    containers: frozenset[HtmlElement] = frozenset()
    """The containers that hold at least `MIN_FLOW_PARAGRAPHS` extracted paragraphs."""


def body_flow(blocks: list[Block], tree: HtmlElement) -> Flow:
    """Return where the paragraph blocks of `blocks` stand among the `<p>` elements of `tree`."""
    by_text: dict[str, HtmlElement] = {}
    for element in tree.iter("p"):
        by_text.setdefault(text_key(element.text_content()), element)
    places: list[tuple[int, HtmlElement, int]] = []
    for index, block in enumerate(blocks):
        element = by_text.get(text_key(block.text)) if block.kind == "p" else None
        parent = element.getparent() if element is not None else None
        if element is not None and parent is not None:
            places.append((index, parent, parent.index(element)))
    counts = Counter(container for _, container, _ in places)
    containers = frozenset(c for c, n in counts.items() if n >= MIN_FLOW_PARAGRAPHS)
    return Flow(tuple(places), containers)


def _next_element(element: HtmlElement) -> HtmlElement | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following


def _is_prose_in_flow(block: Block, element: HtmlElement) -> bool:
    if element.xpath(_SET_APART) or element.xpath(_CONTROLS):
        return False
    following = _next_element(element)
    if following is not None and (following.tag == "form" or following.xpath(_CONTROLS)):
        return False
    return block.link_share <= MAX_LINK_SHARE and bool(_SENTENCE_END.search(block.text.strip()))


def flow_paragraphs(blocks: list[Block], flow: Flow) -> frozenset[str]:
    """Return the text keys of the blocks that are prose paragraphs of the body's own flow.

    A paragraph is in the flow when its container holds the body's paragraphs, nothing sets it
    apart (a form, an aside, a nav, a footer, a figure around it, form controls in it or right
    after it), it is not mostly links, and it ends like a sentence.
    """
    kept: set[str] = set()
    for index, container, child in flow.places:
        if container in flow.containers and _is_prose_in_flow(blocks[index], container[child]):
            kept.add(text_key(blocks[index].text))
    return frozenset(kept)


def _heading_block(element: HtmlElement) -> Block | None:
    if not isinstance(element.tag, str):
        return None
    if element.tag not in HEADING_TAGS and not _HEADING_CLASS.search(element.get("class") or ""):
        return None
    if element.xpath(_SET_APART) or element.xpath(_CONTROLS):
        return None
    text = tidy(" ".join(str(part) for part in element.xpath(_TEXT))).replace("\n", " ")
    if not 1 <= len(text.split()) <= MAX_HEADING_WORDS:
        return None
    # A heading between two paragraphs may link (a product, a source); furniture it must not be.
    block = Block("head", text, f"## {text}")
    return None if is_furniture(block) else block


def add_flow_headings(blocks: list[Block], flow: Flow) -> tuple[list[Block], int]:
    """Return `blocks` with the headings that stand between the body's paragraphs, and how many.

    A heading (an `h2`-`h6`, or an element whose class names it a subhead) counts when it is a
    child of a flow container after one extracted paragraph and before another, and does not read
    as furniture (a "Related:" or "Read more" line); it may be a link (a product, a source). It
    goes in right after the paragraph that precedes it.
    """
    known = {text_key(block.text) for block in blocks}
    after: dict[int, list[Block]] = {}
    for container in flow.containers:
        placed = sorted((child, index) for index, box, child in flow.places if box is container)
        for (child, index), (next_child, _) in pairwise(placed):
            for element in container[child + 1 : next_child]:
                heading = _heading_block(element)
                if heading is not None and text_key(heading.text) not in known:
                    known.add(text_key(heading.text))
                    after.setdefault(index, []).append(heading)
    if not after:
        return blocks, 0
    merged: list[Block] = []
    for index, block in enumerate(blocks):
        merged.append(block)
        merged.extend(after.get(index, ()))
    return merged, sum(len(found) for found in after.values())
