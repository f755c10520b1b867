"""index.html: a run's report, one card per capture, failed ones first, grouped by reason.

The page is self-contained: inline CSS, no scripts, no remote assets. Thumbnails and files are
linked relatively, so the report works wherever the run folder is copied. Everything taken from
a page (title, URL, errors) is escaped: page titles are hostile input.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from capture import paths
from capture._version import __version__
from capture.output.files import read_json_object, write_text

REPORT = "index.html"
STATES = ("failed", "partial", "complete")
"""The order of the report's sections: what needs attention first."""

LINKS = (
    ("screenshot", paths.SCREENSHOT),
    ("first screen", paths.VIEWPORT),
    ("text", paths.ARTICLE_TXT),
    ("markdown", paths.ARTICLE_MD),
    ("DOM", paths.DOM),
    ("WARC", paths.WARC),
    ("capture.json", paths.CAPTURE_JSON),
)
"""The files a card links to, by label, when the capture folder has them."""


@dataclass(frozen=True, slots=True)
class Link:
    """A link from the report to a file in the run folder."""

    label: str
    href: str
    """Relative to the run folder, `/`-separated, not yet URL-quoted."""


@dataclass(frozen=True, slots=True)
class InterventionRow:
    """One thing the capture did to the page, as the report shows it."""

    action: str
    rule: str
    ok: bool
    selector: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One capture as the report shows it: plain data read from its capture.json."""

    url: str
    state: str
    folder: str
    """The capture folder relative to the run folder: `captures/<slug>`."""
    title: str | None = None
    final_url: str | None = None
    error: str | None = None
    partial_reasons: tuple[str, ...] = ()
    interventions: tuple[InterventionRow, ...] = ()
    thumbnail: str | None = None
    """The thumbnail's path relative to the run folder, when there is one."""
    links: tuple[Link, ...] = ()
    started_at: str | None = None
    ended_at: str | None = None
    qa: str | None = None
    """The replay check's summary (`capture qa`), when one was made."""
    reason: str | None = None
    """Why the page is not the content (`challenge`, `not_found`...; `capture.verdict.judge`)."""
    remedy: str | None = None
    kept: bool = False
    """The user asked to keep such a page as the capture."""


def write_report(
    run_folder: Path, *, title: str, started_at: datetime | None, ended_at: datetime | None
) -> Path:
    """Write `index.html` into run_folder atomically and return its path.

    Missing start or end times are taken from the earliest and latest capture.
    """
    rows = report_rows(run_folder)
    starts = [row.started_at for row in rows if row.started_at]
    ends = [row.ended_at for row in rows if row.ended_at]
    started = started_at.isoformat() if started_at else min(starts, default=None)
    ended = ended_at.isoformat() if ended_at else max(ends, default=None)
    page = report_html(rows, title=title, started_at=started, ended_at=ended)
    return write_text(run_folder / REPORT, page)


def report_rows(run_folder: Path) -> list[ReportRow]:
    """Return a row for every folder under `run_folder/captures/`, failed first, then by start."""
    rows = [_row(folder, run_folder) for folder in (run_folder / "captures").glob("*/")]
    return sorted(
        rows,
        key=lambda row: (
            STATES.index(_section(row)),
            row.reason or "",
            row.started_at or "",
            row.folder,
        ),
    )


def report_html(
    rows: Sequence[ReportRow],
    *,
    title: str,
    started_at: str | datetime | None = None,
    ended_at: str | datetime | None = None,
) -> str:
    """Return the report page for rows, grouped failed, partial, complete, and within each by
    reason (captures with none first), in the rows' order."""
    counts = {state: sum(1 for row in rows if _section(row) == state) for state in STATES}
    sections = []
    for state in STATES:
        members = [row for row in rows if _section(row) == state]
        if members:
            sections.append(
                f'<section class="{state}"><h2>{_e(state.title())} ({len(members)})</h2>'
                f"{_by_reason(members)}</section>"
            )
    summary = " · ".join(f'<span class="{s}">{counts[s]} {s}</span>' for s in STATES)
    reasons = _reason_counts(rows)
    if reasons:
        summary += f"</p><p>Not the content asked for: {reasons}"
    return _PAGE.format(
        title=_e(title),
        summary=summary,
        total=len(rows),
        started=_e(_when(started_at)),
        ended=_e(_when(ended_at)),
        version=_e(__version__),
        sections="\n".join(sections) or "<p>No captures in this run.</p>",
    )


