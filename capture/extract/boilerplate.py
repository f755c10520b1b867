"""Pure: drop from an extracted block list what is page furniture rather than article.

Rules are about kinds of text that no article body holds (its own headline, teaser links, share
and subscribe prompts, credits, copyright lines), never about particular sites.
"""

from __future__ import annotations

import re

from capture.extract.render import Block
from capture.extract.rules import DEFAULT_RULES, ExtractionRules

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile('[.!?:;\u2026)\\]"\u201d\u2019\u00bb]\\s*$')
_MACHINE_VALUE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|https?://\S+\.(?:jpe?g|png|gif|webp|svg)(?:\?\S*)?)$",
    re.IGNORECASE,
)
_CROSS_LINK = re.compile(
    r"^(?:related|see also|read more|read also|more from|more on this|recommended|"
    r"you may also like|you might also like|also read|also see|leggi anche|lire aussi|"
    r"lesen sie auch|veja também|leia também|ver también|advertisement|sponsored)\b",
    re.IGNORECASE,
)
_PROMPT = re.compile(
    r"^(?:comments?|tags?|filed under|share this|share on|click here|follow us|sign up|"
    r"subscribe)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\b(?:write to \w+|email \w+(?: \w+)? at|follow (?:him|her|them|us) (?:on|@)|"
    r"follow us on|all rights reserved|copyright|"
    r"\u00a9|\u24d2|order reprints|print article|click here)",
    re.IGNORECASE,
)
_CONTRIBUTORS = re.compile(
    r"^\(?(?:additional |with )?(?:reporting|editing|writing) by\b"
    r"|\bcontributed (?:reporting|to this (?:report|story|article))\b",
    re.IGNORECASE,
)
"""The newsroom's closing line that credits reporters and editors: not the story's text."""
_SIGN_UP = re.compile(r"\b(?:subscribe to|sign up for|newsletter)", re.IGNORECASE)
"""A mention of signing up: furniture in a box, prose in the body's own closing paragraph."""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _same_text(first: str, second: str) -> bool:
    a, b = _words(first), _words(second)
    return bool(a) and a == b


def is_headline(block: Block, title: str | None) -> bool:
    """Return True when `block` repeats the page title (or the title repeats it)."""
    if not title:
        return False
    text, head = " ".join(_words(block.text)), " ".join(_words(title))
    if not text or not head:
        return False
    return text == head or (len(text) > 20 and (text in head or head.startswith(text)))


def is_standfirst(block: Block, description: str | None) -> bool:
    """Return True for a heading that repeats the page's description: the standfirst (dek).

    The summary a page sets under its headline is what it declares as its description; set as a
    heading above the body it introduces the article, it is not its text. A paragraph repeating
    the description is the article's own first paragraph, which pages often reuse: it stays.
    """
    if block.kind != "head" or not description:
        return False
    text, summary = " ".join(_words(block.text)), " ".join(_words(description))
    if not text or not summary:
        return False
    return text == summary or (len(text.split()) >= 5 and (text in summary or summary in text))


def is_teaser_link(block: Block) -> bool:
    """Return True for a short block that is only a link to another story."""
    words = _words(block.text)
    if block.link_share < 0.8 or not 3 <= len(words) <= 25 or block.kind == "head":
        return False
    text = block.text.strip()
    if "@" in text or "http" in text or "www." in text:
        return False
    return not _SENTENCE_END.search(text) or text.startswith("(")


def is_furniture(
    block: Block, rules: ExtractionRules = DEFAULT_RULES, *, in_flow: bool = False
) -> bool:
    """Return True for a prompt, credit, copyright or machine value that is not article text.

    `in_flow` says the block is a prose paragraph of the body's own flow (see `flow.py`): there
    a mention of a newsletter or of signing up is the article's own sentence, not a sign-up box.
    """
    text = block.text.strip()
    if _MACHINE_VALUE.match(text):
        return True
    if len(_words(text)) > rules.max_furniture_words:
        return False
    if _CROSS_LINK.match(text) or _PROMPT.match(text) or _CREDIT.search(text):
        return True
    return bool(_SIGN_UP.search(text)) and not (in_flow and rules.closing_paragraphs)


def is_contributor_credit(block: Block, rules: ExtractionRules = DEFAULT_RULES) -> bool:
    """Return True for a short line crediting reporters or editors ("Reporting by ...")."""
    text = block.text.strip()
    return (
        rules.credit_lines
        and len(_words(text)) <= rules.max_furniture_words
        and _CONTRIBUTORS.search(text) is not None
    )


def _closing_furniture(block: Block, rules: ExtractionRules, in_flow: frozenset[str]) -> bool:
    in_own_flow = " ".join(_words(block.text)) in in_flow
    return is_furniture(block, rules, in_flow=in_own_flow) or is_contributor_credit(block, rules)


def strip_furniture(
    blocks: list[Block],
    title: str | None,
    rules: ExtractionRules = DEFAULT_RULES,
    in_flow: frozenset[str] = frozenset(),
    description: str | None = None,
) -> list[Block]:
    """Return `blocks` without headline repeats, the standfirst, teaser links and edge furniture.

    `in_flow` holds the text keys (`siblings.text_key`) of the prose paragraphs of the body's own
    flow; a closing one that mentions a newsletter stays. `description` is the page's declared
    summary: a heading above the first paragraph that repeats it is the standfirst.
    """
    kept = [block for block in blocks if not is_headline(block, title)]
    if rules.drop_standfirst:
        first = next((n for n, block in enumerate(kept) if block.kind == "p"), len(kept))
        kept = [
            block
            for n, block in enumerate(kept)
            if n >= first or not is_standfirst(block, description)
        ]
    # Short blocks that recur (an interviewer's question, a source label) are kept: they are
    # the article's own; copies the reader never saw are gone with the layout.
    kept = [block for block in kept if not is_teaser_link(block)]
    kept = [
        block
        for block in kept
        if not (_MACHINE_VALUE.match(block.text.strip()) or _CROSS_LINK.match(block.text.strip()))
        or len(_words(block.text)) > rules.max_furniture_words
    ]
    # Credits and prompts sit at the edges; in the middle the same words may be quoted prose.
    # Contributor lines close a story; at its head the same words are a byline's business.
    while kept and _closing_furniture(kept[-1], rules, in_flow):
        kept.pop()
    head = 0
    while head < min(rules.edge_blocks, len(kept)) and is_furniture(kept[head], rules):
        head += 1
    return kept[head:]
