"""The site-config fixture sites and one overlay run, in the order the renderer calls the steps.

Pages live in tests/sites/overlays/site-configs, their configs in tests/sites/overlays/configs.
Every overlay is magenta so a test can find it, or its absence, in a screenshot's pixels.
"""

from __future__ import annotations

import io
import re
import secrets
import statistics
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from capture import overlays
from capture.browser import screenshot
from capture.browser.renderer import ChromiumRenderer
from capture.config.site import SiteConfig, load_site
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html, redirect, static_reply
from capture.models import Intervention, Screenshot
from capture.options import CaptureOptions
from capture.overlays.log import InterventionLog

PAGES = Path(__file__).resolve().parents[1] / "sites" / "overlays" / "site-configs"
CONFIGS = PAGES.parent / "configs"
MAGENTA = (255, 0, 255)
USER = "reader-7f3a"
PASSWORD = "s3cret-9d1e-pass"
USER_ENV = "CAPTURE_TEST_LOGIN_USER"
PASSWORD_ENV = "CAPTURE_TEST_LOGIN_PASSWORD"
ADDED_S: list[float] = []
"""The time clear + stop_watching took on each page run in this process."""


def config(name: str) -> SiteConfig:
    """Return the fixture site config tests/sites/overlays/configs/<name>.yaml."""
    return load_site(CONFIGS / f"{name}.yaml")