def _by_reason(rows: Sequence[ReportRow]) -> str:
    """Return the cards of one state's rows, a group per reason under its own heading."""
    groups: dict[str | None, list[ReportRow]] = {}
    for row in sorted(rows, key=lambda row: row.reason is not None):  # stable: keeps order
        groups.setdefault(row.reason, []).append(row)
    parts = []
    for reason, members in groups.items():
        cards = "".join(_card(row) for row in members)
        if reason is not None:
            parts.append(f'<h3 class="reason" id="{_e(reason)}">{_e(reason)} ({len(members)})</h3>')
        parts.append(f'<div class="grid">{cards}</div>')
    return "".join(parts)


def _reason_counts(rows: Sequence[ReportRow]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        if row.reason:
            counts[row.reason] = counts.get(row.reason, 0) + 1
    return " · ".join(f"{count} {_e(reason)}" for reason, count in sorted(counts.items()))


def _card(row: ReportRow) -> str:
    full = next((link.href for link in row.links if link.href.endswith(paths.SCREENSHOT)), None)
    shot = (
        f'<a href="{_href(full or row.thumbnail)}"><img class="thumb" src="{_href(row.thumbnail)}" '
        f'alt="{_e("thumbnail of " + (row.title or row.url))}"></a>'
        if row.thumbnail
        else f'<div class="thumb none">{_e(row.state)}: no thumbnail</div>'
    )
    parts = [
        shot,
        f"<h3>{_e(row.title or row.url)}</h3>",
        f'<p class="url">{_url(row.url)}</p>' if row.title else "",
        f'<p><span class="badge {_e(row.state)}">{_e(row.state)}</span>'
        + (f' <span class="badge reason">{_e(row.reason)}</span>' if row.reason else "")
        + ("" if not row.kept else " <small>(kept as asked)</small>")
        + "</p>",
    ]
    if row.final_url and row.final_url != row.url:
        parts.append(f'<p class="url">→ {_url(row.final_url)}</p>')
    if row.error:
        parts.append(f'<p class="error">{_e(row.error)}</p>')
    if row.remedy and not row.kept:
        parts.append(f'<p class="remedy">{_e(row.remedy)}</p>')
    if row.partial_reasons:
        reasons = "".join(f"<li>{_e(reason)}</li>" for reason in row.partial_reasons)
        parts.append(f'<ul class="reasons">{reasons}</ul>')
    if row.interventions:
        parts.append(_interventions(row.interventions))
    if row.qa:
        parts.append(f'<p class="qa">{_e(row.qa)}</p>')
    links = " ".join(f'<a href="{_href(link.href)}">{_e(link.label)}</a>' for link in row.links)
    parts.append(f'<p class="links">{links}</p>')
    return f'<article class="card {_e(row.state)}">{"".join(parts)}</article>'


def _interventions(entries: Sequence[InterventionRow]) -> str:
    items = []
    for entry in entries:
        mark = "✓" if entry.ok else "✗"
        target = f" <code>{_e(entry.selector)}</code>" if entry.selector else ""
        detail = f" ({_e(entry.detail)})" if entry.detail else ""
        items.append(
            f'<li class="{"ok" if entry.ok else "notok"}">{mark} {_e(entry.action)}{target}'
            f" <small>{_e(entry.rule)}{detail}</small></li>"
        )
    return (
        f'<details class="interventions" open><summary>{len(entries)} intervention'
        f"{'' if len(entries) == 1 else 's'}</summary><ul>{''.join(items)}</ul></details>"
    )


def _row(folder: Path, run_folder: Path) -> ReportRow:
    relative = folder.relative_to(run_folder).as_posix()
    record = read_json_object(folder / paths.CAPTURE_JSON) or {}
    if not record:
        return ReportRow(
            url=folder.name,
            state="failed",
            folder=relative,
            error=f"{paths.CAPTURE_JSON} is missing or unreadable (the capture did not finish)",
        )
    names = {str(entry.get("name")) for entry in record.get("files") or []}
    names.add(paths.CAPTURE_JSON)
    present = {name for name in names if (folder / name).is_file()}
    return ReportRow(
        url=str(record.get("url") or folder.name),
        state=str(record.get("state") or "failed"),
        folder=relative,
        title=_text((record.get("article") or {}).get("title")),
        final_url=_text(record.get("final_url")),
        error=_text(record.get("error")),
        partial_reasons=tuple(str(reason) for reason in record.get("partial_reasons") or []),
        interventions=tuple(_intervention(entry) for entry in record.get("interventions") or []),
        thumbnail=f"{relative}/{paths.THUMBNAIL}" if paths.THUMBNAIL in present else None,
        links=tuple(Link(label, f"{relative}/{name}") for label, name in LINKS if name in present),
        started_at=_text(record.get("started_at")),
        ended_at=_text(record.get("ended_at")),
        qa=_qa_summary(read_json_object(folder / paths.QA_JSON) or {}),
        reason=_text(record.get("reason")),
        remedy=_text((record.get("verdict") or {}).get("remedy")),
        kept=bool((record.get("verdict") or {}).get("kept")),
    )


def _qa_summary(qa: dict[str, Any] | None) -> str | None:
    """Return one line about a replay check: identical pixels, text similarity, failures."""
    if not qa:
        return None
    pixels = (qa.get("pixels") or {}).get("identical_share")
    text = (qa.get("text") or {}).get("similarity")
    resources = qa.get("resources") or {}
    failed = len(resources.get("not_in_warc") or []) + len(resources.get("failed_in_replay") or [])
    parts = ["replay " + ("passed" if qa.get("passed") else "FAILED")]
    if isinstance(pixels, int | float):
        parts.append(f"{pixels:.2%} identical pixels")
    if isinstance(text, int | float):
        parts.append(f"text {text:.0%} alike")
    parts.append(f"{failed} resource(s) missing in replay")
    return ", ".join(parts)


def _intervention(entry: dict[str, Any]) -> InterventionRow:
    return InterventionRow(
        action=str(entry.get("action") or "?"),
        rule=str(entry.get("rule") or ""),
        ok=bool(entry.get("ok")),
        selector=_text(entry.get("selector")),
        detail=str(entry.get("detail") or ""),
    )


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _href(path: str | None) -> str:
    return _e(quote(path or "", safe="/"))


def _url(url: str) -> str:
    # Only web URLs become links: a `javascript:` URL from a hostile page must stay text.
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(url)}</a>'
    return _e(url)


