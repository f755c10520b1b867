"""Walls that come on timers, captured end to end with built-in handling: the demo, a page whose
wall comes well after its banner, and one whose wall is set off by answering the banner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.demo.replies import html
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalSite]:
    with demo_site() as started:
        yield started


async def test_the_wall_that_comes_after_the_first_overlays_is_cleared_too(
    shared_renderer: ChromiumRenderer, demo: LocalSite, tmp_path: Path
) -> None:
    # The banner is there at load, the login pop-up comes 1 s later and the registration
    # wall 1.5 s later: a capture that stopped watching after the first two would keep it.
    captured = await capture_one(demo.url(DEMO_ARTICLE_PATH), shared_renderer, tmp_path)

    done = {(entry["rule"], entry["action"]) for entry in captured.document["interventions"]
            if entry["ok"]}  # fmt: skip
    assert {("generic:wall", "remove"), ("generic:scroll_lock", "unlock_scroll")} <= done
    dom = (captured.folder / "dom.html").read_text(encoding="utf-8")
    for gone in ('id="ijr-cookie-consent"', 'class="mfp-wrap', 'id="ijr-regwall"'):
        assert gone not in dom
    assert captured.document["state"] == "complete"
    # The page settled with its timers, so the shot as served has the pop-up and the wall too.
    scroll = next(step for step in captured.document["steps"] if step["name"] == "scroll")
    assert scroll["detail"]["timers_waited_s"] > 0


SHOW_WALL = """() => {
    const wall = document.createElement("div");
    wall.id = "wall";
    wall.className = "cover";
    wall.style.cssText = "top:20%;bottom:0";
    wall.setAttribute("role", "dialog");
    wall.textContent = "Create your free account or log in to continue reading";
    document.body.appendChild(wall);
  }"""


def banner_and_wall_page(on_accept: str, script: str) -> str:
    """Return an article with a cookie banner (its button runs on_accept) and script, which
    shows the wall with showWall()."""
    return f"""<!doctype html><html><head><title>Harbour news</title>
<style>.cover{{position:fixed;left:0;right:0;background:#222;color:#fff;padding:2em}}</style>
</head><body><article><h1>Harbour news</h1>
<p>The council met on Tuesday to vote on the new sea wall for the northern quay.</p></article>
<div id="cookies" class="cover" style="bottom:0">We use cookies to measure how the site is
  used and to show you offers that suit you.
  <button onclick="{on_accept}">Accept</button></div>
<script>
  const showWall = {SHOW_WALL};
  {script}
</script></body></html>"""


async def assert_banner_and_wall_cleared(
    renderer: ChromiumRenderer, tmp_path: Path, page: str
) -> None:
    with LocalSite() as site:
        site.add_route("/story", lambda request: html(page))
        captured = await capture_one(site.url("/story"), renderer, tmp_path)

    dom = (captured.folder / "dom.html").read_text(encoding="utf-8")
    assert 'id="cookies"' not in dom
    assert 'id="wall"' not in dom
    selectors = [entry["selector"] for entry in captured.document["interventions"]]
    assert "#wall" in selectors


async def test_a_wall_well_after_the_banner_is_waited_for_and_cleared(
    shared_renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    # The wall comes 1.6 s after load, long after the network went quiet: only the page's
    # pending timer says to wait for it.
    page = banner_and_wall_page(
        "document.getElementById('cookies').remove()",
        'window.addEventListener("load", () => setTimeout(showWall, 1600));',
    )
    await assert_banner_and_wall_cleared(shared_renderer, tmp_path, page)


async def test_a_wall_set_off_by_answering_the_banner_is_waited_for_and_cleared(
    shared_renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    # The wall's timer starts only when the banner is accepted, after the page settled:
    # the pass sees it pending and watches until it has run, not just QUIET_MS.
    page = banner_and_wall_page(
        "acceptCookies()",
        """function acceptCookies() {
    document.getElementById("cookies").remove();
    setTimeout(showWall, 1000);
  }""",
    )
    await assert_banner_and_wall_cleared(shared_renderer, tmp_path, page)
