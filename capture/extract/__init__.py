"""Article extraction: rendered HTML and layout -> the article's text, Markdown and metadata."""

from __future__ import annotations

from capture.extract.article import extract_article
from capture.extract.layout import LAYOUT_SCRIPT, collect_layout
from capture.extract.model import Article, BlockBox, RenderedPage
from capture.extract.rules import DEFAULT_RULES, ExtractionRules

__all__ = [
    "DEFAULT_RULES",
    "LAYOUT_SCRIPT",
    "Article",
    "BlockBox",
    "ExtractionRules",
    "RenderedPage",
    "collect_layout",
    "extract_article",
]
