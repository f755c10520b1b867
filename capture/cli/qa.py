"""`capture qa PATH...`: replay captures from their WARCs and print how alike they are."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from capture.errors import ExitCode
from capture.qa.check import TARGET_IDENTICAL_SHARE, capture_folders, qa_capture

DESCRIPTION = (
    "Replay each capture's WARC in Chromium with no network, and score the replay against the "
    "capture: the share of identical pixels, the text similarity, the resources that failed. "
    f"Writes qa.json and qa-screenshot.png into each capture folder. Exit 0 when every replay "
    f"has at least {TARGET_IDENTICAL_SHARE:.0%} identical pixels, 12 (not_verified) otherwise."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `capture qa`'s arguments to parser."""
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="capture or run folder")
    parser.add_argument("--browser", metavar="PATH", help="the Chromium executable")
    parser.add_argument("--json", action="store_true", help="print qa.json of each capture")


async def run_qa(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Replay every capture under args.paths; return OK only when every one reaches the target."""
    from capture.browser.renderer import open_renderer

    folders = [folder for path in args.paths for folder in capture_folders(path)]
    passed = True
    async with open_renderer(args.browser) as renderer:
        for folder in folders:
            if stop.is_set():
                return ExitCode.INTERRUPTED
            result = await qa_capture(folder, renderer)
            passed = passed and result.passed
            if args.json:
                print(json.dumps({"folder": str(folder), **result.to_json()}), flush=True)
            else:
                print(result.summary(), flush=True)
    return ExitCode.OK if passed else ExitCode.NOT_VERIFIED
