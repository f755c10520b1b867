"""Pure: what a page declares about its article (JSON-LD, Open Graph, meta tags, markup)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.html import HtmlElement

from capture.extract import jsonld
from capture.extract.dates import parse_date

_BY = re.compile(r"^\s*(?:by|par|von|por|di|door)\s*[:\-]?\s+", re.IGNORECASE)
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "datecreated",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page declares about itself; every field is None when the page is silent."""

    title: str | None = None
    byline: str | None = None
    date: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    lead_image: str | None = None
    description: str | None = None
    article_body: str | None = None
    """The JSON-LD `articleBody`, when declared."""
    declares_article: bool = False
    """True when JSON-LD or og:type says the page is an article."""
    page_type: str | None = None
    """The og:type or JSON-LD type of the page's main node."""


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(html.unescape(value).split())
    return text or None


def meta_values(tree: HtmlElement) -> dict[str, str]:
    """Return the first content of each `<meta>` keyed by its lower-cased name or property."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _link(tree: HtmlElement, rel: str) -> str | None:
    for link in tree.iter("link"):
        if rel in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href")).strip()
    return None


def _absolute(value: str | None, url: str | None) -> str | None:
    if not value:
        return None
    return urljoin(url, value) if url else value


def _markup_date(tree: HtmlElement) -> str | None:
    for element in tree.iter("time"):
        found = parse_date(element.get("datetime") or element.text_content())
        if found:
            return found
    for element in tree.xpath('//*[@itemprop="datePublished"]'):
        found = parse_date(element.get("datetime") or element.get("content") or "")
        if found:
            return found
    return None


def _markup_byline(tree: HtmlElement) -> str | None:
    xpath = '//*[@rel="author" or @itemprop="author" or contains(@class, "byline")]'
    for element in tree.xpath(xpath)[:5]:
        text = _clean(element.text_content())
        if text and len(text) < 80:
            return _BY.sub("", text)
    return None


def _title(tree: HtmlElement, meta: dict[str, str], node: jsonld.JsonNode | None) -> str | None:
    declared = node and jsonld.text_value(node.get("headline") or node.get("name"))
    if declared:
        return _clean(declared)
    for key in ("og:title", "twitter:title"):
        if key in meta:
            return _clean(meta[key])
    for heading in tree.iter("h1"):
        text = _clean(heading.text_content())
        if text:
            return text
    title = tree.find(".//title")
    return _clean(title.text_content()) if title is not None else None


def _byline(
    tree: HtmlElement,
    meta: dict[str, str],
    node: jsonld.JsonNode | None,
    nodes: list[jsonld.JsonNode],
) -> str | None:
    if node is not None:
        found = jsonld.names(node.get("author") or node.get("creator"), nodes)
        if found:
            return ", ".join(found)
    for key in _AUTHOR_META:
        value = _clean(meta.get(key))
        if value and not value.startswith("http"):
            return _BY.sub("", value)
    return _markup_byline(tree)


def _date(tree: HtmlElement, meta: dict[str, str], node: jsonld.JsonNode | None) -> str | None:
    if node is not None:
        for key in ("datePublished", "dateCreated", "uploadDate", "dateModified"):
            found = parse_date(jsonld.text_value(node.get(key)))
            if found:
                return found
    for key in _DATE_META:
        found = parse_date(meta.get(key))
        if found:
            return found
    return _markup_date(tree)


def _language(tree: HtmlElement, meta: dict[str, str], node: jsonld.JsonNode | None) -> str | None:
    root = tree.getroottree().getroot()
    declared = (
        root.get("lang")
        or root.get("xml:lang")
        or (node and jsonld.text_value(node.get("inLanguage")))
        or meta.get("content-language")
        or meta.get("og:locale")
        or meta.get("language")
    )
    if not declared:
        return None
    primary = re.split(r"[-_,;\s]", declared.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def page_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Return what the page declares: JSON-LD first, then Open Graph and meta tags, then markup."""
    nodes = jsonld.json_ld_nodes(tree)
    node = jsonld.article_node(nodes)
    meta = meta_values(tree)
    publisher = jsonld.names(node.get("publisher"), nodes) if node else []
    image = jsonld.text_value(node.get("image") or node.get("thumbnailUrl")) if node else None
    og_type = (meta.get("og:type") or "").lower()
    canonical = _link(tree, "canonical") or meta.get("og:url")
    return PageMetadata(
        title=_title(tree, meta, node),
        byline=_byline(tree, meta, node, nodes),
        date=_date(tree, meta, node),
        language=_language(tree, meta, node),
        site_name=_clean(meta.get("og:site_name") or (publisher[0] if publisher else None)),
        canonical_url=_absolute(canonical, url),
        lead_image=_absolute(meta.get("og:image") or image or meta.get("twitter:image"), url),
        description=_clean(meta.get("og:description") or meta.get("description")),
        article_body=_clean_body(jsonld.text_value(node.get("articleBody")) if node else None),
        declares_article=node is not None or og_type == "article",
        page_type=og_type or None,
    )


def _clean_body(value: str | None) -> str | None:
    if not value:
        return None
    text = html.unescape(value)
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("\r\n", "\n").strip()
    return text or None
