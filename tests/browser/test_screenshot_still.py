"""The screenshot over CDP: the page held still for it and let go afterwards, and a shot asked for
before Chromium has drawn a frame.

A 20 s fade-in is shown at its end, an endless colour cycle cancelled (the element's own colour),
a focused input without its blinking caret; afterwards the endless animation runs again.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from capture.browser.renderer import ChromiumRenderer
from capture.browser.screenshot import _shoot, full_page
from capture.demo.localsite import LocalSite
from capture.demo.replies import html

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PAGE = """<!doctype html><html><head><style>
body { margin: 0; background: #fff; }
#fade { width: 200px; height: 200px; background: rgb(0, 0, 255); opacity: 0;
        transition: opacity 20s linear; }
#fade.in { opacity: 1; }
@keyframes cycle { from { background: rgb(255, 0, 0); } to { background: rgb(0, 255, 0); } }
#cycle { width: 200px; height: 200px; background: rgb(0, 0, 0);
         animation: cycle 3s linear infinite; }
input { font-size: 40px; width: 400px; }
</style></head><body>
<div id="fade"></div><div id="cycle"></div><input id="field" value="typed">
<script>
addEventListener("load", () => {
  requestAnimationFrame(() => requestAnimationFrame(() =>
    document.getElementById("fade").classList.add("in")));
  document.getElementById("field").focus();
});
</script></body></html>"""


def pixel(png: bytes, x: int, y: int) -> tuple[int, ...]:
    with Image.open(io.BytesIO(png)) as image:
        value = image.convert("RGB").getpixel((x, y))
    assert isinstance(value, tuple)
    return value


async def test_the_shot_holds_animations_still_and_lets_them_go_afterwards(
    shared_renderer: ChromiumRenderer,
) -> None:
    with LocalSite() as site:
        site.add_route("/", lambda request: html(PAGE))
        context = await shared_renderer.browser.new_context(viewport={"width": 800, "height": 600})
        try:
            page = await context.new_page()
            await page.goto(site.url("/"))
            await page.wait_for_function(
                "getComputedStyle(document.getElementById('fade')).opacity > 0"
            )
            await page.wait_for_timeout(300)  # well into the endless cycle

            shot = await full_page(page, viewport_width_px=800, max_height_px=5000)

            assert pixel(shot.png, 100, 100) == (0, 0, 255)  # the fade, finished
            assert pixel(shot.png, 100, 300) == (0, 0, 0)  # the cycle, cancelled: its own colour
            states = await page.evaluate(
                "document.getElementById('cycle').getAnimations().map(a => a.playState)"
            )
            assert states == ["running"]
            caret = await page.evaluate("document.getElementById('field').style.caretColor")
            assert caret == ""  # restored after the shot
            assert await page.evaluate("typeof window.__captureShotRestore") == "undefined"
        finally:
            await context.close()


async def test_a_shot_asked_for_before_chromium_has_a_frame_waits_for_one(
    shared_renderer: ChromiumRenderer,
) -> None:
    # Shot straight after load, beyond the window, Chromium at times answers "Unable to
    # capture screenshot" (2 in 10 tries here): the shot waits for a frame and tries again.
    with LocalSite() as site:
        site.add_route("/", lambda request: html("<p>A line of the article.</p>" * 400))
        for _ in range(10):
            context = await shared_renderer.browser.new_context()
            try:
                page = await context.new_page()
                await page.goto(site.url("/"))
                session = await context.new_cdp_session(page)
                png = await _shoot(session, 1280, 0, 9000)
                assert pixel(png, 0, 8999) == (255, 255, 255)
            finally:
                await context.close()
