"""Article extraction benchmark: our extractor beside trafilatura on the dev split.

Renders each bench page offline in Chromium (scripts off, every request but the page's own
aborted), collects its layout through `capture.browser.layout.collect_layout` like a live capture
does, caches the rendered (DOM, layout) pairs under OUT/rendered/, then times and scores:

- ours: `extract_article(rendered DOM, url, rendered=layout)`
- trafilatura: `trafilatura.extract(html, include_comments=False)` on the saved HTML and on the
  rendered DOM.

Prints F1, precision, recall and the median extraction CPU ms per page for each, and writes
OUT/predictions-<name>.json for `score.py --pages`. For ours it also prints the folded scores
(bench/extraction_folds.py: every setting of `ExtractionRules` chosen on the other folds, each fold
scored with what was chosen without it; leave-one-out, and K-fold averaged over several seeds)
beside the whole-split score, a table of what each rule
and threshold changes, and writes per-page error reports to OUT/extraction-errors/<mode>/.

Usage: python bench/extraction.py [--limit N] [--ids ID ...] [--no-render] [--out DIR]
                                  [--min-f1 X] [--bench DIR] [--browser PATH]
                                  [--folds K] [--seed N] [--repeats R]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

from capture.browser.layout import collect_layout, stamped_script
from capture.extract import (
    DEFAULT_RULES,
    ExtractionRules,
    RenderedPage,
    extract_article,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the bench's own modules sit beside it
from extraction_folds import (  # noqa: E402
    FoldedResult,
    fold_of,
    folded,
    leave_one_out,
    page_scores,
    rule_table,
    variant_predictions,
    write_errors,
)

DEFAULT_BENCH = HERE.parent.parent / "shared" / "extraction-bench"
DEFAULT_OUT = HERE / "out"
RENDER_KEY = hashlib.sha256(stamped_script().encode()).hexdigest()[:12]
"""Cached renders are keyed on the layout script, so changing it renders again."""


@dataclass(frozen=True, slots=True)
class BenchPage:
    """One page of the benchmark: its id, URL, saved HTML and, once rendered, DOM and layout."""

    page_id: str
    url: str
    html: str
    dom: str | None = None
    layout: RenderedPage | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """The benchmark metric for one extractor over the pages it ran on."""

    name: str
    f1: float
    precision: float
    recall: float
    ms_per_page: float
    """The median over pages of the CPU time one extraction took."""


def load_pages(bench: Path, ids: Sequence[str] = (), limit: int | None = None) -> list[BenchPage]:
    """Return the bench pages (all, the given ids, or the first `limit` by id)."""
    truth = json.loads((bench / "dev" / "ground-truth.json").read_text(encoding="utf-8"))
    chosen = [key for key in sorted(truth) if not ids or any(key.startswith(i) for i in ids)]
    if limit is not None:
        chosen = chosen[:limit]
    return [
        BenchPage(key, truth[key]["url"], _read_gz(bench / "dev" / "html" / f"{key}.html.gz"))
        for key in chosen
    ]


def _read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


async def _render_one(context: Any, page: BenchPage) -> BenchPage:
    tab = await context.new_page()
    try:
        body = page.html.encode("utf-8")
        served: list[str] = []

        async def route(request_route: Any) -> None:
            # Only the first document request gets the page; a meta refresh goes nowhere.
            if not served and request_route.request.is_navigation_request():
                served.append(request_route.request.url)
                await request_route.fulfill(
                    status=200, body=body, headers={"content-type": "text/html; charset=utf-8"}
                )
            else:
                await request_route.abort()

        await tab.route("**/*", route)
        await tab.goto(page.url, wait_until="load", timeout=30_000)
        layout, dom = await collect_layout(tab)
    finally:
        await tab.close()
    return BenchPage(page.page_id, page.url, page.html, dom, layout)


async def render_pages(pages: list[BenchPage], browser_path: str | None = None) -> list[BenchPage]:
    """Return the pages rendered offline in one Chromium with scripts off, four at a time."""
    from playwright.async_api import async_playwright

    from capture.browser import launch as browser

    limit = asyncio.Semaphore(4)
    async with async_playwright() as playwright:
        chromium = await browser.launch(
            playwright, browser.choose_browser(playwright, browser_path)
        )
        context = await chromium.new_context(
            java_script_enabled=False, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(30_000)

        async def one(page: BenchPage) -> BenchPage:
            async with limit:
                return await _render_one(context, page)

        try:
            return list(await asyncio.gather(*(one(page) for page in pages)))
        finally:
            await context.close()
            await chromium.close()


def _cache_path(out: Path, page_id: str) -> Path:
    return out / "rendered" / f"{page_id}.{RENDER_KEY}.json.gz"


def with_renders(pages: list[BenchPage], out: Path, browser_path: str | None) -> list[BenchPage]:
    """Return the pages with DOM and layout, rendering only those not cached in `out`."""
    cached: dict[str, BenchPage] = {}
    for page in pages:
        path = _cache_path(out, page.page_id)
        if path.exists():
            data = json.loads(gzip.decompress(path.read_bytes()))
            layout = RenderedPage.from_json(data["layout"])
            cached[page.page_id] = BenchPage(page.page_id, page.url, page.html, data["dom"], layout)
    missing = [page for page in pages if page.page_id not in cached]
    if missing:
        (out / "rendered").mkdir(parents=True, exist_ok=True)
        for page in asyncio.run(render_pages(missing, browser_path)):
            assert page.layout is not None
            data = {"dom": page.dom, "layout": page.layout.to_json()}
            _cache_path(out, page.page_id).write_bytes(gzip.compress(json.dumps(data).encode()))
            cached[page.page_id] = page
    return [cached[page.page_id] for page in pages]


def _ours(page: BenchPage, rules: ExtractionRules = DEFAULT_RULES) -> str:
    return extract_article(page.dom or page.html, page.url, rendered=page.layout, rules=rules).text


def _trafilatura_saved(page: BenchPage) -> str:
    return trafilatura.extract(page.html, include_comments=False) or ""


def _trafilatura_rendered(page: BenchPage) -> str:
    return trafilatura.extract(page.dom or page.html, include_comments=False) or ""


EXTRACTORS: dict[str, Callable[[BenchPage], str]] = {
    "ours": _ours,
    "trafilatura": _trafilatura_saved,
    "trafilatura-dom": _trafilatura_rendered,
}


def _scorer(bench: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", bench / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_extractor(
    name: str, pages: list[BenchPage], bench: Path, out: Path
) -> tuple[Score, dict[str, str]]:
    """Return the score and predictions of one extractor; writes OUT/predictions-NAME.json."""
    extract = EXTRACTORS[name]
    predictions: dict[str, str] = {}
    elapsed: list[float] = []
    for page in pages:
        # CPU time, not wall time: the bench shares its machine, and waiting is not extracting.
        started = time.process_time()
        predictions[page.page_id] = extract(page)
        elapsed.append(time.process_time() - started)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"predictions-{name}.json"
    path.write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    scorer = _scorer(bench)
    truth = {key: value for key, value in scorer.load(bench / "dev" / "ground-truth.json").items()}
    result = scorer.score({key: truth[key] for key in predictions}, predictions)
    ms = 1000 * statistics.median(elapsed) if elapsed else 0.0
    return Score(name, result["f1"], result["precision"], result["recall"], ms), predictions


def benchmark(
    pages: list[BenchPage], bench: Path, out: Path, names: Sequence[str] = tuple(EXTRACTORS)
) -> list[Score]:
    """Return the scores of the named extractors over `pages`."""
    return [run_extractor(name, pages, bench, out)[0] for name in names]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages by id")
    parser.add_argument("--ids", nargs="+", default=(), help="only pages whose id starts so")
    parser.add_argument("--no-render", action="store_true", help="static HTML, no browser")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache and predictions")
    parser.add_argument("--min-f1", type=float, default=None, help="exit 1 when ours is below")
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="the bench folder")
    parser.add_argument("--browser", default=None, help="Chromium executable")
    parser.add_argument("--folds", type=int, default=5, help="folds of the folded score (0: none)")
    parser.add_argument("--seed", type=int, default=19, help="first seed that deals the folds")
    parser.add_argument("--repeats", type=int, default=5, help="seeds the K-fold score averages")
    return parser.parse_args(argv)


def _truth(bench: Path) -> dict[str, str]:
    return dict(_scorer(bench).load(bench / "dev" / "ground-truth.json"))


def _row(name: str, f1: float, precision: float, recall: float) -> None:
    print(f"{name:<18}{f1:>8.4f}{precision:>11.4f}{recall:>9.4f}")


def report_folds(pages: list[BenchPage], bench: Path, folds: int, seed: int, repeats: int) -> float:
    """Print the folded scores of ours and what each rule changes; return the lower folded F1.

    Two foldings: leave-one-out (each page held out alone; no seed), and `folds`-fold dealt with
    `repeats` seeds from `seed` (their mean, and each seed's F1: how the few pages that support
    a rule fall into folds moves it).
    """
    by_id = {page.page_id: page for page in pages}
    cache: dict[tuple[ExtractionRules, str], str] = {}

    def extract(rules: ExtractionRules, ids: Sequence[str]) -> dict[str, str]:
        for key in ids:
            if (rules, key) not in cache:
                cache[(rules, key)] = _ours(by_id[key], rules)
        return {key: cache[(rules, key)] for key in ids}

    scorer, truth = _scorer(bench), _truth(bench)
    variants = variant_predictions(extract, sorted(by_id))
    scored = page_scores(scorer, truth, variants)

    def run(assignment: dict[str, int]) -> FoldedResult:
        return folded(
            scorer,
            truth=truth,
            extract=extract,
            variants=variants,
            scored=scored,
            assignment=assignment,
        )

    loo = run(leave_one_out(sorted(by_id)))
    _row("ours (leave 1 out)", loo.f1, loo.precision, loo.recall)
    dealt = [run(fold_of(sorted(by_id), folds, seed + n)) for n in range(max(1, repeats))]
    mean = [
        statistics.mean(getattr(r, name) for r in dealt) for name in ("f1", "precision", "recall")
    ]
    _row(f"ours ({folds}-fold)", *mean)
    seeds = ", ".join(f"{seed + n}: {r.f1:.4f}" for n, r in enumerate(dealt))
    print(f"  {folds}-fold is the mean over {len(dealt)} seeds ({seeds})")
    changed = " ".join(key[:10] for key in loo.changed_pages)
    print(
        f"leave-one-out choices changed the text of {len(loo.changed_pages)} held-out pages "
        f"(vs. the product's defaults): {changed or 'none'}"
    )
    for line in rule_table(scorer, truth, variants, loo.chosen):
        print("  " + line)
    return min(loo.f1, mean[0])


def report_errors(pages: list[BenchPage], bench: Path, out: Path, mode: str) -> Path:
    """Write the per-page error reports of ours (from its predictions file); return the folder."""
    pred = json.loads((out / "predictions-ours.json").read_text(encoding="utf-8"))
    folder = out / "extraction-errors" / mode
    urls = {page.page_id: page.url for page in pages}
    write_errors(_scorer(bench), truth=_truth(bench), urls=urls, pred=pred, folder=folder)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line; returns the exit code."""
    args = _arguments(argv)
    pages = load_pages(args.bench, args.ids, args.limit)
    if not args.no_render:
        started = time.perf_counter()
        pages = with_renders(pages, args.out, args.browser)
        print(f"rendered/cached {len(pages)} pages in {time.perf_counter() - started:.1f} s")
    names = ("ours", "trafilatura") if args.no_render else tuple(EXTRACTORS)
    scores = benchmark(pages, args.bench, args.out, names)
    mode = "static" if args.no_render else "rendered"
    print(f"{mode}: {len(pages)} pages")
    print(f"{'extractor':<18}{'F1':>8}{'precision':>11}{'recall':>9}{'cpu ms/page':>13}")
    for score in scores:
        print(
            f"{score.name:<18}{score.f1:>8.4f}{score.precision:>11.4f}"
            f"{score.recall:>9.4f}{score.ms_per_page:>13.1f}"
        )
    folder = report_errors(pages, args.bench, args.out, mode)
    folded_f1 = (
        report_folds(pages, args.bench, args.folds, args.seed, args.repeats)
        if args.folds > 1
        else None
    )
    print(f"predictions in {args.out}/predictions-*.json; per-page errors of ours in {folder}")
    floor = args.min_f1
    worst = min(scores[0].f1, folded_f1 if folded_f1 is not None else scores[0].f1)
    if floor is not None and worst < floor:
        print(f"FAIL: F1 {worst:.4f} (whole or folded) is below the floor {floor}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
