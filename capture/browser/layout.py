"""The browser side of extraction: measuring the rendered page, and its DOM with the ids stamped.

`collect_layout(page)` runs `js/layout.js` in the page. The script stamps a `data-capture-id`
attribute (`capture.extract.model.CAPTURE_ID_ATTRIBUTE`) on every element it reports, and the DOM
serialized right after in the same call carries the ids, so each box can be matched to its
element; the attribute changes nothing a reader sees.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from capture.extract.model import RenderedPage
from capture.js import page_script

if TYPE_CHECKING:
    from playwright.async_api import Page


@functools.cache
def stamped_script() -> str:
    """Return js/layout.js and the stamped DOM with it: one call to the page instead of two."""
    return (
        "() => { const layout = ("
        + page_script("layout.js").strip()
        + ")();\n"
        + "  // The DOM as stamped, serialized as page.content() does,"
        + " in the same turn of the page.\n"
        + f"  layout.html = {page_script('serialize-dom.js').strip()};\n"
        + "  return layout; }"
    )


async def collect_layout(page: Page) -> tuple[RenderedPage, str]:
    """Return the layout of the page now shown in `page` and its DOM with the ids stamped in.

    The HTML is for extraction only: it is serialized in the page's own world, where the
    page's scripts could change how it reads (dom.html is taken apart, by `page.content()`).
    """
    data: Any = await page.evaluate(stamped_script())
    if not isinstance(data, dict):
        data = {}
    html = data.pop("html", "")
    return RenderedPage.from_json(data), html if isinstance(html, str) else ""
