"""Start-up and one-off capture, process to process, beside baselines measured in the same run.

1. `capture --version` and `capture --help` (the target: under 0.15 s median), beside the bare
   interpreter (`python -c pass`) and `python -c "import capture"`.
2. A one-off `capture URL` of a 24,000 px article (an XHR, an iframe, three images) served on
   127.0.0.1, from process start to exit, beside a bare Playwright script in its own process with
   the same browser that waits for network idle, takes the full-page screenshot and reads the DOM
   (the target: at most 1.2x).

The runs are interleaved, rotating which goes first, so machine noise hits both.

Usage: python bench/startup.py [--runs N] [--capture-runs N] [--browser PATH]
Exits 0: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import sync_playwright

from capture.browser.launch import choose_browser
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html

BIN = Path(sys.executable).parent
CAPTURE = [str(BIN / "capture")]
VERSION_TARGET_S = 0.15
CAPTURE_TARGET = 1.2

BARE = """
import sys
from playwright.sync_api import sync_playwright
url, browser_path, out = sys.argv[1:4]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=browser_path)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url, wait_until="networkidle")
    page.screenshot(path=out, full_page=True)
    page.content()
    browser.close()
"""

PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0f2a4"
    "6d0000000049454e44ae426082"
)


def article_site() -> LocalSite:
    """Return a site with a 24,000 px article: an XHR, an iframe and three images."""
    paragraph = "<p>" + "The harbour council voted for the new sea wall after three years. " * 6
    body = "".join(
        f"<h2>Part {n}</h2>{paragraph}</p><div style='height:700px'></div>" for n in range(30)
    )
    images = "".join(f"<img src='/img/{n}.png' width=600 height=300>" for n in range(3))
    page = (
        "<!doctype html><title>Sea wall</title><article><h1>The sea wall</h1>"
        f"{images}<iframe src='/frame' width=600 height=200></iframe>"
        f"<div id=tides></div>{body}</article><script>fetch('/tides.json').then(r => r.json())"
        ".then(d => { document.getElementById('tides').textContent = d.note; });</script>"
    )
    site = LocalSite()
    site.add_route("/article", lambda _r: html(page))
    site.add_route("/frame", lambda _r: html("<p>A map of the quay.</p>"))
    site.add_route(
        "/tides.json",
        lambda _r: Reply(200, [("Content-Type", "application/json")], b'{"note": "High 4.1 m"}'),
    )

    def image(_request: SiteRequest) -> Reply:
        return Reply(200, [("Content-Type", "image/png")], PIXEL_PNG)

    for n in range(3):
        site.add_route(f"/img/{n}.png", image)
    return site


def timed(command: Sequence[str]) -> float:
    """Return the seconds command takes from process start to exit; raise if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 10):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def rotate(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Return the times of each command over runs rounds, the order rotated each round."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            times[name].append(timed(commands[name]))
    return times


def show(times: dict[str, list[float]], baseline: str) -> None:
    """Print the median and spread of each, and its ratio to baseline."""
    base = statistics.median(times[baseline])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:<26} median {median:7.3f} s  min {min(values):7.3f} s  "
            f"{median / base:5.2f}x {baseline}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--capture-runs", type=int, default=5)
    parser.add_argument("--browser", default=None)
    args = parser.parse_args(argv)
    print(f"start-up, {args.runs} runs each:")
    startup = rotate(
        {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import capture": [sys.executable, "-c", "import capture"],
            "capture --version": [*CAPTURE, "--version"],
            "capture --help": [*CAPTURE, "--help"],
        },
        args.runs,
    )
    show(startup, "python -c pass")
    for name in ("capture --version", "capture --help"):
        median = statistics.median(startup[name])
        verdict = "meets" if median < VERSION_TARGET_S else "MISSES"
        print(f"  {name}: {median:.3f} s {verdict} the {VERSION_TARGET_S} s target")
    with sync_playwright() as playwright:
        browser = choose_browser(playwright, args.browser).executable  # type: ignore[arg-type]
    work = Path(tempfile.mkdtemp(prefix="capture-startup-"))
    try:
        (work / "bare.py").write_text(BARE)
        with article_site() as site:
            url = site.url("/article")
            commands = {
                "bare networkidle script": [
                    sys.executable, str(work / "bare.py"), url, browser, str(work / "bare.png")
                ],
                "capture URL": [
                    *CAPTURE, url, "--output", str(work / "archives"), "--browser", browser
                ],
            }  # fmt: skip
            print(f"\none-off capture, process to process, {args.capture_runs} runs each:")
            captures = rotate(commands, args.capture_runs)
        show(captures, "bare networkidle script")
        ratio = statistics.median(captures["capture URL"]) / statistics.median(
            captures["bare networkidle script"]
        )
        verdict = "meets" if ratio <= CAPTURE_TARGET else "misses"
        print(f"  capture / bare: {ratio:.2f}x ({verdict} the {CAPTURE_TARGET}x target)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
