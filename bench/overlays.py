"""Built-in overlay benchmark: how many fixture pages the handling without site configs clears,
and what it adds to a capture.

Serves tests/sites/overlays/builtin/ (cases.json says what each page needs) and the demo article
on 127.0.0.1, and runs the overlay step the renderer runs (clear_consent, clear_generic,
detect_gating) on each page, in a fresh context of one Chromium. A page counts as handled when:

- overlay pages: the overlay's colour is gone from the full-page screenshot, the article's last
  line is readable, the page scrolls, and no failure was reported;
- gated pages: the gating is reported;
- false-positive guards: nothing was done and the screenshot is unchanged;
- the demo article: its three overlays are gone and the page scrolls.

It prints each page's result and time, the share handled (target: at least 90 %), and the median
time the overlay step added per page.

Usage: python bench/overlays.py [--runs N] [--choice accept|reject] [--min-share X]

Exits 0 (a benchmark, not a test) unless --min-share is given and the share is below it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops
from playwright.async_api import Browser, Page, async_playwright

from capture.browser.launch import choose_browser, launch
from capture.browser.screenshot import full_page
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.overlays.consent import clear_consent
from capture.overlays.gating import detect_gating
from capture.overlays.generic import clear_generic
from capture.overlays.log import InterventionLog

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "sites" / "overlays" / "builtin"
VIEWPORT = {"width": 1280, "height": 800}
TARGET_SHARE = 0.9
LAST_LINE = "END OF ARTICLE."

READABLE_JS = """(line) => {
  const y = scrollY, go = (top) => scrollTo({top, behavior: "instant"});
  go(0); go(300); const scrolls = scrollY > 0; go(y);
  const last = document.getElementById("last");
  let whole = Boolean(last && last.innerText.includes(line) && last.checkVisibility());
  for (let el = last && last.parentElement; whole && el && el !== document.body;
       el = el.parentElement) {
    const s = getComputedStyle(el);
    if (["hidden", "clip"].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1 &&
        last.getBoundingClientRect().bottom > el.getBoundingClientRect().bottom + 1) {
      whole = false;
    }
  }
  return { scrolls, whole };
}"""


@dataclass(frozen=True)
class Result:
    """One page's run."""

    name: str
    handled: bool
    seconds: float
    note: str


async def _shot(page: Page) -> Image.Image:
    shot = await full_page(page, viewport_width_px=VIEWPORT["width"], max_height_px=20_000)
    return Image.open(io.BytesIO(shot.png)).convert("RGB")


def _colour_pixels(image: Image.Image, colour: list[int]) -> int:
    masks = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= 3 else 0)
        for band, c in zip(image.split(), colour, strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return int(mask.histogram()[255])


async def _overlay_step(page: Page, choice: str) -> tuple[InterventionLog, list[str], Any, float]:
    log = InterventionLog(lambda: datetime.now(UTC))
    started = time.perf_counter()
    await clear_consent(page, choice, log)
    failures = await clear_generic(page, log, choice=choice)
    gated = await detect_gating(page)
    return log, failures, gated, time.perf_counter() - started


async def run_case(browser: Browser, site: LocalSite, case: dict[str, Any], choice: str) -> Result:
    """Return how the overlay step did on one fixture page."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        await page.goto(site.url(case["page"]), wait_until="load")
        if case.get("scroll_to"):
            await page.mouse.wheel(0, case["scroll_to"])
        if case.get("wait_for"):
            await page.wait_for_selector(case["wait_for"], state="visible", timeout=10_000)
        before = await _shot(page) if case.get("guard") else None
        log, failures, gated, seconds = await _overlay_step(page, choice)
        if case.get("gated"):
            return Result(case["name"], gated is not None, seconds, "gated reported")
        after = await _shot(page)
        if before is not None:
            same = before.size == after.size and not ImageChops.difference(before, after).getbbox()
            return Result(case["name"], same and not log.entries, seconds, "left alone")
        readable = await page.evaluate(READABLE_JS, LAST_LINE)
        gone = not case.get("colour") or _colour_pixels(after, case["colour"]) == 0
        ok = gone and readable["scrolls"] and readable["whole"] and not failures and not gated
        note = ", ".join(sorted({f"{e.action} {e.rule}" for e in log.entries if e.ok}))
        return Result(case["name"], ok, seconds, note or "nothing done")
    finally:
        await context.close()


async def run_demo(browser: Browser, choice: str) -> Result:
    """Return how the overlay step did on the demo article."""
    with demo_site() as site:
        context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        try:
            page = await context.new_page()
            await page.goto(site.url(DEMO_ARTICLE_PATH), wait_until="load")
            overlays = ("#ijr-cookie-consent", ".mfp-wrap", "#ijr-regwall")
            for selector in overlays:
                await page.wait_for_selector(selector, state="visible", timeout=10_000)
            _, failures, gated, seconds = await _overlay_step(page, choice)
            visible = [s for s in overlays if await page.is_visible(s)]
            scrolls = (await page.evaluate(READABLE_JS, LAST_LINE))["scrolls"]
            ok = not visible and scrolls and not failures and gated is None
            return Result(
                "demo-article", ok, seconds, f"still visible: {visible}" if visible else ""
            )
        finally:
            await context.close()


async def bench(runs: int, choice: str) -> list[Result]:
    """Return every page's results over `runs` runs."""
    cases = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["cases"]
    results: list[Result] = []
    async with async_playwright() as playwright:
        browser = await launch(
            playwright, choose_browser(playwright, os.environ.get("CAPTURE_BROWSER"))
        )
        try:
            with LocalSite(FIXTURES) as site:
                for _ in range(runs):
                    for case in cases:
                        results.append(await run_case(browser, site, case, choice))
                    results.append(await run_demo(browser, choice))
        finally:
            await browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--choice", choices=("accept", "reject"), default="accept")
    parser.add_argument("--min-share", type=float, default=None)
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args.runs, args.choice))
    for result in results:
        mark = "ok  " if result.handled else "FAIL"
        print(f"{mark} {result.name:16} {result.seconds * 1000:7.0f} ms  {result.note}")
    share = sum(r.handled for r in results) / len(results)
    median_s = statistics.median(r.seconds for r in results)
    print(f"\npages: {len(results)}  handled by built-in handling: {share:.0%} "
          f"(target >= {TARGET_SHARE:.0%})")  # fmt: skip
    print(f"median added time of the overlay step per page: {median_s * 1000:.0f} ms")
    if args.min_share is not None and share < args.min_share:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