def _when(moment: str | datetime | None) -> str:
    if moment is None:
        return "unknown"
    try:
        parsed = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    except ValueError:
        return str(moment)
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%d %H:%M:%S")
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _section(row: ReportRow) -> str:
    # A state this report does not know is shown with the failures, never hidden.
    return row.state if row.state in STATES else "failed"


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b;
  background: #f6f6f4; }}
header p {{ margin: .2rem 0; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }}
.card {{ background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8rem;
  overflow-wrap: anywhere; }}
.card.failed {{ border-color: #c62828; }} .card.partial {{ border-color: #ef8f00; }}
.card h3 {{ font-size: 1rem; margin: .5rem 0 .2rem; }}
.thumb {{ display: block; width: 100%; aspect-ratio: 16 / 10; object-fit: cover;
  object-position: top; border: 1px solid #eee; background: #fafafa; }}
.thumb.none {{ display: flex; align-items: center; justify-content: center; color: #777; }}
.url {{ font-size: .85rem; color: #555; margin: .2rem 0; }}
.badge {{ font-size: .75rem; padding: .1rem .4rem; border-radius: 3px; color: #fff; }}
.badge.complete, span.complete {{ background: #2e7d32; }}
.badge.partial, span.partial {{ background: #ef8f00; }}
.badge.failed, span.failed {{ background: #c62828; }}
.badge.reason {{ background: #455a64; }}
.remedy {{ font-size: .85rem; color: #333; }}
header span {{ color: #fff; padding: .1rem .4rem; border-radius: 3px; }}
.error {{ color: #b71c1c; white-space: pre-wrap; }}
.reasons {{ color: #8a5300; margin: .3rem 0; padding-left: 1.2rem; }}
.interventions ul {{ padding-left: 1.2rem; margin: .3rem 0; }}
.notok {{ color: #b71c1c; }}
.links a {{ margin-right: .6rem; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p>{total} captures: {summary}</p>
<p>Started {started} · ended {ended}</p>
</header>
<main>
{sections}
</main>
<footer><p><small>Made by capture {version}.</small></p></footer>
</body>
</html>
"""
