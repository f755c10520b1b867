"""Pure: which failures are worth another attempt, and how long to wait before it."""

from __future__ import annotations

from capture.models import CaptureState, Reason, Verdict

MAX_RETRY_AFTER_S = 600.0
"""The longest `Retry-After` a run waits for; a site asking for more is retried after this."""

CHALLENGE_LATER = 4.0
"""A challenge is retried once, after this many times the usual back-off."""

NOT_RETRIED = frozenset(
    {
        Reason.NOT_FOUND,
        Reason.LOGIN_REQUIRED,
        Reason.UNSUPPORTED_BROWSER,
        Reason.NEEDS_JAVASCRIPT,
        Reason.BLANK,
    }
)
"""Reasons another attempt will meet again: only the user can change them."""

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

TRANSIENT_MARKERS = (
    "timed out",
    "timeout",
    "err_connection_reset",
    "err_connection_closed",
    "err_empty_response",
    "err_network_changed",
    "err_timed_out",
    "err_http2_protocol_error",
    "err_socket_not_connected",
    "target closed",
    "target page, context or browser has been closed",
    "browser has been closed",
    "page crashed",
    "target crashed",
    "browser crashed",
)
"""Lower-case fragments of errors that another attempt may not meet."""

PERMANENT_MARKERS = (
    "err_name_not_resolved",
    "err_connection_refused",
    "err_cert_",
    "err_ssl_",
    "err_unsafe_port",
    "err_invalid_url",
    "not an http",
)
"""Lower-case fragments of errors that will come back on every attempt."""


def is_transient(state: CaptureState, status: int | None, error: str | None) -> bool:
    """Return True when a capture that ended this way should be tried again.

    Timeouts, resets, a crashed page or browser and 408/429/5xx documents are transient;
    DNS failures, refused connections, TLS errors and 4xx documents are not.
    """
    if status in TRANSIENT_STATUSES:
        return True
    if state is not CaptureState.FAILED:
        return False
    text = (error or "").lower()
    if any(marker in text for marker in PERMANENT_MARKERS):
        return False
    return any(marker in text for marker in TRANSIENT_MARKERS)


def backoff_s(attempt: int, base_s: float, cap_s: float = 300.0) -> float:
    """Return the wait after failed attempt number `attempt` (from 1): base_s * 2^(attempt-1)."""
    return float(min(cap_s, base_s * 2.0 ** max(0, attempt - 1)))


def retry_delay_s(
    *,
    state: CaptureState,
    status: int | None,
    error: str | None,
    verdict: Verdict | None,
    attempt: int,
    retries: int,
    base_s: float,
) -> float | None:
    """Return how long to wait before trying a capture again, or None not to.

    By the verdict's reason: `rate_limited` waits for `Retry-After` (at most MAX_RETRY_AFTER_S,
    the back-off when the site gave none); `challenge` is tried once more, later; a 5xx
    backs off; not-found, login, browser and blank pages are not retried. A page the user asked
    to keep (`verdict.kept`, keep_error_pages) is the capture they meant: it is never retried.
    Without a verdict, `is_transient` decides. No more than `retries` retries in all.
    """
    if attempt > retries or (verdict is not None and verdict.kept):
        return None
    backoff = backoff_s(attempt, base_s)
    reason = verdict.reason if verdict is not None else None
    if reason is Reason.RATE_LIMITED:
        after = verdict.retry_after_s if verdict is not None else None
        return min(MAX_RETRY_AFTER_S, after) if after is not None else backoff
    if reason is Reason.CHALLENGE:
        return backoff * CHALLENGE_LATER if attempt == 1 else None
    if reason in NOT_RETRIED:
        return None
    return backoff if is_transient(state, status, error) else None
