"""Real-pages benchmark: every page of ../shared/realpages/, captured as a user would.

Each WARC file of ../shared/realpages/ (real pages that other web-archiving projects publish as
test data) is replayed on 127.0.0.1 by tests/replayproxy.py, and its pages are captured through
the normal command line (`capture URL... --proxy ... --ignore-https-errors --json`). For each
page it prints the state, the verdict's reason (what the page is when it is not the content),
the capture's duration and how many interventions the overlay step made; then a summary line:
pages per state, per reason, and the total time.

Usage: python bench/realpages.py [--only TEXT] [--concurrency N] [--json]

Exits 0 (a benchmark, not a test), 2 when the real pages are missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives in tests/

from tests.realpages import PAGES, REALPAGES, capture_lines
from tests.replayproxy import replay_proxy


def page_rows(
    warc: str, urls: tuple[str, ...], output: Path, concurrency: int
) -> list[dict[str, Any]]:
    """Return one row per URL of warc: state, reason, duration, interventions."""
    with replay_proxy(REALPAGES / warc) as proxy:
        replayed = capture_lines(urls, proxy, output, concurrency=concurrency)
    rows = []
    for url in urls:
        line = replayed.lines.get(url)
        if line is None:
            rows.append({"warc": warc, "url": url, "state": "missing", "reason": None})
            continue
        capture = replayed.capture(url)
        rows.append(
            {
                "warc": warc,
                "url": url,
                "state": line["state"],
                "reason": line["reason"],
                "status": capture.get("status"),
                "duration_s": capture.get("duration_s"),
                "interventions": len(capture.get("interventions") or []),
            }
        )
    return rows


def summary(rows: list[dict[str, Any]], elapsed_s: float) -> str:
    """Return the summary line: pages per state and per reason, and the wall time."""
    states = Counter(row["state"] for row in rows)
    reasons = Counter(row["reason"] for row in rows if row["reason"])
    by_state = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    by_reason = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
    return (
        f"{len(rows)} pages: {by_state}; reasons: {by_reason or 'none'}; {elapsed_s:.1f} s in all"
    )


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the WARC files whose name holds this text")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args()
    if not (REALPAGES / "README.md").is_file():
        print(f"the real pages are missing: {REALPAGES}", file=sys.stderr)
        return 2
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="realpages-") as folder:
        for page in PAGES:
            if args.only and args.only not in page.warc:
                continue
            output = Path(folder) / page.warc.split(".", maxsplit=1)[0]
            for row in page_rows(page.warc, page.urls, output, args.concurrency):
                rows.append(row)
                if args.json:
                    print(json.dumps(row), flush=True)
                else:
                    print(
                        f"{row['state']:9} {row.get('reason') or '-':15} "
                        f"{row.get('status') or '-'!s:4} {row.get('duration_s') or 0:6.1f} s "
                        f"{row.get('interventions', 0):3} interventions  {row['url']}",
                        flush=True,
                    )
    line = summary(rows, time.monotonic() - started)
    print(json.dumps({"summary": line}) if args.json else line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
