"""Real pages from public WARC files, replayed to the browser on 127.0.0.1 (tests and bench).

`../shared/realpages/` (beside this repository) holds WARC files of real pages that other
web-archiving projects publish as test data; its README says what a careful user expects of
each. `tests.replayproxy.replay_proxy` serves one WARC as a proxy, so a capture through
`--proxy URL --ignore-https-errors` gets the recorded responses. `capture_lines` runs the normal
command line on URLs and returns its `--json` lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

REALPAGES = REPO.parent / "shared" / "realpages"
"""Where the WARC files and their README are (never copied into the project)."""


@dataclass(frozen=True, slots=True)
class RealPage:
    """One row of the README: a WARC file and the pages worth capturing in it."""

    warc: str
    urls: tuple[str, ...]


ZIM = "https://website.test.openzim.org"
STATUS_PAGES = tuple(
    f"{ZIM}/{code}-response"
    for code in (200, 201, 202, 204, 300, 303, 305, 306, 400, 401, 402, 403, 404, 500, 501, 502)
)
REDIRECT_PAGES = tuple(
    f"{ZIM}/{code}-{where}-redirect-ok" for code in (301, 302, 307, 308) for where in ("internal",)
)

PAGES = (
    RealPage(
        "w2z-solidaritenum.warc.gz",
        (
            "https://www.solidarite-numerique.fr/tutoriels/comprendre-les-cookies/?thematique=internet",
            "https://www.solidarite-numerique.fr/tutoriels/images/lens.svg",
        ),
    ),
    RealPage("w2z-main-entry-403.warc.gz", ("https://wikizilla.org/wiki/Doug",)),
    RealPage(
        "w2z-kiwix-with-redirects.warc.gz",
        (
            "http://www.kiwix.org/",
            "https://kiwix.org/en/2021-annual-report/",
            "https://kiwix.org/en/about-us/",
        ),
    ),
    RealPage("w2z-single-page-test.warc", ("https://lesfondamentaux.reseau-canope.fr/",)),
    RealPage("w2z-qsl.net-encoding-alias.warc.gz", ("https://www.qsl.net/vk2jem/swlogs.htm",)),
    RealPage(
        "w2z-http-return-codes.warc.gz",
        (f"{ZIM}/http-return-codes.html", *STATUS_PAGES, *REDIRECT_PAGES),
    ),
    RealPage(
        "w2z-bad-redirections.warc.gz",
        (f"{ZIM}/bad-redirections.html", f"{ZIM}/bad-redir-loop-B"),
    ),
    RealPage(
        "w2z-content-resource-types.warc.gz",
        (f"{ZIM}/content-types/index.html", f"{ZIM}/content-types/small.pdf"),
    ),
    RealPage(
        "pys-iana.warc.gz",
        ("http://www.iana.org/about", "http://www.iana.org/", "http://www.iana.org/numbers"),
    ),
    RealPage(
        "pys-flickr.warc.gz",
        ("http://www.flickr.com/photos/library_of_congress/sets/72157632529103585/",),
    ),
)
"""Every row of the README, with the URLs it names (the status pages the return-codes page
links, and its internal redirects)."""


@dataclass(frozen=True, slots=True)
class Replayed:
    """What the command line said of the URLs of one WARC: exit code, lines, duration."""

    exit_code: int
    lines: dict[str, dict[str, Any]]
    """The `--json` line of each URL."""
    duration_s: float
    output: str

    def capture(self, url: str) -> dict[str, Any]:
        """Return the capture.json of url's capture."""
        data: dict[str, Any] = json.loads(
            (Path(self.lines[url]["folder"]) / "capture.json").read_text("utf-8")
        )
        return data

    def folder(self, url: str) -> Path:
        """Return url's capture folder."""
        return Path(self.lines[url]["folder"])


def capture_lines(
    urls: Sequence[str],
    proxy: str,
    output: Path,
    *,
    extra: Sequence[str] = (),
    concurrency: int = 2,
    timeout_s: float = 900.0,
) -> Replayed:
    """Run `capture URL... --proxy proxy --ignore-https-errors --json`; return what it said."""
    command = [
        str(Path(sys.executable).with_name("capture")),
        *urls,
        "--proxy",
        proxy,
        "--ignore-https-errors",
        "--json",
        "--output",
        str(output),
        "--concurrency",
        str(concurrency),
        *extra,
    ]
    started = time.monotonic()
    done = subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=dict(os.environ),
    )
    lines = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            if "state" in row:
                lines[row["url"]] = row
    return Replayed(done.returncode, lines, time.monotonic() - started, done.stdout + done.stderr)
