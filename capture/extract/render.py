"""Pure: an extracted body tree (trafilatura's XML vocabulary) -> plain text and Markdown.

The vocabulary: `p`, `head rend="h2"`, `list rend="ul|ol"` of `item`, `quote`, `code`,
`table`/`row`/`cell`, inline `hi rend="#b|#i|#u|#t"`, `ref target=...`, `lb` and `graphic`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.etree import _Element

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_INLINE_MARK = {"#b": "**", "#i": "*", "#u": "", "#t": "`"}
_BLOCKS = frozenset({"p", "head", "list", "quote", "code", "table", "div", "graphic"})


def tidy(text: str) -> str:
    """Return `text` with runs of spaces collapsed and each line stripped."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _local(element: _Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _inline_text(element: _Element, markdown: bool, skip_lists: bool = False) -> str:
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = _local(child)
        if tag == "list" and skip_lists:
            pass
        elif tag == "lb":
            parts.append("\n")
        elif tag in _BLOCKS or tag in ("list", "item"):
            parts.append("\n" + _inline_text(child, markdown) + "\n")
        else:
            inner = _inline_text(child, markdown)
            parts.append(_decorate(child, inner) if markdown else inner)
        parts.append(child.tail or "")
    return "".join(parts)


def _decorate(element: _Element, inner: str) -> str:
    tag = _local(element)
    if not inner.strip():
        return inner
    if tag == "ref" and element.get("target"):
        return f"[{inner.strip()}]({element.get('target')})"
    if tag == "hi":
        mark = _INLINE_MARK.get(element.get("rend") or "", "")
        return f"{mark}{inner.strip()}{mark}" if mark else inner
    if tag == "del":
        return f"~~{inner.strip()}~~"
    return inner


def _heading_level(element: _Element) -> int:
    rend = element.get("rend") or "h2"
    return int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2


def _list_blocks(element: _Element, markdown: bool, depth: int = 0) -> Iterator[str]:
    ordered = (element.get("rend") or "").startswith("ol")
    number = 0
    for item in element:
        if _local(item) != "item":
            continue
        number += 1
        text = tidy(_inline_text(item, markdown, skip_lists=True)).replace("\n", " ")
        if text:
            marker = f"{number}. " if ordered else "- "
            yield f"{'   ' * depth}{marker}{text}" if markdown else text
        for child in item:
            if _local(child) == "list":
                yield from _list_blocks(child, markdown, depth + 1)


def _table_block(element: _Element, markdown: bool) -> str:
    rows = []
    for row in element.iter("row"):
        cells = [tidy(_inline_text(cell, markdown)).replace("\n", " ") for cell in row]
        if any(cells):
            rows.append(cells)
    if not markdown:
        return "\n".join(" | ".join(cell for cell in cells if cell) for cells in rows)
    if not rows:
        return ""
    width = max(len(cells) for cells in rows)
    lines = ["| " + " | ".join(cells + [""] * (width - len(cells))) + " |" for cells in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level piece of an article: a paragraph, heading, list item, quote, table."""

    kind: str
    text: str
    markdown: str
    link_share: float = 0.0
    """The share of the text that is link text."""


def _link_share(element: _Element, text: str) -> float:
    total = len("".join(text.split()))
    if not total:
        return 0.0
    linked = sum(len("".join("".join(ref.itertext()).split())) for ref in element.iter("ref"))
    return min(1.0, linked / total)


def body_blocks(body: _Element) -> list[Block]:
    """Return the blocks of `body` in reading order, each rendered as text and as Markdown."""
    found: list[Block] = []
    lead = tidy(body.text or "")
    if lead:
        found.append(Block("p", lead, lead))
    for element in body:
        tag = _local(element)
        if tag == "div":
            found.extend(body_blocks(element))
        elif tag == "list":
            found.extend(_list_items(element))
        else:
            text = "\n\n".join(_element_blocks(element, markdown=False))
            markdown = "\n\n".join(_element_blocks(element, markdown=True))
            if text or markdown:
                found.append(Block(tag, text, markdown, _link_share(element, text)))
        tail = tidy(element.tail or "")
        if tail:
            found.append(Block("p", tail, tail))
    return found


def _list_items(element: _Element) -> list[Block]:
    texts = list(_list_blocks(element, markdown=False))
    marks = list(_list_blocks(element, markdown=True))
    items = [item for item in element if _local(item) == "item"]
    if len(texts) != len(marks):
        return [
            Block(
                "list", "\n\n".join(texts), "\n".join(marks), _link_share(element, " ".join(texts))
            )
        ]
    shares = [_link_share(item, text) for item, text in zip(items, texts, strict=False)]
    shares += [0.0] * (len(texts) - len(shares))
    return [
        Block("item", text, mark, share)
        for text, mark, share in zip(texts, marks, shares, strict=True)
    ]


def join_text(blocks: list[Block]) -> str:
    """Return the plain text of `blocks`: paragraphs separated by one blank line."""
    return "\n\n".join(block.text for block in blocks if block.text)


def join_markdown(blocks: list[Block]) -> str:
    """Return the Markdown of `blocks`, list items of one list kept together."""
    parts: list[str] = []
    for previous, block in zip([None, *blocks], blocks, strict=False):
        if not block.markdown:
            continue
        if parts and block.kind == "item" and previous is not None and previous.kind == "item":
            parts[-1] += "\n" + block.markdown
        else:
            parts.append(block.markdown)
    return "\n\n".join(parts)


def _element_blocks(element: _Element, markdown: bool) -> Iterator[str]:
    tag = _local(element)
    if tag == "list":
        items = list(_list_blocks(element, markdown))
        if markdown and items:
            yield "\n".join(items)
        else:
            yield from items
    elif tag == "table":
        table = _table_block(element, markdown)
        if table:
            yield table
    elif tag == "graphic":
        if markdown and element.get("src"):
            yield f"![{element.get('alt') or ''}]({element.get('src')})"
    else:
        yield from _leaf_block(element, markdown)


def _leaf_block(element: _Element, markdown: bool) -> Iterator[str]:
    tag = _local(element)
    if tag == "code":
        code = "".join(element.itertext()).strip("\n")
        if code.strip():
            yield f"```\n{code}\n```" if markdown else tidy(code)
        return
    text = tidy(_inline_text(element, markdown))
    if not text:
        return
    if markdown and tag == "head":
        yield "#" * _heading_level(element) + " " + text.replace("\n", " ")
    elif markdown and tag == "quote":
        yield "\n".join(f"> {line}" for line in text.split("\n"))
    elif markdown:
        yield text.replace("\n", "  \n")
    else:
        yield text
