"""Article extraction: rendered HTML and layout -> the article's text, Markdown and metadata."""

from __future__ import annotations

from capture.extract.article import extract_article
from capture.extract.model import Article, BlockBox, RenderedPage
from capture.extract.rules import DEFAULT_RULES, ExtractionRules

__all__ = [
    "DEFAULT_RULES",
    "Article",
    "BlockBox",
    "ExtractionRules",
    "RenderedPage",
    "extract_article",
]
