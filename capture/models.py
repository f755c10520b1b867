"""Frozen data passed between the stages of a capture."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Re-exported: the capture options are defined in capture.options, once.
from capture.options import OUTPUTS as OUTPUTS  # noqa: PLC0414
from capture.options import CaptureOptions as CaptureOptions  # noqa: PLC0414
from capture.options import Viewport as Viewport  # noqa: PLC0414

if TYPE_CHECKING:
    from capture.verdict.judge import PageFacts, Verdict

Header = tuple[str, str]
"""One header line as sent or received, name and value, order and case kept."""


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
class HttpRequest:
    """An HTTP request as the browser sent it."""

    method: str
    url: str
    headers: tuple[Header, ...]
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An HTTP response as the browser received it; `body` is already decoded."""

    status: int
    reason: str
    headers: tuple[Header, ...]
    body: bytes
    http_version: str = "HTTP/1.1"
    """The protocol as the browser observed it, an ALPN id: `http/1.1`, `h2`, `h3`. The
    default `HTTP/1.1` means it was not observed (the status line we store anyway)."""
    remote_ip: str | None = None
    remote_port: int | None = None
    tls_version: str | None = None
    """The TLS (or QUIC) version of the connection as Chromium names it (`TLS 1.3`, `QUIC`);
    None for plain HTTP or when not observed."""
    tls_cipher: str | None = None
    """The cipher suite of the connection (`AES_128_GCM`), when observed."""

    def header(self, wanted: str) -> str | None:
        """Return the first value of header `wanted` (any case), or None."""
        wanted = wanted.lower()
        return next((value for name, value in self.headers if name.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as one WARC request/response pair."""

    request: HttpRequest
    response: HttpResponse
    started_at: datetime
    resource_type: str = "other"


@dataclass(frozen=True, slots=True)
class TlsDetails:
    """What the browser reported of the TLS connection of one response."""

    protocol: str | None
    issuer: str | None
    subject: str | None
    valid_from: datetime | None
    valid_to: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Return the details as JSON-ready data."""
        return {
            "protocol": self.protocol,
            "issuer": self.issuer,
            "subject": self.subject,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


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
class FailedRequest:
    """A request that got no response."""

    url: str
    method: str
    error: str
    resource_type: str


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
