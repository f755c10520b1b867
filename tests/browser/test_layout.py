"""The DOM as saved (dom.html), and the layout and stamped DOM collected for extraction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page

from capture.browser.devtools import rendered_dom
from capture.browser.layout import collect_layout
from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(loop_scope="module")
async def page(shared_renderer: ChromiumRenderer, site: LocalSite) -> AsyncIterator[Page]:
    """Yield the core site's index page, loaded in a context of its own."""
    context = await shared_renderer.browser.new_context()
    try:
        opened = await context.new_page()
        await opened.goto(site.url("/index.html"))
        yield opened
    finally:
        await context.close()


async def test_the_stamped_dom_is_the_page_content_with_an_id_for_every_box(page: Page) -> None:
    layout, html = await collect_layout(page)

    assert html == await page.content()  # serialized as Playwright does, doctype included
    assert html.lower().startswith("<!doctype html>")
    assert layout.boxes
    for box in layout.boxes:
        assert f'data-capture-id="{box.capture_id}"' in html


async def test_the_saved_dom_is_page_content_read_where_the_page_s_scripts_cannot_reach(
    page: Page,
) -> None:
    session = await page.context.new_cdp_session(page)

    assert await rendered_dom(session) == await page.content()

    # A page that lies about its own markup, in its own world, does not change the record.
    await page.evaluate(
        """() => Object.defineProperty(Element.prototype, "outerHTML",
                                       { get: () => "<html>nothing here</html>" })"""
    )
    assert "nothing here" not in await rendered_dom(session)
