"""Walls the capture cannot clear by itself: publisher-declared gating and server-side walls.

A publisher marks paid parts of a page with JSON-LD (`isAccessibleForFree: false`, and a
`hasPart` naming them with a `cssSelector`); when that part is missing or hidden, the text never
reached this browser. A server-side wall sends a teaser only, with a "subscribe to continue"
note where the article would go. Neither is a clean capture: both are reported as gated, with
logging in through a site config as the remedy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capture.extract.jsonld import walk
from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import Page

REMEDY = (
    "Log in with a site config (a `login` action or a `storage_state` file for this site) "
    "to capture the full text."
)

SERVER_WALL_PHRASES = (
    "subscribe to continue", "to continue reading", "subscribe to read", "subscribers only",
    "for subscribers", "already a subscriber", "sign in to continue", "log in to continue",
    "login to continue", "register to continue", "exclusive to subscribers",
    "subscribe to unlock", "nur für abonnenten", "weiterlesen mit", "réservé aux abonnés",
    "contenido exclusivo para suscriptores", "riservato agli abbonati",
)  # fmt: skip
"""Phrases a server-side wall leaves where the article should be."""

SHORT_ARTICLE_CHARS = 1_000
"""Article text (long paragraphs) shorter than this, beside a wall phrase, is only a teaser."""

READABLE_PART_CHARS = 200
"""A declared paid part with less visible text than this did not reach the page."""


@dataclass(frozen=True, slots=True)
class Declaration:
    """What a page's JSON-LD says about paid content."""

    not_free: bool
    selectors: tuple[str, ...]
    """The cssSelector of every part declared not free."""


GATING_KEYS = ("@graph", "hasPart", "mainEntity", "mainEntityOfPage")
"""Where publishers nest the parts they declare not free."""


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    return walk(data, GATING_KEYS)


def _not_free(node: dict[str, Any]) -> bool:
    value = node.get("isAccessibleForFree")
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def declaration(blocks: list[str]) -> Declaration:
    """Return what the JSON-LD blocks of a page declare about paid parts (pure)."""
    not_free = False
    selectors: list[str] = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for node in _nodes(data):
            if not _not_free(node):
                continue
            not_free = True
            selector = node.get("cssSelector")
            for item in selector if isinstance(selector, list) else [selector]:
                if isinstance(item, str) and item.strip() and item.strip() not in selectors:
                    selectors.append(item.strip())
    return Declaration(not_free=not_free, selectors=tuple(selectors))


def wall_phrase(text: str) -> str | None:
    """Return the first server-side wall phrase in `text` (lower case), or None."""
    for phrase in SERVER_WALL_PHRASES:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            return phrase
    return None


def gating_reason(declared: Declaration, facts: dict[str, Any]) -> str | None:
    """Return why the page counts as gated, with the remedy, or None (pure).

    `facts` are those js/gating-facts.js returns: the article's visible text length, the page
    text and the visible text length of each declared part.
    """
    parts: dict[str, int] = {key: int(value) for key, value in (facts.get("parts") or {}).items()}
    missing = [sel for sel in declared.selectors if parts.get(sel, 0) < READABLE_PART_CHARS]
    if missing:
        sizes = ", ".join(f"{sel}: {max(parts.get(sel, 0), 0)} characters" for sel in missing)
        return (
            "gated: the publisher declares part of this article not free (JSON-LD "
            f"isAccessibleForFree false, cssSelector {', '.join(missing)}) and that part is "
            f"missing or hidden in the page ({sizes}). {REMEDY}"
        )
    article_chars = int(facts.get("article_chars") or 0)
    phrase = wall_phrase(str(facts.get("text") or ""))
    if phrase and article_chars < SHORT_ARTICLE_CHARS:
        declared_too = " The publisher also declares it not free." if declared.not_free else ""
        return (
            f"gated: the page carries a teaser only ({article_chars} characters of article "
            f'text) and a wall ("{phrase}"); the rest of the text was never sent to the '
            f"browser.{declared_too} {REMEDY}"
        )
    return None


async def detect_gating(page: Page) -> str | None:
    """Return why the article is behind a wall the capture could not clear, or None.

    Call it after the consent and generic passes: a wall they removed is no longer gating.
    """
    declared = declaration(list(await page.evaluate(page_script("jsonld.js"))))
    facts = await page.evaluate(page_script("gating-facts.js"), list(declared.selectors))
    return gating_reason(declared, facts)
