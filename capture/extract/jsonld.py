"""Pure: the JSON-LD blocks of a page -> the one node that describes its article."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "scholarlyarticle",
        "techarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
        "posting",
        "review",
        "medicalscholarlyarticle",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

JsonNode = dict[str, Any]


def _load_block(raw: str) -> Any:
    text = raw.strip()
    for prefix, suffix in (("<!--", "-->"), ("/*<![CDATA[*/", "/*]]>*/"), ("<![CDATA[", "]]>")):
        if text.startswith(prefix) and text.endswith(suffix):
            text = text[len(prefix) : -len(suffix)].strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_CONTROL.sub(" ", text).replace("\n", " "), strict=False)
    except ValueError:
        return None


CONTAINER_KEYS = ("@graph", "mainEntity", "itemListElement", "hasPart")
"""Keys whose values hold further JSON-LD nodes."""


def walk(data: Any, keys: tuple[str, ...] = CONTAINER_KEYS) -> Iterator[JsonNode]:
    """Yield every JSON-LD node in data (lists, @graph and the container keys, depth first)."""
    if isinstance(data, list):
        for item in data:
            yield from walk(item, keys)
    elif isinstance(data, dict):
        yield data
        for key in keys:
            if key in data:
                yield from walk(data[key], keys)


def node_types(node: JsonNode) -> set[str]:
    """Return the lower-cased local names of a node's @type."""
    value = node.get("@type")
    names = value if isinstance(value, list) else [value]
    return {str(name).rsplit("/", 1)[-1].lower() for name in names if name}


def json_ld_nodes(tree: HtmlElement) -> list[JsonNode]:
    """Return every JSON object of the page's JSON-LD blocks, @graph members flattened."""
    nodes: list[JsonNode] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        nodes.extend(walk(_load_block(script.text or "")))
    return nodes


def article_node(nodes: list[JsonNode]) -> JsonNode | None:
    """Return the node that describes the page's article, the longest-bodied when several do."""
    articles = [node for node in nodes if node_types(node) & ARTICLE_TYPES]
    if not articles:
        return None
    return max(articles, key=lambda node: len(text_value(node.get("articleBody")) or ""))


def resolve(value: Any, nodes: list[JsonNode]) -> Any:
    """Return `value`, or the node its `{"@id": ...}` reference points to."""
    if isinstance(value, dict) and set(value) == {"@id"}:
        for node in nodes:
            if node.get("@id") == value["@id"] and len(node) > 1:
                return node
    return value


def text_value(value: Any) -> str | None:
    """Return a plain string held directly, in a list, or in a `name`/`@value`/`url` field."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            found = text_value(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key in ("@value", "name", "url", "contentUrl"):
            found = text_value(value.get(key))
            if found:
                return found
    return None


def names(value: Any, nodes: list[JsonNode]) -> list[str]:
    """Return the names of one person or organisation, or of a list of them."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        resolved = resolve(item, nodes)
        if isinstance(resolved, str):
            name = resolved.strip()
        elif isinstance(resolved, dict):
            name = text_value(resolved.get("name")) or ""
        else:
            name = ""
        if name and not name.startswith("http") and name not in found:
            found.append(name)
    return found
