"""The verification report as a page a non-specialist can read, and print (`capture verify --pdf`).

Pure: a `VerifyReport` and what the verifier was told to trust in, one self-contained HTML page
out (no scripts, no external resources, every value escaped): the verdict first, then each file
with each check, whether it holds and the facts, then what each kind of check means.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from capture.evidence.checks import Check, VerifyReport

_STYLE = (
    "body{font:15px/1.5 Georgia,serif;max-width:60em;margin:2em auto;padding:0 1em;color:#111}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em;border-bottom:1px solid #999}"
    "table{border-collapse:collapse;width:100%;font-size:.85em}"
    "td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"
    "td.detail{font-family:monospace;word-break:break-all}.ok{color:#064}.fail{color:#a00;"
    "font-weight:bold}.verdict{font-size:1.2em;padding:.5em;border:2px solid}"
)

MEANINGS: tuple[tuple[str, str], ...] = (
    (
        "size and SHA-256",
        "The file has exactly the size and the SHA-256 fingerprint that the "
        "capture's manifest lists. Changing a single byte of the file changes its fingerprint.",
    ),
    ("listed in", "The file is named in the manifest: nothing was added to the folder later."),
    (
        "WARC record digests",
        "Each record of the web archive (every response the browser got, "
        "every screenshot and text stored in it) still has the fingerprint written beside it.",
    ),
    ("same as its copy", "The file is byte for byte the copy of it kept inside the web archive."),
    ("a whole", "The file opens as a whole document of its kind (not cut short or damaged)."),
    (
        "signature",
        "The manifest carries a digital signature (Ed25519) made with the private key "
        "whose public key is stored beside it; with --public-key, that this is the expected key.",
    ),
    (
        "RFC 3161 timestamp",
        "An independent time stamp authority signed the manifest's "
        "fingerprint together with the time: the files existed, as they are, at that time. With "
        "--tsa-cert, the authority's certificate is traced to a certificate the verifier trusts, "
        "through issuers that may issue certificates, each valid at that time.",
    ),
    ("trusted timestamp", "At least one timestamp traces to a certificate the verifier trusts."),
    ("signature time agrees", "The time in the signature is close to the authority's time."),
    ("capture finished", "The capture wrote everything it was writing."),
    ("made after the capture", "A later replay check (capture qa) refers to this capture."),
)
"""Plain words for each kind of check, matched by the start of its `what` (first match wins)."""


def verify_report_html(
    report: VerifyReport, *, trusted: Sequence[str] = (), made_at: datetime | None = None
) -> str:
    """Return the report as a self-contained HTML page.

    trusted names what the verifier trusted (TSA certificates, the public key) in words;
    made_at is when the verification was made (printed in the heading).
    """
    title = f"Verification of {report.path.name or report.path}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>The {_e(report.kind)} <code>{_e(report.path)}</code> was checked by "
        "<code>capture verify</code>"
        + (f" on {_e(made_at.strftime('%Y-%m-%d %H:%M:%S UTC'))}" if made_at else "")
        + ", offline, against what is stored in it and what the verifier trusts.</p>",
        _verdict(report),
        _trusted(trusted),
        *(_group(name, checks) for name, checks in _groups(report.checks)),
        _meanings(report.checks),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _verdict(report: VerifyReport) -> str:
    if report.ok:
        text = f"VERIFIED: all {len(report.checks)} checks hold."
        return f'<p class="verdict ok">{_e(text)}</p>'
    failed = sorted({check.subject for check in report.failures})
    text = (
        f"NOT VERIFIED: {len(report.failures)} of {len(report.checks)} checks do not hold, "
        f"about {', '.join(failed) or 'nothing found to check'}."
    )
    return f'<p class="verdict fail">{_e(text)}</p>'


def _trusted(trusted: Sequence[str]) -> str:
    if not trusted:
        return (
            "<p>The verifier named no certificate or key to trust: signatures and timestamps "
            "are checked with the keys and certificates stored with the capture, which shows "
            "that nothing changed since they were made, but not who made them.</p>"
        )
    items = "".join(f"<li>{_e(item)}</li>" for item in trusted)
    return f"<h2>What the verifier trusted</h2><ul>{items}</ul>"


def _groups(checks: Sequence[Check]) -> list[tuple[str, list[Check]]]:
    groups: dict[str, list[Check]] = {}
    for check in checks:
        groups.setdefault(check.subject, []).append(check)
    return list(groups.items())


def _group(subject: str, checks: Sequence[Check]) -> str:
    rows = "".join(
        '<tr><td>{}</td><td class="{}">{}</td><td class="detail">{}</td></tr>'.format(
            _e(check.what),
            "ok" if check.ok else "fail",
            "holds" if check.ok else "DOES NOT HOLD",
            _e(check.detail),
        )
        for check in checks
    )
    return (
        f"<h2>{_e(subject)}</h2><table><tr><th>check</th><th>result</th><th>facts</th></tr>"
        f"{rows}</table>"
    )


def _meanings(checks: Sequence[Check]) -> str:
    used = [
        (label, text) for label, text in MEANINGS if any(label in check.what for check in checks)
    ]
    items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(text)}</dd>" for label, text in used)
    return f"<h2>What the checks mean</h2><dl>{items}</dl>"
