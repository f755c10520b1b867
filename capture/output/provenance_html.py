"""provenance.html: a capture's provenance in plain words, for a reader with no tools.

Pure: capture.json's data (without its `files`, which are not known yet) and the hashes of the
files written so far in, one self-contained HTML page out (no scripts, no external resources,
every value escaped). The page goes into the folder and into the WARC before the WARC closes,
so it cannot state the WARC's hash, capture.json's, or the seal made after them: it says where
those are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

PROVENANCE_HTML = "provenance.html"
PROVENANCE_URN = "urn:provenance:"
"""The prefix of the WARC resource record's URI: `urn:provenance:<page url>`."""
CONTENT_TYPE = "text/html; charset=utf-8"

_STATES = {
    "complete": "complete: every step of the capture worked",
    "partial": "partial: the page loaded, but a step failed or a limit was reached",
    "failed": "failed: nothing could be rendered",
}
REASONS = {
    "http_status": "an HTTP error page",
    "challenge": "a bot check (challenge) page",
    "rate_limited": "a page asking to slow down (rate limit)",
    "login_required": "a sign-in page",
    "not_found": "a not-found page",
    "unsupported_browser": "a page refusing this browser",
    "needs_javascript": "a page whose scripts did not bring up its content",
    "blank": "a blank page",
}
"""What each verdict reason (`capture.verdict.judge.Reason`) means, in plain words."""
_STYLE = (
    "body{font:16px/1.5 Georgia,serif;max-width:60em;margin:2em auto;padding:0 1em;color:#111}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #999}"
    "table{border-collapse:collapse;width:100%;font-size:.9em}"
    "td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"
    "code,.hash{font-family:monospace;word-break:break-all}dt{font-weight:bold}"
    "dd{margin:0 0 .5em 1.5em}"
)


