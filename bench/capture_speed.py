"""Capture speed benchmark: a full capture beside bare Playwright on the same pages, same run.

For the demo article and three fixture pages (a plain article, an image-heavy page, a page that
loads its content by XHR), all served on 127.0.0.1, it times:

- full: `capture.run.pipeline.capture_page` with a `capture.browser.renderer.open_renderer()`
  renderer into a
  temporary folder (render, steps, WARC, screenshots, extraction, every file, capture.json);
- bare: the same browser, `new_context`, `goto` (waits for `load`), a full-page screenshot, close;
- idle (for information): bare, but after `load` waiting for 500 ms in which no request waits for
  its response (Playwright's `networkidle`, except that a request answered but never finished,
  as the demo's beacon is, does not hold it forever), as a capture must for content that
  arrives after `load`.

The three are interleaved, rotating which goes first, so machine noise hits all. It prints the
median and p90 of each per page, the ratio to bare (the target: under 1.3x) and to idle, the
overall ratios (geometric means of the per-page ratios), and the median duration of each capture
step from capture.json.

Usage: python bench/capture_speed.py [--runs N] [--browser PATH] [--settle-s S] [--no-scroll]
                                     [--max-ratio X] [--keep DIR]

Exits 0 (a benchmark, not a test) unless --max-ratio is given and the overall ratio exceeds it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Page, Request, ViewportSize

from capture.browser.renderer import ChromiumRenderer, open_renderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest, html
from capture.models import CaptureRequest
from capture.options import CaptureOptions
from capture.run.pipeline import capture_page

TARGET_RATIO = 1.3
IMAGE_COUNT = 12

PARAGRAPH = (
    "The harbour council voted on Tuesday evening to build a new sea wall along the northern "
    "quay, ending a debate that had run for almost three years. Engineers told the meeting that "
    "the existing wall, built in 1911, had been breached twice in the past decade and could not "
    "withstand another winter of storms like the last one. "
)


def article_page() -> str:
    """Return a plain article: header, navigation, twelve paragraphs, a footer."""
    paragraphs = "\n".join(f"<p>{PARAGRAPH * 2}</p>" for _ in range(12))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour Council Approves New Sea Wall</title>
<style>body{{font:18px/1.6 Georgia,serif;max-width:42em;margin:2em auto}}</style></head>
<body><header><nav><a href="/">Home</a> · <a href="/news/">News</a></nav></header>
<main><article><h1>Harbour Council Approves New Sea Wall</h1>
<p class="byline">By A. Reporter, 27 November 2026</p>
{paragraphs}</article></main><footer>© The Harbour Gazette</footer></body></html>"""


