"""index.html: escaped, failed captures first, every link relative and pointing at a real file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from capture import paths
from capture.run.report import (
    InterventionRow,
    Link,
    ReportRow,
    report_html,
    report_rows,
    write_report,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


class _Page(HTMLParser):
    """Collects tags, attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def refs(self) -> list[str]:
        return [
            str(attrs.get("href") or attrs.get("src"))
            for tag, attrs in self.tags
            if (tag == "a" and attrs.get("href")) or (tag == "img" and attrs.get("src"))
        ]


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_hostile_titles_urls_and_errors_are_shown_as_text_never_markup() -> None:
    row = ReportRow(
        url='javascript:alert("url")',
        state="failed",
        folder="captures/x",
        title=HOSTILE,
        error=HOSTILE,
        partial_reasons=(HOSTILE,),
        interventions=(InterventionRow("click", HOSTILE, ok=False, selector=HOSTILE),),
        links=(Link('"><script>', 'captures/x/"><script>.txt'),),
    )
    page = report_html([row], title=HOSTILE)
    parsed = _parse(page)
    assert [tag for tag, _ in parsed.tags].count("script") == 0
    assert [tag for tag, _ in parsed.tags].count("img") == 0  # no thumbnail, and none injected
    assert all(not any(name.startswith("on") for name in attrs) for _, attrs in parsed.tags)
    assert "".join(parsed.text).count(HOSTILE) >= 5  # title, h1, h3, error, reason, rule, selector
    assert "javascript:" not in "".join(parsed.refs())
    assert 'href="captures/x/%22%3E%3Cscript%3E.txt"' in page


def test_failed_captures_come_first_then_partial_then_complete() -> None:
    rows = [
        ReportRow("https://a.example/", "complete", "captures/a", title="Alpha"),
        ReportRow("https://b.example/", "partial", "captures/b", title="Bravo"),
        ReportRow("https://c.example/", "failed", "captures/c", error="refused"),
        ReportRow("https://d.example/", "odd", "captures/d", title="Delta"),
    ]
    page = report_html(rows, title="run")
    order = [page.index(marker) for marker in ("c.example", "Delta", "Bravo", "Alpha")]
    assert order == sorted(order)
    assert "<h2>Failed (2)</h2>" in page  # a state the report does not know is never hidden
    assert "2 failed" in page and "1 partial" in page and "1 complete" in page


def test_interventions_show_action_selector_rule_and_outcome() -> None:
    row = ReportRow(
        "https://a.example/",
        "complete",
        "captures/a",
        interventions=(
            InterventionRow("click", "builtin:consent", ok=True, selector="#accept"),
            InterventionRow("remove", "site:a.yaml#2", ok=False, selector=".wall", detail="gone"),
        ),
    )
    page = report_html([row], title="run")
    assert '<li class="ok">✓ click <code>#accept</code> <small>builtin:consent</small></li>' in page
    assert (
        '<li class="notok">✗ remove <code>.wall</code> <small>site:a.yaml#2 (gone)</small></li>'
        in page
    )
    assert "2 interventions" in page


def test_the_run_start_and_end_are_shown_in_utc() -> None:
    start = datetime(2026, 11, 27, 6, 45, tzinfo=UTC)
    page = report_html([], title="run", started_at=start, ended_at="2026-11-27T07:45:00+01:00")
    assert "Started 2026-11-27 06:45:00 UTC · ended 2026-11-27 06:45:00 UTC" in page
    assert "No captures in this run." in page


def _capture(run: Path, slug: str, record: dict[str, object], files: list[str]) -> None:
    folder = run / "captures" / slug
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_bytes(b"x")
    listed = [*files, "listed-but-deleted.png"]
    record = {**record, "files": [{"name": name} for name in listed]}
    (folder / paths.CAPTURE_JSON).write_text(json.dumps(record), encoding="utf-8")


def test_written_report_links_only_relative_paths_to_files_that_exist(tmp_path: Path) -> None:
    complete = [paths.WARC, paths.SCREENSHOT, paths.THUMBNAIL, paths.ARTICLE_TXT, paths.DOM]
    _capture(
        tmp_path,
        "a.example-11111111",
        {"url": "https://a.example/", "state": "complete", "article": {"title": HOSTILE},
         "started_at": "2026-11-27T06:45:01+00:00", "ended_at": "2026-11-27T06:45:09+00:00"},
        complete,
    )  # fmt: skip
    _capture(
        tmp_path,
        "b.example-22222222",
        {"url": "https://b.example/", "state": "failed", "error": "refused (net::ERR)"},
        [paths.WARC],
    )
    (tmp_path / "captures" / "c.example-33333333").mkdir()  # never finished: no capture.json

    report = write_report(tmp_path, title="job", started_at=None, ended_at=None)

    page = report.read_text(encoding="utf-8")
    refs = [ref for ref in _parse(page).refs() if not ref.startswith("https://")]
    a, b = "captures/a.example-11111111/", "captures/b.example-22222222/"
    assert refs == [
        f"{b}page.warc.gz",
        f"{b}capture.json",
        f"{a}screenshot.png",  # the thumbnail opens the whole page
        f"{a}thumbnail.webp",
        *(f"{a}{name}" for name in ("screenshot.png", "article.txt", "dom.html", "page.warc.gz")),
        f"{a}capture.json",
    ]
    for ref in refs:
        assert not urlsplit(ref).scheme and not ref.startswith("/"), ref
        assert (tmp_path / unquote(ref)).is_file(), ref
    assert "listed-but-deleted" not in page
    assert (
        page.index("refused (net::ERR)")
        < page.index("c.example-33333333")
        < page.index("a.example")
    )
    assert "capture.json is missing or unreadable" in page
    assert "Started 2026-11-27 06:45:01 UTC · ended 2026-11-27 06:45:09 UTC" in page


def test_rows_are_read_from_capture_json(tmp_path: Path) -> None:
    _capture(
        tmp_path,
        "a-1",
        {"url": "https://a.example/", "final_url": "https://a.example/home", "state": "partial",
         "partial_reasons": ["scroll: timed out"], "article": {"title": "Alpha"},
         "interventions": [{"action": "click", "rule": "generic:consent", "selector": "#ok",
                            "ok": True, "detail": ""}]},
        [paths.THUMBNAIL],
    )  # fmt: skip
    (row,) = report_rows(tmp_path)
    assert row == ReportRow(
        url="https://a.example/",
        state="partial",
        folder="captures/a-1",
        title="Alpha",
        final_url="https://a.example/home",
        partial_reasons=("scroll: timed out",),
        interventions=(InterventionRow("click", "generic:consent", True, "#ok"),),
        thumbnail="captures/a-1/thumbnail.webp",
        links=(Link("capture.json", "captures/a-1/capture.json"),),
    )