def provenance_html(
    capture: Mapping[str, Any],
    hashes: Sequence[Mapping[str, Any]],
    *,
    signer: str | None = None,
    tsa_urls: Sequence[str] = (),
) -> str:
    """Return the provenance page of a capture.

    capture is capture.json's data as far as it is known; hashes are manifest entries (`name`,
    `bytes`, `sha256`) of the files already written; signer is the fingerprint of the key that
    will sign capture.json and tsa_urls the time stamp authorities that will be asked, if any.
    """
    url = str(capture.get("url") or "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Provenance of the capture of {_e(url)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Provenance of the capture of <code>{_e(url)}</code></h1>",
        _introduction(capture),
        _summary(capture),
        _requested(capture),
        _received(capture),
        _interventions(capture),
        _files(hashes),
        _seal(signer, tsa_urls),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _dl(items: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items if v not in (None, ""))
    return f"<dl>{rows}</dl>"


def _table(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _introduction(capture: Mapping[str, Any]) -> str:
    software = capture.get("software") or {}
    browser = software.get("browser") or {}
    machine = capture.get("machine") or {}
    return (
        f"<p>On {_e(capture.get('started_at'))} (UTC), the program capture "
        f"{_e(software.get('capture'))} opened the address above in the Chromium browser "
        f"{_e(browser.get('version'))}, on the computer {_e(machine.get('hostname'))}, run by "
        f"the user {_e(machine.get('operator'))}. It recorded every request the browser made "
        "and every response it received, exactly as received, in the file "
        "<code>page.warc.gz</code>. This page is written at the end of the capture and is "
        "stored both beside that file and inside it.</p>"
    )


def _summary(capture: Mapping[str, Any]) -> str:
    state = str(capture.get("state") or "")
    reasons = "; ".join(str(r) for r in capture.get("partial_reasons") or [])
    verdict = capture.get("verdict") or {}
    return "<h2>Summary</h2>" + _dl(
        [
            ("Address requested", capture.get("url")),
            ("Address finally shown", capture.get("final_url")),
            ("Result", _result(state, verdict)),
            ("What the page is", _reason(verdict)),
            ("What shows it", "; ".join(str(fact) for fact in verdict.get("facts") or [])),
            ("What to do", verdict.get("remedy") if verdict and not verdict.get("kept") else ""),
            ("Why only partial", reasons),
            ("Error", capture.get("error")),
            ("HTTP status of the page", capture.get("status")),
            ("Started (UTC)", capture.get("started_at")),
            ("Ended (UTC)", capture.get("ended_at")),
            ("Duration (seconds)", capture.get("duration_s")),
        ]
    )


def _result(state: str, verdict: Mapping[str, Any]) -> str:
    """Return the result line: never "every step worked" for a page that is not the content."""
    if not verdict:
        return _STATES.get(state, state)
    what = REASONS.get(str(verdict.get("reason")), str(verdict.get("reason")))
    if verdict.get("kept"):
        return f"{state}: {what} was kept as the capture, as asked (keep_error_pages)"
    return f"{state}: the page is not the content asked for, but {what}"


def _reason(verdict: Mapping[str, Any]) -> str:
    if not verdict:
        return ""
    vendor = f", {verdict['vendor']}" if verdict.get("vendor") else ""
    return f"{verdict.get('reason')}{vendor}"


def _requested(capture: Mapping[str, Any]) -> str:
    software = capture.get("software") or {}
    browser = software.get("browser") or {}
    machine = capture.get("machine") or {}
    options = capture.get("options") or {}
    tools = (
        f"capture {software.get('capture')}, Playwright {software.get('playwright')}, "
        f"Python {software.get('python')}"
    )
    settings = [(str(name), json.dumps(value)) for name, value in sorted(options.items())]
    return (
        "<h2>What was requested, and how</h2>"
        + _dl(
            [
                ("Address", capture.get("url")),
                ("Browser", f"Chromium {browser.get('version')} ({browser.get('executable')})"),
                ("Software", tools),
                ("User agent sent", capture.get("user_agent")),
                ("Window size", capture.get("viewport")),
                ("Computer", f"{machine.get('hostname')} ({machine.get('os')})"),
                ("Operator", machine.get("operator")),
            ]
        )
        + "<p>Settings of this capture:</p>"
        + _table(["setting", "value"], settings)
    )


def _received(capture: Mapping[str, Any]) -> str:
    tls = capture.get("tls") or {}
    traffic = capture.get("traffic") or {}
    chain = capture.get("redirect_chain") or []
    failed = traffic.get("failed_requests") or []
    events = capture.get("events") or []
    parts = [
        "<h2>What was received</h2>",
        _dl(
            [
                ("Server address (IP)", capture.get("remote_ip")),
                ("Content type", capture.get("content_type")),
                ("Encryption (TLS)", tls.get("protocol") or "none (plain HTTP)"),
                ("Certificate issued to", tls.get("subject")),
                ("Certificate issued by", tls.get("issuer")),
                ("Certificate valid", tls and f"{tls.get('valid_from')} to {tls.get('valid_to')}"),
                ("Responses recorded", traffic.get("exchanges")),
                ("Bytes recorded", traffic.get("bytes")),
                ("Access barrier seen", capture.get("gated")),
            ]
        ),
    ]
    if len(chain) > 1:
        items = "".join(f"<li><code>{_e(hop)}</code></li>" for hop in chain)
        parts.append(f"<p>The address redirected, in this order:</p><ol>{items}</ol>")
    if failed:
        rows = [(f.get("method"), f.get("url"), f.get("type"), f.get("error")) for f in failed]
        parts.append("<p>Requests that got no response:</p>")
        parts.append(_table(["method", "address", "kind", "why"], rows))
    if events:
        rows = [(e.get("at"), e.get("kind"), e.get("message"), e.get("action")) for e in events]
        parts.append("<p>Dialogs and downloads the page started:</p>")
        parts.append(_table(["time (UTC)", "kind", "message", "answer"], rows))
    return "".join(parts)


def _interventions(capture: Mapping[str, Any]) -> str:
    steps = [
        (s.get("name"), s.get("state"), s.get("duration_s"), _compact(s.get("detail")))
        for s in capture.get("steps") or []
    ]
    entries = capture.get("interventions") or []
    parts = [
        "<h2>What the tool did to the page</h2>",
        "<p>The capture ran these steps, in this order:</p>",
        _table(["step", "result", "seconds", "detail"], steps),
    ]
    if not entries:
        parts.append(
            "<p>The tool did not click, remove, hide or otherwise change anything on the page "
            "beyond the steps above.</p>"
        )
        return "".join(parts)
    rows = [
        (
            e.get("at"),
            e.get("action"),
            e.get("selector"),
            e.get("frame") or "main page",
            "yes" if e.get("ok") else "no",
            e.get("rule"),
            e.get("detail"),
        )
        for e in entries
    ]
    parts.append(
        f"<p>The tool changed the page {len(entries)} time(s), for example to close a cookie "
        "banner or a sign-up box so the article can be seen. Each change, whether it worked, "
        "and the rule that asked for it:</p>"
    )
    parts.append(
        _table(["time (UTC)", "action", "element", "frame", "worked", "rule", "detail"], rows)
    )
    parts.append(
        "<p>The responses in <code>page.warc.gz</code> are what the server sent, before any of "
        "these changes; the screenshots and the text show the page after them.</p>"
    )
    return "".join(parts)


def _compact(value: Any) -> str:
    return "" if value in (None, {}, []) else json.dumps(value, sort_keys=True)


def _files(hashes: Sequence[Mapping[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(h.get('name'))}</code></td><td>{_e(h.get('bytes'))}</td>"
        f'<td class="hash">{_e(h.get("sha256"))}</td></tr>'
        for h in hashes
    )
    return (
        "<h2>Files and their SHA-256 fingerprints</h2>"
        "<p>A SHA-256 fingerprint is computed from every byte of a file: changing even one "
        "byte gives a completely different fingerprint. These files were written before this "
        "page:</p>"
        f"<table><thead><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _seal(signer: str | None, tsa_urls: Sequence[str]) -> str:
    parts = [
        "<h2>How to check this capture</h2>",
        "<p>This page cannot list the fingerprint of <code>page.warc.gz</code>, because it is "
        "stored inside that file. After the archive is closed, <code>capture.json</code> is "
        "written last: it lists the size and SHA-256 of every other file, this page and "
        "<code>page.warc.gz</code> included.</p>",
    ]
    if signer:
        parts.append(
            "<p><code>capture.json</code> is then signed with the Ed25519 key whose "
            f'fingerprint is <span class="hash">{_e(signer)}</span>; the signature is in '
            "<code>seal.json</code>.</p>"
        )
    if tsa_urls:
        items = "".join(f"<li><code>{_e(url)}</code></li>" for url in tsa_urls)
        parts.append(
            "<p>Its fingerprint is then sent to these independent time stamp authorities, "
            "whose signed answers (RFC 3161 tokens) in <code>timestamps/</code> prove that it "
            f"existed at the time they state:</p><ul>{items}</ul>"
        )
    parts.append(
        "<p>To check every fingerprint, every record of the archive, the signature and the "
        "timestamps, run <code>capture verify</code> on this folder. Each step can also be "
        "checked with common tools: <code>sha256sum</code> for files, and "
        "<code>openssl ts -verify -data capture.json -in TOKEN.tsr -CAfile TSA.pem</code> for "
        "a timestamp.</p>"
    )
    return "".join(parts)
