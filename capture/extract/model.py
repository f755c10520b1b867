"""Frozen data of the extraction stage: what a page looked like, and the article found in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FLAG_HIDDEN = 1
"""The element was not rendered, or rendered without area, opacity or visible text."""
FLAG_FIXED = 2
"""The element (or an ancestor) was `position: fixed` or `sticky`: a bar, a banner, a dialog."""
FLAG_OFFSCREEN = 4
"""The element lay wholly outside the page (left of it, above it, or clipped away)."""

CAPTURE_ID_ATTRIBUTE = "data-capture-id"
"""The attribute the layout script stamps on each element it measures (`capture.browser.layout`)."""


@dataclass(frozen=True, slots=True)
class BlockBox:
    """Where one stamped element of the rendered page was, in page CSS pixels."""

    capture_id: int
    x: int
    y: int
    width: int
    height: int
    flags: int = 0
    font_px: int = 0

    @property
    def hidden(self) -> bool:
        """Return True when the element was not visible."""
        return bool(self.flags & FLAG_HIDDEN)

    @property
    def fixed(self) -> bool:
        """Return True when the element stayed put while the page scrolled."""
        return bool(self.flags & FLAG_FIXED)

    @property
    def offscreen(self) -> bool:
        """Return True when the element lay outside the page."""
        return bool(self.flags & FLAG_OFFSCREEN)


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """Return value of the layout script: the viewport, the page size and the stamped boxes.

    Elements are matched to the saved DOM by their `data-capture-id` attribute, which the layout
    script stamps on each element it measured.
    """

    viewport_width: int
    viewport_height: int
    page_width: int
    page_height: int
    boxes: tuple[BlockBox, ...] = ()
    version: int = 1

    def box_map(self) -> dict[int, BlockBox]:
        """Return the boxes keyed by capture id."""
        return {box.capture_id: box for box in self.boxes}

    def to_json(self) -> dict[str, Any]:
        """Return the layout as compact JSON-ready data (one column per field)."""
        return {
            "version": self.version,
            "viewport": [self.viewport_width, self.viewport_height],
            "page": [self.page_width, self.page_height],
            "columns": ["id", "x", "y", "w", "h", "flags", "font"],
            "boxes": [
                [b.capture_id, b.x, b.y, b.width, b.height, b.flags, b.font_px] for b in self.boxes
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RenderedPage:
        """Return the layout stored by `to_json` or returned by the layout script."""
        viewport = data.get("viewport") or [0, 0]
        page = data.get("page") or [0, 0]
        boxes = tuple(
            BlockBox(*(int(value) for value in row[:7])) for row in data.get("boxes") or ()
        )
        return cls(
            viewport_width=int(viewport[0]),
            viewport_height=int(viewport[1]),
            page_width=int(page[0]),
            page_height=int(page[1]),
            boxes=boxes,
            version=int(data.get("version", 1)),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """The article of a page: its text, its Markdown and what the page declares about it.

    `text` holds plain paragraphs separated by one blank line, with no trailing spaces; it is ""
    when the page has no article (`is_article` is then False and `notes` say why).
    """

    text: str
    markdown: str
    is_article: bool
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    lead_image: str | None = None
    description: str | None = None
    text_source: str = "dom"
    """Where the text came from: "dom", "json-ld" or "dom+json-ld"; "served" when the capture
    recovered text a script removed from the page (capture.overlays.removed)."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Short facts on how the text was chosen, for article.json."""

    @property
    def word_count(self) -> int:
        """Return the number of words of the text."""
        return len(self.text.split())

    def to_json(self) -> dict[str, Any]:
        """Return the article as the data of article.json."""
        return {
            "is_article": self.is_article,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "language": self.language,
            "site_name": self.site_name,
            "canonical_url": self.canonical_url,
            "lead_image": self.lead_image,
            "description": self.description,
            "word_count": self.word_count,
            "text_source": self.text_source,
            "notes": list(self.notes),
            "text": self.text,
        }
