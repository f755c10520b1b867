"""Settling: a capture waits for what the page itself has scheduled, and for no more.

Each page adds a paragraph `#late` in a way the network does not show: on a timer, on a timer
set by a timer or by an idle callback, or never within reach. The capture must have it exactly
when the page's own work would have added it within `timers_s` of load.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest, html
from capture.options import CaptureOptions
from tests.browser.captured import Captured, capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

ADD_LATE = """const addLate = (text) => {
  const p = document.createElement("p");
  p.id = "late";
  p.textContent = text;
  document.querySelector("article").appendChild(p);
};"""


WORK_IN_SLICES = """// Work for ms in 5 ms slices, yielding between them as schedulers do.
const workInSlices = (ms) => new Promise((resolve) => {
  const until = performance.now() + ms;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const slice = performance.now() + 5;
    while (performance.now() < slice) {}
    if (performance.now() < until) channel.port2.postMessage(null); else resolve();
  };
  channel.port2.postMessage(null);
});"""


def page(script: str) -> str:
    """Return a short article page that runs script (with addLate defined)."""
    return f"""<!doctype html><html><head><title>Quay</title></head><body>
<article><h1>Quay</h1><p>The council met on Tuesday.</p></article>
<script>{ADD_LATE}
{script}</script></body></html>"""


PAGES = {
    "/timer": page(
        'addEventListener("load", () => setTimeout(() => addLate("came on a timer"), 900));'
    ),
    "/far-timer": page(
        'addEventListener("load", () => setTimeout(() => addLate("came much later"), 8000));'
    ),
    "/cancelled": page(
        """const timer = setTimeout(() => addLate("never"), 1200);
addEventListener("load", () => clearTimeout(timer));
const text = Function.prototype.toString;
addLate([setTimeout.name, setTimeout.length, typeof setTimeout, text.call(setTimeout),
         text.call(clearTimeout), text.call(text),
         text.call(EventTarget.prototype.addEventListener),
         text.call(IntersectionObserver.prototype.observe)].join("|"));"""
    ),
    "/chained": page(
        """addEventListener("load", () => setTimeout(() => setTimeout(() =>
  addLate("second of two timers"), 500), 500));"""
    ),
    "/polling": page(
        """let ticks = 0;
