"""Article extraction: rendered HTML and layout -> the article's text, Markdown and metadata.

The names below are imported from their modules when first used: the extractor (trafilatura
and its kin, a quarter of a second) is loaded only by what extracts, and a capture loads it
in the background while its page renders (`capture.run.pipeline`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "DEFAULT_RULES": "rules",
    "ExtractionRules": "rules",
    "Article": "model",
    "BlockBox": "model",
    "RenderedPage": "model",
    "extract_article": "article",
}


def __getattr__(name: str) -> Any:
    """Return a public name of the package, imported from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
