"""Finding elements for site rules: through frame chains, into open shadow roots.

Playwright's CSS engine already pierces open shadow roots, so a selector like
`consent-banner button.accept` reaches a button inside the banner's shadow tree. A frame chain
is a list of iframe selectors, outermost first; cross-origin frames work the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import FrameLocator, Locator, Page


def scope(page: Page, frame: Sequence[str]) -> Page | FrameLocator:
    """Return the page, or the innermost frame of the chain, to search in."""
    current: Page | FrameLocator = page
    for selector in frame:
        current = current.locator(selector).first.content_frame
    return current


def locate(page: Page, selector: str, frame: Sequence[str] = ()) -> Locator:
    """Return a locator for every element selector finds in the frame chain."""
    return scope(page, frame).locator(selector)


def locate_text(page: Page, text: str, frame: Sequence[str] = ()) -> Locator:
    """Return a locator for the elements whose visible text is exactly text."""
    return scope(page, frame).get_by_text(text, exact=True)


async def frame_url(page: Page, frame: Sequence[str]) -> str | None:
    """Return the URL of the innermost frame of the chain; None for the main document."""
    if not frame:
        return None
    try:
        owner = scope(page, frame[:-1]).locator(frame[-1]).first
        handle = await owner.element_handle(timeout=1000)
        content = await handle.content_frame()
        await handle.dispose()
    except Exception:  # The frame went away: name the chain instead of its URL.
        return " >> ".join(frame)
    return content.url if content is not None else " >> ".join(frame)
