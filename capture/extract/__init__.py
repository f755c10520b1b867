"""Article extraction: rendered HTML and layout -> the article's text, Markdown and metadata."""

from __future__ import annotations

from capture.extract.article import extract_article
from capture.extract.layout import LAYOUT_SCRIPT, collect_layout
from capture.extract.model import Article, BlockBox, RenderedPage

__all__ = [
    "LAYOUT_SCRIPT",
    "Article",
    "BlockBox",
    "RenderedPage",
    "collect_layout",
    "extract_article",
]
