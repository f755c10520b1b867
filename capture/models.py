"""Frozen data passed between the stages of a capture."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from capture.exchanges import FailedRequest, Header, TlsDetails
from capture.options import CaptureOptions, Viewport


class CaptureState(enum.StrEnum):
    """The outcome of one capture."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


class StepState(enum.StrEnum):
    """The outcome of one named step of a capture."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a capture: when, how it ended, and why it was tried again."""

    number: int
    started_at: datetime
    ended_at: datetime
    state: CaptureState
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the attempt as JSON-ready data."""
        return {
            "number": self.number,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "state": self.state.value,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class CaptureRequest:
    """One URL to capture, with where its folder goes and how to capture it."""

    url: str
    folder: Path
    options: CaptureOptions
    site: Any = None
    """The site config that matched the URL (`capture.config.site.SiteConfig`), if any."""
    sessions: Any = None
    """The run's shared sessions (`capture.sessions.logins.SessionStore`): a site's `login` runs
    once per run and every capture of the site starts from its state. None: each capture logs in."""


@dataclass(frozen=True, slots=True)
class StepResult:
    """How one named step of a capture went."""

    name: str
    state: StepState
    duration_s: float
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        data: dict[str, Any] = {
            "name": self.name,
            "state": self.state.value,
            "duration_s": round(self.duration_s, 3),
        }
        if self.error:
            data["error"] = self.error
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True, slots=True)
class PageEvent:
    """Something the page did that the capture answered or noted (a dialog, a download)."""

    kind: str
    message: str
    at: datetime
    action: str = ""


@dataclass(frozen=True, slots=True)
class Intervention:
    """One thing the capture did to the page, and whether it worked: evidence of alteration."""

    action: str
    """What was done: click, remove, hide, press, unlock_scroll, unclamp, block, login, ..."""
    rule: str
    """Which rule asked for it: `site:<file>#<index>`, `builtin:<platform>` or `generic:<kind>`."""
    at: datetime
    ok: bool
    selector: str | None = None
    frame: str | None = None
    """The frame's URL when the element was not in the main document."""
    detail: str = ""
    elements: int | None = None
    """How many elements one action touched, when it is one record for several."""

    def to_json(self) -> dict[str, Any]:
        """Return the intervention as JSON-ready data (`elements` only when counted)."""
        data: dict[str, Any] = {
            "action": self.action,
            "rule": self.rule,
            "selector": self.selector,
            "frame": self.frame,
            "at": self.at.isoformat(),
            "ok": self.ok,
            "detail": self.detail,
        }
        if self.elements is not None:
            data["elements"] = self.elements
        return data


@dataclass(frozen=True, slots=True)
class FirstScreen:
    """The first screen of a full-page screenshot, and its small preview."""

    png: bytes | None
    """viewport.png, or None when not wanted."""
    thumbnail_webp: bytes | None
    """thumbnail.webp, or None when not wanted."""


@dataclass(frozen=True, slots=True)
class Screenshot:
    """A full-page screenshot and what it covers."""

    png: bytes
    width_px: int
    height_px: int
    page_height_px: int
    tiles: int = 1
    truncated: bool = False
    """True when the page was taller than the configured limit."""
    first_screen: FirstScreen | None = None
    """Made from png while the browser finished the page; None: not made yet."""


@dataclass(frozen=True, slots=True)
class ScreencastFrame:
    """One frame of the browser's screencast: when it was painted and the JPEG."""

    at_s: float
    """The browser's timestamp of the frame, seconds since the epoch."""
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class BrowserInfo:
    """Which browser captured, and how it was found."""

    executable: str
    version: str
    source: str
    playwright_version: str
    user_agent: str = ""
    sha256: str = ""
    """The SHA-256 (hex) of the browser executable, computed once when the browser starts."""
    pdf_viewer: bool = True
    """Whether it shows PDFs in its viewer (`navigator.pdfViewerEnabled`); the headless shell
    has none and downloads them."""


@dataclass(frozen=True, slots=True)
class TrafficSummary:
    """Counts of what the page loaded."""

    exchanges: int = 0
    bytes: int = 0
    failed: tuple[FailedRequest, ...] = ()


@dataclass(frozen=True, slots=True)
class PageCapture:
    """Everything the browser gave us for one page, apart from the exchanges (streamed)."""

    url: str
    final_url: str | None
    started_at: datetime
    ended_at: datetime
    browser: BrowserInfo
    viewport: Viewport
    steps: tuple[StepResult, ...]
    redirect_chain: tuple[str, ...] = ()
    status: int | None = None
    content_type: str | None = None
    remote_ip: str | None = None
    tls: TlsDetails | None = None
    certificate_chain: tuple[bytes, ...] = ()
    """The main document's certificate chain (DER, leaf first) as Chromium verified it on the
    capture's own connection; empty for plain HTTP or when Chromium did not give it."""
    dom_html: str | None = None
    screenshot: Screenshot | None = None
    served_screenshot: Screenshot | None = None
    """The full page as served, before any intervention (only when something was done)."""
    interventions: tuple[Intervention, ...] = ()
    gated: str | None = None
    """Why the article is behind a wall the capture could not clear (publisher-declared or
    server-side), with the remedy; None when nothing was gated."""
    layout: Any = None
    """What the page looked like, for extraction (`capture.extract` defines the shape)."""
    layout_html: str | None = None
    """The DOM again after the layout script stamped its element ids: extraction input only."""
    served_html: str | None = None
    """The main document as the server sent it, kept only when article text a script removed
    from the page is recovered from it: extraction input only."""
    events: tuple[PageEvent, ...] = ()
    page_pdf: bytes | None = None
    """The page printed to PDF after the interventions (`--pdf`), when asked and printed."""
    screencast: tuple[ScreencastFrame, ...] = ()
    """The browser's screencast from navigation to the last screenshot (`--video`)."""
    traffic: TrafficSummary = field(default_factory=TrafficSummary)
    error: str | None = None
    """Why the capture failed, when it did."""
    headers: tuple[Header, ...] = ()
    """The main document's response headers (after redirects), for the verdict."""
    seen: PageFacts | None = None
    """What the browser read from the rendered page, for the verdict."""
    verdict: Verdict | None = None
    """Why the page is not the content asked for (an error, challenge, login or rate-limit
    page), set by the pipeline; None when it is the content."""

    @property
    def state(self) -> CaptureState:
        """Return complete, partial or failed from the error, the verdict and the steps."""
        if self.error is not None or self.final_url is None:
            return CaptureState.FAILED
        if self.verdict is not None and self.verdict.state is CaptureState.FAILED:
            return CaptureState.FAILED
        if any(step.state is StepState.FAILED for step in self.steps):
            return CaptureState.PARTIAL
        if self.verdict is not None:
            return self.verdict.state
        return CaptureState.COMPLETE

    @property
    def partial_reasons(self) -> tuple[str, ...]:
        """Return one line per failed step."""
        return tuple(
            f"{step.name}: {step.error or 'failed'}"
            for step in self.steps
            if step.state is StepState.FAILED
        )