const tick = () => { ticks += 1; document.title = "tick " + ticks; setTimeout(tick, 100); };
addEventListener("load", tick);
setInterval(() => {}, 50);"""
    ),
    "/fetch-chain": page(
        WORK_IN_SLICES
        + """addEventListener("load", async () => {
  const first = await (await fetch("/data/first.json")).json();
  await workInSlices(200);
  const second = await (await fetch(first.next)).json();
  const img = new Image();
  img.onload = () => addLate(first.text + " " + second.text + " " + img.naturalWidth);
  img.src = second.image;
  document.body.appendChild(img);
});"""
    ),
    "/slow-image": page(
        """addEventListener("load", () => {
  const img = new Image();
  img.onload = () => addLate("slow image loaded");
  img.src = "/img/slow.png";
  document.body.appendChild(img);
});"""
    ),
    "/idle": page(
        """addEventListener("load", () => requestIdleCallback(() =>
  setTimeout(() => addLate("after an idle callback"), 600)));"""
    ),
}


def png(width: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 20), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def serve(body: str) -> Route:
    def answer(request: SiteRequest) -> Reply:
        return html(body)

    return answer


def data(body: object, **reply: Any) -> Route:
    def answer(request: SiteRequest) -> Reply:
        if isinstance(body, bytes):
            return Reply(headers=(("Content-Type", "image/png"),), body=body, **reply)
        payload = json.dumps(body).encode()
        return Reply(headers=(("Content-Type", "application/json"),), body=payload, **reply)

    return answer


DATA = {
    "/data/first.json": data({"text": "first", "next": "/data/second.json"}, delay_s=0.05),
    "/data/second.json": data({"text": "second", "image": "/img/chained.png"}, delay_s=0.05),
    "/img/chained.png": data(png(37), delay_s=0.05),
    "/img/slow.png": data(png(41), trickle_s=0.6),
}


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite() as started:
        for path, body in PAGES.items():
            started.add_route(path, serve(body))
        for path, route in DATA.items():
            started.add_route(path, route)
        yield started


def late_text(captured: Captured) -> str | None:
    dom = (captured.folder / "dom.html").read_text(encoding="utf-8")
    start = dom.find('<p id="late">')
    if start < 0:
        return None
    return dom[start + len('<p id="late">') : dom.index("</p>", start)]


def settled(captured: Captured) -> dict[str, Any]:
    step = next(s for s in captured.document["steps"] if s["name"] == "scroll")
    detail: dict[str, Any] = step["detail"]
    return detail


async def capture(
    renderer: ChromiumRenderer, site: LocalSite, path: str, tmp_path: Path, **options: Any
) -> Captured:
    captured = await capture_one(
        site.url(path), renderer, tmp_path, CaptureOptions(dismiss=False, **options)
    )
    assert captured.document["state"] == "complete"
    return captured


async def test_content_that_comes_on_a_timer_after_load_is_waited_for(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture(shared_renderer, site, "/timer", tmp_path)

    assert late_text(captured) == "came on a timer"
    assert settled(captured)["network_quiet"] is True
    assert settled(captured)["timers_waited_s"] > 0  # it slept for the timer, not for the network


async def test_without_following_timers_the_same_content_is_missed(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # The control: the network is quiet all along, so only the timer says there is more.
    captured = await capture(shared_renderer, site, "/timer", tmp_path, timers_s=0)

    assert late_text(captured) is None
    assert settled(captured)["timers_waited_s"] == 0


async def test_a_timer_further_off_than_timers_s_is_not_waited_for(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture(shared_renderer, site, "/far-timer", tmp_path)

    assert late_text(captured) is None
    assert settled(captured) | {"steps": 0, "reacts": []} == {
        "network_quiet": True,
        "timers_waited_s": 0.0,
        "looks": 1,
        "steps": 0,
        "reacts": [],
    }


async def test_a_cancelled_timer_does_not_hold_the_page_and_timers_look_native(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture(shared_renderer, site, "/cancelled", tmp_path)

    assert late_text(captured) == "|".join(
        [
            "setTimeout",
            "1",
            "function",
            "function setTimeout() { [native code] }",
            "function clearTimeout() { [native code] }",
            "function toString() { [native code] }",
            "function addEventListener() { [native code] }",
            "function observe() { [native code] }",
        ]
    )
    assert settled(captured)["timers_waited_s"] == 0.0


async def test_a_timer_set_by_a_timer_is_waited_for_too(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture(shared_renderer, site, "/chained", tmp_path)

    assert late_text(captured) == "second of two timers"
    assert settled(captured)["looks"] >= 3


async def test_a_page_that_polls_forever_settles_once_its_timers_are_past_timers_s(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture(shared_renderer, site, "/polling", tmp_path, timers_s=1.0)

    detail = settled(captured)
    assert detail["network_quiet"] is True
    # Waited for the ticks due within 1 s of load, not for the endless ones after.
    assert 0 < detail["timers_waited_s"] < 2.0


async def test_an_idle_callback_and_the_timer_it_sets_are_waited_for(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # Idle callbacks are not followed: each look waits for an idle moment, after theirs.
    captured = await capture(shared_renderer, site, "/idle", tmp_path)

    assert late_text(captured) == "after an idle callback"


async def test_what_a_fetch_leads_to_is_waited_for_without_any_timer(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # The first answer leads to the next request only after 200 ms of the page's own work in
    # slices between frames, the network quiet meanwhile: the look waits for that work, sees
    # the request it started, and the page is looked at again.
    captured = await capture(shared_renderer, site, "/fetch-chain", tmp_path)

    assert late_text(captured) == "first second 37"
    assert settled(captured)["timers_waited_s"] == 0.0
    assert settled(captured)["looks"] >= 2


async def test_a_body_still_arriving_is_waited_for(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    # Its headers come at once and its body over 0.6 s, with no network event in between.
    captured = await capture(shared_renderer, site, "/slow-image", tmp_path)

    assert late_text(captured) == "slow image loaded"
    assert captured.response(site.url("/img/slow.png")).payload == png(41)
