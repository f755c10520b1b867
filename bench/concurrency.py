"""Concurrency benchmark: pages per minute and memory at 1, 2, 4 and 8 captures at once.

A fixture site on 127.0.0.1 answers every request (the page, its stylesheet and two images) after
a delay of 100 to 300 ms (fixed per path, so every level meets the same delays). For each level it
captures a batch of fresh pages (12 rounds: 12 x the level) with `capture.api.capture_urls` on one
shared Chromium (one browser context per capture, as `capture run` does) and reports:

- pages per minute, and each level's ratio to concurrency 1 (target: 8 at least 5x 1);
- peak memory of the browser's processes (every process descended from ours: the Playwright
  driver and Chromium's) and of ours, as RSS and as PSS (RSS counts shared pages once per
  process, PSS splits them), sampled from /proc every 0.2 s;
- memory per concurrent page: (peak browser PSS at the level - browser PSS at rest) / level.

Then a long run (300 pages by default, at the highest level) samples memory after every 25
pages and reports the trend: the growth from the first quarter to the last, and the slope of a
least-squares line per 100 pages. Target: flat (under 10% growth).

Usage: python bench/concurrency.py [--levels 1,2,4,8] [--pages N] [--long-pages N]
                                   [--long-concurrency N] [--browser PATH] [--json PATH]

Linux only (/proc). Exits 0 (a benchmark, not a test) unless --check is given and a target is
missed, then 1.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image

from capture.api import capture_urls
from capture.browser.renderer import ChromiumRenderer, open_renderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest, html
from capture.options import CaptureOptions
from capture.progress import CaptureFinished, ProgressEvent

TARGET_SPEEDUP = 5.0
TARGET_GROWTH = 0.10
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY_S = 0.2
LONG_SAMPLE_EVERY = 25

PARAGRAPH = (
    "The harbour council voted on Tuesday evening to build a new sea wall along the northern "
    "quay, ending a debate that had run for almost three years. Engineers told the meeting that "
    "the existing wall, built in 1911, had been breached twice in the past decade. "
)


def delay_s(path: str) -> float:
    """Return the fixed delay of a path: 100 to 300 ms, spread evenly by a hash of the path."""
    fraction = int(hashlib.sha256(path.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return 0.1 + 0.2 * fraction


def page_html(number: int) -> str:
    """Return article page `number`: a stylesheet, two images and eight paragraphs."""
    paragraphs = "\n".join(f"<p>{PARAGRAPH}</p>" for _ in range(8))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sea wall story {number}</title><link rel="stylesheet" href="/style.css?p={number}"></head>
<body><main><article><h1>Sea wall story {number}</h1>
<img src="/img/a.png?p={number}" width="400" height="200" alt="Quay">
{paragraphs}
<img src="/img/b.png?p={number}" width="400" height="200" alt="Wall">
</article></main></body></html>"""