class LoginServer:
    """The routes of the login wall: the server checks credentials and sets a session cookie."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(8)

    def article(self, request: SiteRequest) -> Reply:
        page = (PAGES / "login-article.html").read_text(encoding="utf-8")
        if f"session={self.token}" in (request.header("Cookie") or ""):
            return html(page.replace("<main>", '<main>\n<div class="signed-in">Signed in</div>'))
        teaser = re.sub(r'<p id="p([3-9]|1\d)">.*?</p>\n?', "", page)
        wall = (
            '<div id="login-wall" class="overlay banner" style="height:50vh">'
            '<h2>Log in to keep reading</h2><a href="/login-wall/login">Log in</a></div>\n'
        )
        teaser = teaser.replace("<body>", '<body style="overflow:hidden">')
        return html(teaser.replace("</main>", "</main>\n" + wall))

    def form(self, request: SiteRequest, error: str = "") -> Reply:
        page = (PAGES / "login.html").read_text(encoding="utf-8")
        return html(page.replace("{{error}}", error))

    def session(self, request: SiteRequest) -> Reply:
        fields = urllib.parse.parse_qs(request.body.decode())
        if fields.get("username") == [USER] and fields.get("password") == [PASSWORD]:
            reply = redirect("/login-wall/account", status=303)
            cookie = ("Set-Cookie", f"session={self.token}; Path=/; HttpOnly")
            return Reply(status=303, headers=(*reply.headers, cookie), body=reply.body)
        return self.form(request, "Wrong user name or password.")

    def account(self, request: SiteRequest) -> Reply:
        if f"session={self.token}" not in (request.header("Cookie") or ""):
            return redirect("/login-wall/login")
        return html('<!doctype html><title>Account</title><p class="signed-in">Signed in</p>')


@contextmanager
def fixture_sites() -> Iterator[LocalSite]:
    """Yield the fixture site on 127.0.0.1; a second origin (localhost) serves the consent frame."""
    with LocalSite(PAGES) as other:
        frame_origin = other.base_url.replace("127.0.0.1", "localhost")
        login = LoginServer()

        def framed(request: SiteRequest) -> Reply:
            reply = static_reply(PAGES, "/frame.html")
            body = reply.body.replace(b"{{other}}", frame_origin.encode())
            return Reply(headers=reply.headers, body=body)

        routes: dict[str, Any] = {
            "/frame.html": framed,
            "/login-wall/article": login.article,
            "/login-wall/login": login.form,
            "/login-wall/session": login.session,
            "/login-wall/account": login.account,
        }
        with LocalSite(PAGES, routes) as site:
            yield site


@dataclass(frozen=True)
class OverlayRun:
    """What a page looked like before and after its overlays were cleared."""

    served: bytes
    """The viewport as served (PNG)."""
    final: bytes
    """The viewport after clearing (PNG), at the top of the page."""
    final_full: Screenshot
    boxes: dict[str, dict[str, float]]
    """The bounding box, in viewport pixels, of each watched overlay as served."""
    outcome: overlays.OverlayOutcome
    watch_failures: tuple[str, ...]
    interventions: tuple[Intervention, ...]
    text: str
    html: str
    scroll_height: int
    viewport_height: int
    scrolled_to: int
    overflow: tuple[str, str]
    added_s: float

    def actions(self) -> list[tuple[str, bool]]:
        """Return (action, ok) of every intervention, in order."""
        return [(entry.action, entry.ok) for entry in self.interventions]


async def run_page(
    renderer: ChromiumRenderer,
    url: str,
    site: SiteConfig | None,
    *,
    overlays_up: tuple[str, ...] = (),
    options: CaptureOptions | None = None,
) -> OverlayRun:
    """Capture url as the renderer will: context, prepare, load, shot, clear, stop, shot, text."""
    options = options or CaptureOptions()
    log = InterventionLog(lambda: datetime.now(UTC))
    viewport = {"width": options.viewport.width, "height": options.viewport.height}
    context = await renderer.browser.new_context(
        viewport=viewport, **overlays.context_options(site, options)
    )
    try:
        await overlays.prepare(context, site, options, log)
        page = await context.new_page()
        await page.goto(url, wait_until="load", timeout=20_000)
        boxes = {}
        for selector in overlays_up:
            target = page.locator(selector).first
            await target.wait_for(state="visible", timeout=10_000)
            box = await target.bounding_box()
            assert box is not None
            boxes[selector] = box
        served = await page.screenshot()
        started = time.monotonic()
        outcome = await overlays.clear(page, site, options, log)
        watch_failures = await overlays.stop_watching(page)
        added_s = time.monotonic() - started
        ADDED_S.append(added_s)
        full = await screenshot.full_page(
            page, viewport_width_px=options.viewport.width, max_height_px=20_000
        )
        final = await page.screenshot()
        facts = await page.evaluate(
            """() => {
              const before = window.scrollY;
              window.scrollTo({top: 300, behavior: "instant"});
              const moved = window.scrollY;
              window.scrollTo({top: before, behavior: "instant"});
              return {
                text: document.body.innerText,
                height: Math.max(document.documentElement.scrollHeight, document.body.scrollHeight),
                viewport: window.innerHeight,
                moved,
                overflow: [getComputedStyle(document.documentElement).overflowY,
                           getComputedStyle(document.body).overflowY],
              };
            }"""
        )
        content = await page.content()
    finally:
        await context.close()
    return OverlayRun(
        served=served,
        final=final,
        final_full=full,
        boxes=boxes,
        outcome=outcome,
        watch_failures=watch_failures,
        interventions=log.snapshot(),
        text=facts["text"],
        html=content,
        scroll_height=facts["height"],
        viewport_height=facts["viewport"],
        scrolled_to=facts["moved"],
        overflow=tuple(facts["overflow"]),  # type: ignore[arg-type]
        added_s=added_s,
    )


def colour_share(
    png: bytes,
    colour: tuple[int, int, int] = MAGENTA,
    box: dict[str, float] | None = None,
    tolerance: int = 40,
) -> float:
    """Return the share of pixels (in box, or the whole image) within tolerance of colour."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        if box is not None:
            left, top = max(int(box["x"]), 0), max(int(box["y"]), 0)
            right = min(int(box["x"] + box["width"]), rgb.width)
            bottom = min(int(box["y"] + box["height"]), rgb.height)
            rgb = rgb.crop((left, top, right, bottom))
        data = rgb.tobytes()
    count = len(data) // 3
    if not count:
        return 0.0
    red, green, blue = colour
    close = sum(
        1
        for i in range(0, len(data), 3)
        if abs(data[i] - red) <= tolerance
        and abs(data[i + 1] - green) <= tolerance
        and abs(data[i + 2] - blue) <= tolerance
    )
    return close / count


def centre_colour(png: bytes, box: dict[str, float]) -> tuple[int, int, int]:
    """Return the colour at the centre of box."""
    with Image.open(io.BytesIO(png)) as image:
        pixel = image.convert("RGB").getpixel(
            (int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))
        )
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def assert_cleared(run: OverlayRun, colour: tuple[int, int, int] = MAGENTA) -> None:
    """Assert each overlay filled its box as served and no trace of it is left in the pixels."""
    for selector, box in run.boxes.items():
        assert colour_share(run.served, colour, box) > 0.3, f"{selector} not in the served shot"
        assert colour_share(run.final, colour, box) < 0.01, f"{selector} still in the final shot"
    assert colour_share(run.final_full.png, colour) < 0.001, "overlay colour left on the page"


def assert_readable(run: OverlayRun, last_words: str) -> None:
    """Assert the article text is complete and the page scrolls."""
    assert last_words in run.text
    assert run.scroll_height > run.viewport_height
    assert run.scrolled_to == 300
    assert "hidden" not in run.overflow
    assert run.final_full.height_px > run.viewport_height


def median_added_s() -> float:
    """Return the median time the overlay step added per page in this process."""
    return statistics.median(ADDED_S) if ADDED_S else 0.0
