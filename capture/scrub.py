"""Pure: a page's capture with its secrets removed from every text that reaches a file.

The exchanges are redacted as they stream to the WARC (`capture.redaction.Redactor`); once the
page is rendered, the same redactor, which has learned the session's values by then, cleans the
DOM and the document as served (and so the article text and provenance page made from them),
the events, the interventions, the steps and the URLs that capture.json records. Pixels are not
redacted, nor is a printed page.pdf: a page that shows a secret on screen shows it there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from capture.models import Intervention, PageCapture
from capture.redaction import Redactor


def without_secrets(page: PageCapture, redactor: Redactor, at: datetime) -> PageCapture:
    """Return the page with every secret the redactor knows replaced, the redaction recorded."""
    hits: list[str] = []

    def clean(text: str | None, where: str = "") -> str | None:
        if text is None:
            return None
        cleaned, found = redactor.text(text)
        if found and where and where not in hits:
            hits.append(where)
        return cleaned

    dom = clean(page.dom_html, "the DOM")
    cleaned = replace(
        page,
        final_url=clean(page.final_url, "the URLs"),
        redirect_chain=tuple(clean(url, "the URLs") or "" for url in page.redirect_chain),
        dom_html=dom,
        layout_html=clean(page.layout_html),
        served_html=clean(page.served_html),
        error=clean(page.error, "the error"),
        events=tuple(
            replace(event, message=clean(event.message, "the page's events") or "")
            for event in page.events
        ),
        steps=tuple(replace(step, error=clean(step.error, "the steps")) for step in page.steps),
        interventions=tuple(
            replace(entry, detail=clean(entry.detail, "the interventions") or "")
            for entry in page.interventions
        ),
        traffic=replace(
            page.traffic,
            failed=tuple(
                replace(failed, url=clean(failed.url, "the URLs") or "")
                for failed in page.traffic.failed
            ),
        ),
    )
    if not (redactor.exchanges or hits):
        return cleaned
    what = "login credentials"
    if redactor.session:
        what += ", session cookie values, Authorization credentials and login tokens"
    places = [f"{redactor.exchanges} recorded exchange(s)", *hits]
    note = Intervention(
        action="redact",
        rule="capture:credentials",
        at=at,
        ok=True,
        detail=f"secrets replaced ({what}) in " + ", ".join(places),
    )
    return replace(cleaned, interventions=(*cleaned.interventions, note))
