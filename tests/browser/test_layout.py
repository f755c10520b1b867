"""The DOM as saved (dom.html), and the layout and stamped DOM collected for extraction."""

from __future__ import annotations

import pytest

from capture.devtools import rendered_dom
from capture.extract import collect_layout
from capture.localsite import LocalSite
from capture.render import ChromiumRenderer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_the_stamped_dom_is_the_page_content_with_an_id_for_every_box(
    shared_renderer: ChromiumRenderer, site: LocalSite
) -> None:
    context = await shared_renderer.browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(site.url("/index.html"))

        layout, html = await collect_layout(page)

        assert html == await page.content()  # serialized as Playwright does, doctype included
        assert html.lower().startswith("<!doctype html>")
        assert layout.boxes
        for box in layout.boxes:
            assert f'data-capture-id="{box.capture_id}"' in html
    finally:
        await context.close()


async def test_the_saved_dom_is_page_content_read_where_the_page_s_scripts_cannot_reach(
    shared_renderer: ChromiumRenderer, site: LocalSite
) -> None:
    context = await shared_renderer.browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(site.url("/index.html"))
        session = await context.new_cdp_session(page)

        assert await rendered_dom(session) == await page.content()

        # A page that lies about its own markup, in its own world, does not change the record.
        await page.evaluate(
            """() => Object.defineProperty(Element.prototype, "outerHTML",
                                           { get: () => "<html>nothing here</html>" })"""
        )
        assert "nothing here" not in await rendered_dom(session)
    finally:
        await context.close()
