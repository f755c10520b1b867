"""Pure: HTML text -> an lxml tree, tolerant of what real pages hold."""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.etree import ParserError
from lxml.html import HtmlElement

_PARSER = lxml_html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    remove_comments=True,
    remove_pis=True,
    encoding="utf-8",
)
_NULLS = re.compile(r"[\x00\ufeff]")


def parse_html(html: str) -> HtmlElement:
    """Return the document tree of `html`; an empty `<html>` when there is nothing to parse."""
    data = _NULLS.sub("", html).encode("utf-8", "surrogatepass")
    try:
        tree = lxml_html.document_fromstring(data, parser=_PARSER)
    except (ParserError, ValueError):
        return lxml_html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)
    if not isinstance(tree, HtmlElement):
        return lxml_html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)
    return tree