class Reason(enum.StrEnum):
    """Why a capture holds something other than the content asked for."""

    HTTP_STATUS = "http_status"
    CHALLENGE = "challenge"
    RATE_LIMITED = "rate_limited"
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    UNSUPPORTED_BROWSER = "unsupported_browser"
    NEEDS_JAVASCRIPT = "needs_javascript"
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the browser read from the rendered page, for the verdict."""

    title: str = ""
    headings: tuple[str, ...] = ()
    text: str = ""
    """The visible text, its first TEXT_CHARS characters."""
    text_chars: int = 0
    """The length of the whole visible text."""
    urls: tuple[str, ...] = ()
    """Addresses of the page's scripts, frames and loaded resources."""
    inline: str = ""
    """Inline script text, element ids and classes (a bounded sample)."""
    password_fields: int = 0
    """Visible password inputs (a hidden sign-in dropdown in the page's DOM does not count)."""
    media: int = 0
    """Visible images, drawings, videos and frames."""
    frames: tuple[str, ...] = ()
    """Addresses of the page's visible frames (a challenge's iframe is shown)."""
    articles: int = 0
    """`article` elements: the page carries content of its own."""

    def to_json(self) -> dict[str, Any]:
        """Return the facts as JSON-ready data (the sample of text and markers left out)."""
        return {
            "title": self.title,
            "headings": list(self.headings),
            "text_chars": self.text_chars,
            "password_fields": self.password_fields,
            "media": self.media,
            "articles": self.articles,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why the capture is not the content, what shows it, what to do, and the state it gives."""

    reason: Reason
    facts: tuple[str, ...]
    remedy: str
    state: CaptureState
    """partial or failed; complete when the user asked to keep error pages."""
    kept: bool = False
    """The user asked to keep such pages as the capture (`keep_error_pages`)."""
    vendor: str | None = None
    """The vendor of a challenge, when known."""
    retry_after_s: float | None = None
    """How long the site asked to wait (`Retry-After`), when it said."""

    def summary(self) -> str:
        """Return one line: the reason, the vendor and the facts."""
        vendor = f" ({self.vendor})" if self.vendor else ""
        return f"{self.reason.value}{vendor}: " + "; ".join(self.facts)

    def to_json(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data."""
        return {
            "reason": self.reason.value,
            "vendor": self.vendor,
            "facts": list(self.facts),
            "remedy": self.remedy,
            "state": self.state.value,
            "kept": self.kept,
            "retry_after_s": self.retry_after_s,
        }

    @classmethod
    def from_json(cls, data: Any) -> Verdict | None:
        """Return the verdict `to_json` wrote, or None for anything else."""
        if not isinstance(data, dict) or data.get("reason") not in set(Reason):
            return None
        after = data.get("retry_after_s")
        return cls(
            reason=Reason(data["reason"]),
            facts=tuple(str(fact) for fact in data.get("facts") or ()),
            remedy=str(data.get("remedy") or ""),
            state=CaptureState(data.get("state") or CaptureState.FAILED.value),
            kept=bool(data.get("kept")),
            vendor=data.get("vendor"),
            retry_after_s=float(after) if isinstance(after, int | float) else None,
        )


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What became of one URL: its state, its folder and, when it failed, why."""

    url: str
    state: CaptureState
    folder: Path
    error: str | None = None
    title: str | None = None
    exchanges: int = 0
    bytes: int = 0
    duration_s: float = 0.0
    status: int | None = None
    attempts: int = 1
    verdict: Verdict | None = None
    """Why the page is not the content asked for, when it is not (see `capture.verdict.judge`)."""

    @property
    def reason(self) -> str | None:
        """Return the verdict's reason (`challenge`, `not_found`...), or None."""
        return self.verdict.reason.value if self.verdict else None

    def to_json(self) -> dict[str, Any]:
        """Return the result as one JSON line's data."""
        return {
            "url": self.url,
            "state": self.state.value,
            "folder": str(self.folder),
            "error": self.error,
            "title": self.title,
            "exchanges": self.exchanges,
            "bytes": self.bytes,
            "duration_s": round(self.duration_s, 3),
            "status": self.status,
            "attempts": self.attempts,
            "reason": self.reason,
            "verdict": self.verdict.to_json() if self.verdict else None,
        }