def png_bytes(colour: str) -> bytes:
    """Return a 400x200 PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (400, 200), colour).save(out, format="PNG")
    return out.getvalue()


def delayed(reply: Reply) -> Route:
    """Return a route answering reply after the delay of the full request path."""

    def answer(request: SiteRequest) -> Reply:
        full = request.path + ("?" + request.query if request.query else "")
        return Reply(reply.status, reply.headers, reply.body, delay_s=delay_s(full))

    return answer


def fixture_site(pages: int) -> LocalSite:
    """Return (not started) the site: /p/0 .. /p/<pages-1>, /style.css, /img/a.png, /img/b.png."""
    site = LocalSite()
    site.add_route(
        "/style.css",
        delayed(
            Reply(
                headers=(("Content-Type", "text/css"),),
                body=b"body{font:18px/1.6 Georgia,serif;max-width:42em;margin:2em auto}",
            )
        ),
    )
    for name, colour in (("a", "#3366aa"), ("b", "#aa6633")):
        png = Reply(headers=(("Content-Type", "image/png"),), body=png_bytes(colour))
        site.add_route(f"/img/{name}.png", delayed(png))
    for number in range(pages):
        site.add_route(f"/p/{number}", delayed(html(page_html(number))))
    return site


# -- memory, from /proc ---------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """Return every process descended from pid (the browser's, when pid is ours)."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_bytes(pid: int) -> int:
    """Return the resident set size of pid (0 when it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text("ascii").split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """Return the proportional set size of pid (shared pages split between their users)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text("ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


@dataclass(frozen=True, slots=True)
class MemorySample:
    """Memory of our process and of the browser's processes at one moment, in bytes."""

    ours_rss: int
    browser_rss: int
    browser_pss: int
    browser_processes: int


def sample_memory() -> MemorySample:
    """Return the memory of this process and of every process descended from it."""
    browser = descendants(os.getpid())
    return MemorySample(
        ours_rss=rss_bytes(os.getpid()),
        browser_rss=sum(rss_bytes(pid) for pid in browser),
        browser_pss=sum(pss_bytes(pid) for pid in browser),
        browser_processes=len(browser),
    )


class PeakSampler:
    """Samples memory in a thread while a block runs and keeps the peak of each figure."""

    def __init__(self) -> None:
        self.peak = MemorySample(0, 0, 0, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            now = sample_memory()
            self.peak = MemorySample(
                max(self.peak.ours_rss, now.ours_rss),
                max(self.peak.browser_rss, now.browser_rss),
                max(self.peak.browser_pss, now.browser_pss),
                max(self.peak.browser_processes, now.browser_processes),
            )

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- the runs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    """The figures of one concurrency level."""

    concurrency: int
    pages: int
    seconds: float
    pages_per_min: float
    complete: int
    peak: MemorySample
    rest: MemorySample

    @property
    def browser_mib_per_page(self) -> float:
        """Return the peak browser PSS above rest, per concurrent page, in MiB."""
        return (self.peak.browser_pss - self.rest.browser_pss) / self.concurrency / 2**20


@dataclass
class LongRun:
    """Memory after every LONG_SAMPLE_EVERY pages of a long run."""

    concurrency: int
    pages: int = 0
    seconds: float = 0.0
    samples: list[tuple[int, MemorySample]] = field(default_factory=list)
    rest_after: MemorySample | None = None


async def run_level(
    renderer: ChromiumRenderer,
    site: LocalSite,
    numbers: Sequence[int],
    *,
    concurrency: int,
    options: CaptureOptions,
    out: Path,
) -> Level:
    """Capture the pages numbered `numbers` at `concurrency` and return the figures."""
    urls = [site.url(f"/p/{n}") for n in numbers]
    rest = sample_memory()
    with PeakSampler() as sampler:
        started = time.monotonic()
        result = await capture_urls(
            urls, output=out, options=options, concurrency=concurrency, renderer=renderer
        )
        seconds = time.monotonic() - started
    shutil.rmtree(result.folder, ignore_errors=True)
    complete = sum(1 for r in result.results if r.state.value == "complete")
    return Level(
        concurrency, len(urls), seconds, len(urls) / seconds * 60, complete, sampler.peak, rest
    )


async def run_long(
    renderer: ChromiumRenderer,
    site: LocalSite,
    numbers: Sequence[int],
    *,
    concurrency: int,
    options: CaptureOptions,
    out: Path,
) -> LongRun:
    """Capture many pages at once, sampling memory every LONG_SAMPLE_EVERY finished pages."""
    long = LongRun(concurrency)
    long.samples.append((0, sample_memory()))

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureFinished):
            long.pages += 1
            if long.pages % LONG_SAMPLE_EVERY == 0:
                long.samples.append((long.pages, sample_memory()))

    started = time.monotonic()
    urls = [site.url(f"/p/{n}") for n in numbers]
    result = await capture_urls(
        urls,
        output=out,
        options=options,
        concurrency=concurrency,
        renderer=renderer,
        on_event=on_event,
    )
    long.seconds = time.monotonic() - started
    long.rest_after = sample_memory()
    shutil.rmtree(result.folder, ignore_errors=True)
    return long


def slope_per_100(points: Sequence[tuple[int, float]]) -> float:
    """Return the least-squares slope of (pages, value) points, per 100 pages."""
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread * 100


def mib(value: float) -> str:
    """Return bytes as MiB with one decimal."""
    return f"{value / 2**20:.1f}"


def report_levels(levels: Sequence[Level]) -> float:
    """Print the table of levels and return the speed-up of the highest level over the lowest."""
    base = levels[0].pages_per_min
    print(
        "\nconcurrency  pages  seconds  pages/min  ratio  complete  "
        "browser peak RSS/PSS MiB  ours MiB  MiB/page (PSS)"
    )
    for level in levels:
        print(
            f"{level.concurrency:>11}  {level.pages:>5}  {level.seconds:>7.1f}  "
            f"{level.pages_per_min:>9.1f}  {level.pages_per_min / base:>5.2f}  "
            f"{level.complete:>8}  {mib(level.peak.browser_rss):>10} / "
            f"{mib(level.peak.browser_pss):<11}"
            f"  {mib(level.peak.ours_rss):>8}  {level.browser_mib_per_page:>14.1f}"
        )
    return levels[-1].pages_per_min / base


def report_long(long: LongRun) -> float:
    """Print the memory trend of the long run and return its growth (last quarter / first)."""
    print(
        f"\nlong run: {long.pages} pages at concurrency {long.concurrency} in {long.seconds:.0f} s "
        f"({long.pages / long.seconds * 60:.1f} pages/min)"
    )
    print("  pages  browser RSS MiB  browser PSS MiB  ours RSS MiB  processes")
    for pages, sample in long.samples:
        print(
            f"  {pages:>5}  {mib(sample.browser_rss):>15}  {mib(sample.browser_pss):>15}  "
            f"{mib(sample.ours_rss):>12}  {sample.browser_processes:>9}"
        )
    rest_before, rest_after = long.samples[0][1], long.rest_after
    if rest_after is not None:
        print(
            f"  at rest before / after: browser PSS {mib(rest_before.browser_pss)} / "
            f"{mib(rest_after.browser_pss)} MiB, ours RSS {mib(rest_before.ours_rss)} / "
            f"{mib(rest_after.ours_rss)} MiB"
        )
    # Mid-run samples only: the first has no page open yet, and the last is taken as the final
    # contexts close, so neither compares with pages in flight.
    warm = [(p, s) for p, s in long.samples if 0 < p < long.pages]
    if len(warm) < 4:
        print("  (too few samples for a trend)")
        return 0.0
    quarter = max(1, len(warm) // 4)

    def total(sample: MemorySample) -> int:
        return sample.browser_pss + sample.ours_rss

    first = statistics.fmean(total(s) for _, s in warm[:quarter])
    last = statistics.fmean(total(s) for _, s in warm[-quarter:])
    growth = last / first - 1
    browser_slope = slope_per_100([(p, s.browser_pss / 2**20) for p, s in warm])
    ours_slope = slope_per_100([(p, s.ours_rss / 2**20) for p, s in warm])
    print(
        f"  browser PSS + ours: first quarter {mib(first)} MiB, last quarter {mib(last)} MiB, "
        f"growth {growth:+.1%} (target under {TARGET_GROWTH:.0%})"
    )
    print(
        f"  slope per 100 pages: browser PSS {browser_slope:+.1f} MiB, "
        f"ours RSS {ours_slope:+.1f} MiB"
    )
    return growth


async def measure(args: argparse.Namespace) -> tuple[list[Level], LongRun | None]:
    """Run every level and the long run; return their figures."""
    levels_wanted = [int(n) for n in args.levels.split(",")]
    total = sum(args.pages * level for level in levels_wanted) + args.long_pages
    options = CaptureOptions(timeout_s=60)
    out = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    site = fixture_site(total + 1).start()
    levels: list[Level] = []
    long: LongRun | None = None
    try:
        async with open_renderer(args.browser) as renderer:
            print(
                f"{renderer.info.executable} {renderer.info.version}; "
                f"{os.cpu_count()} CPUs; every response delayed 100-300 ms"
            )
            await run_level(
                renderer, site, [total], concurrency=1, options=options, out=out
            )  # warm-up, not counted
            next_page = 0
            for concurrency in levels_wanted:
                # As many rounds at every level, so the ramp-up and the last round (fewer
                # captures at once) weigh the same everywhere instead of flattering level 1.
                count = args.pages * concurrency
                numbers = range(next_page, next_page + count)
                next_page += count
                level = await run_level(
                    renderer, site, numbers, concurrency=concurrency, options=options, out=out
                )
                levels.append(level)
                print(
                    f"  concurrency {concurrency}: {level.pages} pages in {level.seconds:.1f} s "
                    f"= {level.pages_per_min:.1f} pages/min",
                    flush=True,
                )
            if args.long_pages:
                numbers = range(next_page, next_page + args.long_pages)
                long = await run_long(
                    renderer,
                    site,
                    numbers,
                    concurrency=args.long_concurrency or levels_wanted[-1],
                    options=options,
                    out=out,
                )
    finally:
        site.stop()
        shutil.rmtree(out, ignore_errors=True)
    return levels, long


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the figures; return 1 only when --check finds a target missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,2,4,8", help="concurrency levels (default 1,2,4,8)")
    parser.add_argument(
        "--pages", type=int, default=12, help="rounds per level: pages = N x level (default 12)"
    )
    parser.add_argument("--long-pages", type=int, default=300, help="0 skips the long run")
    parser.add_argument("--long-concurrency", type=int, default=0, help="default: highest level")
    parser.add_argument("--browser", help="the Chromium executable")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    levels, long = asyncio.run(measure(args))
    speedup = report_levels(levels)
    print(
        f"\nconcurrency {levels[-1].concurrency} : {levels[0].concurrency} = {speedup:.2f}x "
        f"(target at least {TARGET_SPEEDUP:.0f}x)"
    )
    growth = report_long(long) if long else 0.0
    if args.json:
        data = {
            "levels": [
                {**asdict(level), "mib_per_page": level.browser_mib_per_page} for level in levels
            ],
            "speedup": speedup,
            "long": asdict(long) if long else None,
            "growth": growth,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    missed = speedup < TARGET_SPEEDUP or growth > TARGET_GROWTH
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
