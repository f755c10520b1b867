"""The tunable constants and rule switches of extraction, in one place.

`ExtractionRules()` is what the product uses. The extraction bench builds others to check, fold by
fold, that each constant and rule earns its place on pages it was not chosen on; nothing here is
read from the environment or from files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractionRules:
    """The settings `extract_article` runs with; the defaults are the product's.

    Switches turn a general rule off so the bench can measure what it adds; numbers are the
    thresholds the rules use.
    """

    drop_hidden: bool = True
    """With a layout, drop elements the reader never saw (hidden, zero-size, off the page)."""
    drop_fixed: bool = True
    """With a layout, drop fixed and sticky elements (bars, banners, dialogs)."""
    max_hidden_share: float = 0.5
    """Above this share of the page's words, hiding is a rendering accident: keep everything."""
    max_fixed_share: float = 0.3
    """A fixed element holding more of the page's words than this is a main column, not a bar."""
    drop_hover_cards: bool = True
    """Drop hover cards (a picture and links, shown on hover) from inside paragraphs."""
    chunk_siblings: bool = True
    """Add paragraphs that share the template chain of the extracted ones (split bodies)."""
    sibling_min_words: int = 8
    """The shortest paragraph, in words, that the sibling rule adds."""
    flow_headings: bool = True
    """Add the headings that stand between the body's paragraphs in their own container."""
    closing_paragraphs: bool = True
    """Keep a closing paragraph of the body's own flow that only mentions a newsletter."""
    drop_standfirst: bool = True
    """Drop a heading above the body that repeats the page's description (the standfirst)."""
    credit_lines: bool = True
    """Drop closing lines that credit reporters and editors ("Additional reporting by ...")."""
    edge_blocks: int = 3
    """How many blocks at the head of the body count as its edge, where furniture collects."""
    max_furniture_words: int = 40
    """Blocks longer than this are never page furniture."""


DEFAULT_RULES = ExtractionRules()
"""The rules the product extracts with."""