def gallery_page() -> str:
    """Return an image-heavy page: a caption and IMAGE_COUNT photos."""
    figures = "\n".join(
        f'<figure><img src="/img/{n}.jpg" width="600" height="400" alt="Photo {n}">'
        f"<figcaption>Photo {n} of the quay.</figcaption></figure>"
        for n in range(IMAGE_COUNT)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>The Quay in Pictures</title></head>
<body><h1>The Quay in Pictures</h1><p>{PARAGRAPH}</p>{figures}</body></html>"""


def xhr_page() -> str:
    """Return a page whose body is filled in by two fetches, the second after the first."""
    return """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Live Tide Table</title></head>
<body><h1>Live Tide Table</h1><p id="status">Loading...</p><ul id="tides"></ul>
<script>
(async () => {
  const items = await (await fetch('/api/tides.json')).json();
  const list = document.getElementById('tides');
  for (const item of items.tides) {
    const li = document.createElement('li');
    li.textContent = item.time + ': ' + item.height + ' m';
    list.appendChild(li);
  }
  const note = await (await fetch('/api/note.json')).json();
  document.getElementById('status').textContent = note.text;
})();
</script></body></html>"""


def photo(n: int) -> bytes:
    """Return a 600x400 JPEG with noise and shapes, different for each n (about 60 KB)."""
    rng = random.Random(n)
    image = Image.effect_noise((600, 400), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rng.randrange(600), rng.randrange(400)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def json_reply(data: object, delay_s: float = 0.0) -> Reply:
    """Return a JSON reply."""
    return Reply(
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(data).encode(),
        delay_s=delay_s,
    )


def fixture_site() -> LocalSite:
    """Return the bench's fixture site (not started): /article, /gallery, /xhr and their parts."""
    site = LocalSite()
    pages = {"/article": article_page(), "/gallery": gallery_page(), "/xhr": xhr_page()}
    for path, body in pages.items():
        site.add_route(path, fixed(html(body)))
    for n in range(IMAGE_COUNT):
        site.add_route(
            f"/img/{n}.jpg", fixed(Reply(headers=(("Content-Type", "image/jpeg"),), body=photo(n)))
        )
    tides = {"tides": [{"time": f"{h:02d}:00", "height": round(2 + h / 10, 1)} for h in range(24)]}
    site.add_route("/api/tides.json", fixed(json_reply(tides, delay_s=0.1)))
    site.add_route("/api/note.json", fixed(json_reply({"text": "Updated."}, delay_s=0.05)))
    return site


def fixed(reply: Reply) -> Route:
    """Return a route that always answers reply."""

    def answer(request: SiteRequest) -> Reply:
        return reply

    return answer


@dataclass
class Samples:
    """Timings of one page: full captures, bare loads, and each capture's step durations."""

    full_s: list[float] = field(default_factory=list)
    bare_s: list[float] = field(default_factory=list)
    idle_s: list[float] = field(default_factory=list)
    steps_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


async def time_full(
    renderer: ChromiumRenderer, url: str, folder: Path, options: CaptureOptions
) -> tuple[float, dict[str, float]]:
    """Return the seconds of one full capture and its step durations (plus the post-render time)."""
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    await capture_page(CaptureRequest(url, folder, options), renderer)
    elapsed = time.perf_counter() - started
    if renderer.spare is not None:  # being made as the files were written: not in the next timing
        await renderer.spare.made()
    document = json.loads((folder / "capture.json").read_text("utf-8"))
    steps = {step["name"]: step["duration_s"] for step in document["steps"]}
    steps["(render total)"] = document["duration_s"]
    steps["(extract + write files)"] = max(0.0, elapsed - document["duration_s"])
    return elapsed, steps


async def time_bare(
    renderer: ChromiumRenderer, url: str, options: CaptureOptions, *, idle: bool = False
) -> float:
    """Return the seconds of new context, goto (load), [networkidle,] full-page shot, close."""
    viewport: ViewportSize = {"width": options.viewport.width, "height": options.viewport.height}
    started = time.perf_counter()
    context = await renderer.browser.new_context(viewport=viewport)
    try:
        page = await context.new_page()
        quiet = NetworkQuiet(page) if idle else None
        await page.goto(url)
        if quiet is not None:
            await quiet.wait(IDLE_S)
        await page.screenshot(full_page=True)
    finally:
        await context.close()
    return time.perf_counter() - started


IDLE_S = 0.5


class NetworkQuiet:
    """When a page's network last did something, and which requests still wait for answers."""

    def __init__(self, page: Page) -> None:
        self.waiting: set[Request] = set()
        self.last = time.monotonic()
        page.on("request", self._start)
        page.on("response", lambda response: self._end(response.request))
        page.on("requestfailed", self._end)

    def _start(self, request: Request) -> None:
        self.waiting.add(request)
        self.last = time.monotonic()

    def _end(self, request: Request) -> None:
        self.waiting.discard(request)
        self.last = time.monotonic()

    async def wait(self, quiet_s: float, limit_s: float = 30.0) -> None:
        """Return once quiet_s passed with no request waiting (or after limit_s)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            left = self.last + quiet_s - time.monotonic()
            if not self.waiting and left <= 0:
                return
            await asyncio.sleep(max(0.01, min(left, 0.05)))


def p90(values: Sequence[float]) -> float:
    """Return the nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


async def measure(
    pages: dict[str, str], runs: int, browser: str | None, options: CaptureOptions, out: Path
) -> dict[str, Samples]:
    """Return the samples of every page: one untimed warm-up each, then `runs` interleaved pairs."""
    samples = {name: Samples() for name in pages}
    async with open_renderer(browser) as renderer:
        print(f"browser: {renderer.info.executable} {renderer.info.version}", file=sys.stderr)
        for name, url in pages.items():
            await time_full(renderer, url, out / name, options)
            await time_bare(renderer, url, options)
        kinds = ("full", "bare", "idle")
        for run in range(runs):
            for name, url in pages.items():
                page = samples[name]
                for kind in kinds[run % 3 :] + kinds[: run % 3]:
                    if kind != "full":
                        seconds = await time_bare(renderer, url, options, idle=kind == "idle")
                        (page.idle_s if kind == "idle" else page.bare_s).append(seconds)
                        continue
                    elapsed, steps = await time_full(renderer, url, out / name, options)
                    page.full_s.append(elapsed)
                    for step, duration in steps.items():
                        page.steps_s[step].append(duration)
            print(f"run {run + 1}/{runs} done", file=sys.stderr)
    return samples


def report(samples: dict[str, Samples]) -> float:
    """Print the tables and return the overall ratio to bare (geometric mean of the pages)."""
    heads = ("full med", "full p90", "bare med", "bare p90", "idle med", "/bare", "/idle")
    print(f"\n{'page':<10} " + " ".join(f"{head:>9}" for head in heads))
    ratios, idle_ratios = [], []
    for name, page in samples.items():
        full, bare = statistics.median(page.full_s), statistics.median(page.bare_s)
        idle = statistics.median(page.idle_s)
        ratios.append(full / bare)
        idle_ratios.append(full / idle)
        print(
            f"{name:<10} {full:>8.3f}s {p90(page.full_s):>8.3f}s {bare:>8.3f}s "
            f"{p90(page.bare_s):>8.3f}s {idle:>8.3f}s {full / bare:>8.2f}x {full / idle:>8.2f}x"
        )
    overall = math.exp(statistics.fmean(math.log(r) for r in ratios))
    overall_idle = math.exp(statistics.fmean(math.log(r) for r in idle_ratios))
    every = {
        kind: [t for page in samples.values() for t in getattr(page, f"{kind}_s")]
        for kind in ("full", "bare", "idle")
    }
    print(
        f"{'overall':<10} {statistics.median(every['full']):>8.3f}s {p90(every['full']):>8.3f}s "
        f"{statistics.median(every['bare']):>8.3f}s {p90(every['bare']):>8.3f}s "
        f"{statistics.median(every['idle']):>8.3f}s {overall:>8.2f}x {overall_idle:>8.2f}x"
    )
    print(f"(ratios: geometric mean of the pages; target: /bare under {TARGET_RATIO}x)")
    names = list(samples)
    steps = list(dict.fromkeys(step for page in samples.values() for step in page.steps_s))
    print("\nfull capture, median step duration (s), from capture.json")
    print(f"{'step':<24}" + "".join(f"{name:>10}" for name in names))
    for step in steps:
        cells = []
        for name in names:
            values = samples[name].steps_s.get(step)
            cells.append(f"{statistics.median(values):>10.3f}" if values else f"{'-':>10}")
        print(f"{step:<24}" + "".join(cells))
    return overall


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per page (default 7)")
    parser.add_argument("--browser", metavar="PATH", help="the Chromium to use")
    parser.add_argument("--settle-s", type=float, help="override CaptureOptions.settle_s")
    parser.add_argument("--no-scroll", action="store_true", help="capture without scrolling")
    parser.add_argument("--max-ratio", type=float, help="exit 1 when the overall ratio exceeds X")
    parser.add_argument("--keep", type=Path, help="keep the last capture of each page here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.runs < 1:
        print("--runs must be at least 1", file=sys.stderr)
        return 2
    options = CaptureOptions()
    if args.settle_s is not None or args.no_scroll:
        settle_s = options.settle_s if args.settle_s is None else args.settle_s
        options = CaptureOptions(settle_s=settle_s, scroll=not args.no_scroll)
    print(f"options: settle_s={options.settle_s} scroll={options.scroll}", file=sys.stderr)
    with ExitStack() as stack:
        demo = stack.enter_context(demo_site())
        site = stack.enter_context(fixture_site())
        pages = {
            "demo": demo.url(DEMO_ARTICLE_PATH),
            "article": site.url("/article"),
            "gallery": site.url("/gallery"),
            "xhr": site.url("/xhr"),
        }
        out = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        samples = asyncio.run(measure(pages, args.runs, args.browser, options, out))
    overall = report(samples)
    if args.max_ratio is not None and overall > args.max_ratio:
        print(f"\noverall ratio {overall:.2f}x exceeds --max-ratio {args.max_ratio}x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
