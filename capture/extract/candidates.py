"""Pure: several ways of finding the article body in a tree, each giving a `Candidate`."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from capture.extract.render import Block, body_blocks


@dataclass(frozen=True, slots=True)
class Candidate:
    """One extractor's answer: the body tree in trafilatura's vocabulary and its renderings."""

    name: str
    blocks: tuple[Block, ...]

    @property
    def words(self) -> int:
        """Return the number of words of the candidate's text."""
        return sum(len(block.text.split()) for block in self.blocks)


def trafilatura_candidate(
    tree: HtmlElement, url: str | None, *, mode: str = "balanced"
) -> Candidate:
    """Return trafilatura's extraction in `mode` ("balanced", "precision", "recall").

    The candidate is empty (no text) when trafilatura found nothing worth keeping.
    """
    document = trafilatura.bare_extraction(
        deepcopy(tree),
        url=url,
        include_comments=False,
        include_tables=True,
        include_formatting=True,
        include_links=True,
        favor_precision=mode == "precision",
        favor_recall=mode == "recall",
        with_metadata=False,
    )
    body = getattr(document, "body", None)
    if body is None:
        return Candidate(f"trafilatura-{mode}", ())
    return Candidate(f"trafilatura-{mode}", tuple(body_blocks(body)))
