"""Pure: which failures are worth another attempt, and how long to wait before it."""

from __future__ import annotations

from capture.models import CaptureState

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
