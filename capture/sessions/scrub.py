"""Pure: a page's capture with its secrets removed from every text that reaches a file.

The exchanges are redacted as they stream to the WARC (`capture.sessions.redaction.Redactor`); once
the page is rendered, the same redactor, which has learned the session's values by then, cleans the
DOM and the document as served (and so the article text and provenance page made from them), the
events, the interventions, the steps (their errors and details), the facts the page check read
(title, headings, text, addresses), the verdict's facts and the URLs that capture.json records.
Pixels are not redacted, nor is a printed page.pdf: a page that shows a secret on screen shows it
there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from capture.models import Intervention, PageCapture, PageFacts, Verdict
from capture.sessions.redaction import Redactor

Clean = Callable[[str | None, str], str | None]


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

    cleaned = _cleaned_page(page, clean)
    if not (redactor.exchanges or hits):
        return cleaned
    note = _redaction_note(redactor, hits, at)
    return replace(cleaned, interventions=(*cleaned.interventions, note))


def _cleaned_page(page: PageCapture, clean: Clean) -> PageCapture:
    """Return the page with clean applied to every text of it that reaches a file."""
    dom = clean(page.dom_html, "the DOM")
    return replace(
        page,
        final_url=clean(page.final_url, "the URLs"),
        redirect_chain=tuple(clean(url, "the URLs") or "" for url in page.redirect_chain),
        dom_html=dom,
        layout_html=clean(page.layout_html, ""),  # "": not named where secrets were found
        served_html=clean(page.served_html, ""),
        error=clean(page.error, "the error"),
        events=tuple(
            replace(event, message=clean(event.message, "the page's events") or "")
            for event in page.events
        ),
        steps=tuple(
            replace(
                step,
                error=clean(step.error, "the steps"),
                detail=_cleaned_value(step.detail, clean, "the steps"),
            )
            for step in page.steps
        ),
        seen=_cleaned_facts(page.seen, clean),
        verdict=_cleaned_verdict(page.verdict, clean),
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


def _redaction_note(redactor: Redactor, hits: list[str], at: datetime) -> Intervention:
    """Return the intervention that records what was redacted, and where."""
    what = "login credentials"
    if redactor.session:
        what += ", session cookie values, Authorization credentials and login tokens"
    places = [f"{redactor.exchanges} recorded exchange(s)", *hits]
    return Intervention(
        action="redact",
        rule="capture:credentials",
        at=at,
        ok=True,
        detail=f"secrets replaced ({what}) in " + ", ".join(places),
    )


def _cleaned_value(value: Any, clean: Clean, where: str) -> Any:
    """Return value with the strings in it (in lists, tuples and dicts, keys too) cleaned."""
    if isinstance(value, str):
        return clean(value, where)
    if isinstance(value, dict):
        return {
            _cleaned_value(key, clean, where): _cleaned_value(item, clean, where)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_cleaned_value(item, clean, where) for item in value)
    return value


def _cleaned_facts(seen: PageFacts | None, clean: Clean) -> PageFacts | None:
    """Return what the page check read with every secret replaced in each of its texts
    (title, headings, text, addresses, markers: every str or tuple field, present or added)."""
    if seen is None:
        return None
    where = "the page's facts"
    changes = {
        item.name: _cleaned_value(getattr(seen, item.name), clean, where)
        for item in fields(seen)
        if isinstance(getattr(seen, item.name), str | tuple)
    }
    return replace(seen, **changes)


def _cleaned_verdict(verdict: Verdict | None, clean: Clean) -> Verdict | None:
    """Return the verdict with every secret replaced in its facts."""
    if verdict is None:
        return None
    facts = tuple(clean(fact, "the verdict") or "" for fact in verdict.facts)
    return replace(verdict, facts=facts)
