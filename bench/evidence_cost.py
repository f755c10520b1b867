"""What the evidence extras cost per capture: provenance.pdf, `--pdf` and `--video`.

For the demo article and the plain fixture article (bench/capture_speed.py's), all served on
127.0.0.1, it times full captures (`capture.run.pipeline.capture_page`) in these variants, the
baseline measured in the same run and interleaved with the others (rotating which goes first),
so machine noise hits all:

- baseline: no PDF at all (a renderer that cannot print, so not even provenance.pdf);
- provenance.pdf: what every capture now does;
- --pdf: provenance.pdf and page.pdf;
- --video (ffmpeg): provenance.pdf and capture.mp4, when ffmpeg is on PATH;
- --video (webp): provenance.pdf and capture.webp through Pillow (ffmpeg hidden).

It prints each variant's median and p90 seconds per page, the median added to the baseline,
and the median size of the extra files.

Usage: python bench/evidence_cost.py [--runs N] [--browser PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from capture.browser.recorder import ExchangeSink
from capture.browser.renderer import ChromiumRenderer, open_renderer
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.models import BrowserInfo, CaptureRequest, PageCapture
from capture.options import CaptureOptions
from capture.output import video
from capture.run.pipeline import Renderer, capture_page

sys.path.insert(0, str(Path(__file__).resolve().parent))
from capture_speed import fixture_site

EXTRA_FILES = ("provenance.pdf", "page.pdf", "capture.mp4", "capture.webp")


class NotPrinting:
    """The same renderer without its printer: captures as before provenance.pdf existed."""

    def __init__(self, renderer: ChromiumRenderer) -> None:
        self._renderer = renderer
        self.info: BrowserInfo = renderer.info

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        """Return what the wrapped renderer saw."""
        return await self._renderer.render(request, sink)


@contextmanager
def encoder_hidden(hide: bool) -> Iterator[None]:
    """Make capture.output.video use Pillow's WebP (CAPTURE_FFMPEG=none) while active, if hide."""
    before = os.environ.get(video.FFMPEG_ENV)
    if hide:
        os.environ[video.FFMPEG_ENV] = "none"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(video.FFMPEG_ENV, None)
        else:
            os.environ[video.FFMPEG_ENV] = before


def variants(renderer: ChromiumRenderer) -> dict[str, tuple[Renderer, CaptureOptions, bool]]:
    """Return each variant's renderer, options and whether ffmpeg is hidden."""
    base = CaptureOptions(timeout_s=60)
    found: dict[str, tuple[Renderer, CaptureOptions, bool]] = {
        "baseline": (NotPrinting(renderer), base, False),
        "provenance.pdf": (renderer, base, False),
        "--pdf": (renderer, CaptureOptions(timeout_s=60, pdf=True), False),
        "--video (webp)": (renderer, CaptureOptions(timeout_s=60, video=True), True),
    }
    if shutil.which("ffmpeg"):
        found["--video (ffmpeg)"] = (renderer, CaptureOptions(timeout_s=60, video=True), False)
    return found


async def time_one(
    renderer: Renderer, url: str, folder: Path, options: CaptureOptions, hide: bool
) -> tuple[float, dict[str, int]]:
    """Return the seconds of one capture and the sizes of its extra files."""
    shutil.rmtree(folder, ignore_errors=True)
    with encoder_hidden(hide):
        started = time.perf_counter()
        await capture_page(CaptureRequest(url, folder, options), renderer)
        elapsed = time.perf_counter() - started
    spare = getattr(getattr(renderer, "_renderer", renderer), "spare", None)
    if spare is not None:
        await spare.made()
    sizes = {
        name: (folder / name).stat().st_size for name in EXTRA_FILES if (folder / name).exists()
    }
    return elapsed, sizes


async def bench(runs: int, browser: str | None) -> None:
    """Time every variant on every page, interleaved, and print the table."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    sizes: dict[tuple[str, str], list[int]] = defaultdict(list)
    with demo_site() as demo, fixture_site() as fixtures, tempfile.TemporaryDirectory() as work:
        pages = {
            "demo article": demo.url(DEMO_ARTICLE_PATH),
            "plain article": fixtures.url("/article"),
        }
        async with open_renderer(browser) as renderer:
            chosen = variants(renderer)
            names = list(chosen)
            for run in range(runs + 1):  # the first round warms up and is not counted
                for page, url in pages.items():
                    order = names[run % len(names) :] + names[: run % len(names)]
                    for name in order:
                        used, options, hide = chosen[name]
                        elapsed, made = await time_one(used, url, Path(work) / "c", options, hide)
                        if run:
                            times[(page, name)].append(elapsed)
                            for file, size in made.items():
                                sizes[(name, file)].append(size)
    _print(times, sizes, list(pages), names)


def _print(
    times: dict[tuple[str, str], list[float]],
    sizes: dict[tuple[str, str], list[int]],
    pages: list[str],
    names: list[str],
) -> None:
    print(f"{'page':<15} {'variant':<18} {'median s':>9} {'p90 s':>7} {'added s':>8}")
    for page in pages:
        base = statistics.median(times[(page, "baseline")])
        for name in names:
            samples = sorted(times[(page, name)])
            median = statistics.median(samples)
            p90 = samples[min(len(samples) - 1, int(len(samples) * 0.9))]
            print(f"{page:<15} {name:<18} {median:>9.2f} {p90:>7.2f} {median - base:>+8.2f}")
    print()
    for (name, file), found in sorted(sizes.items()):
        if file != "provenance.pdf" or name == "provenance.pdf":
            print(f"{file:<16} ({name}): median {statistics.median(found) / 1024:.0f} KiB")


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--browser", default=None, help="the Chromium to use")
    args = parser.parse_args()
    asyncio.run(bench(args.runs, args.browser))


if __name__ == "__main__":
    main()
