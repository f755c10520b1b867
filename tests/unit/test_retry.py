"""Which failures are retried (`retry.is_transient`) and how long to wait (`retry.backoff_s`)."""

from __future__ import annotations

import pytest

from capture.models import CaptureState, PageFacts
from capture.run.retry import backoff_s, is_transient, retry_delay_s
from capture.verdict.judge import Document, judge

FAILED, COMPLETE, PARTIAL = CaptureState.FAILED, CaptureState.COMPLETE, CaptureState.PARTIAL
URL = "https://news.example/story"
CHALLENGE = (("cf-mitigated", "challenge"),)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_busy_or_broken_server_is_retried_even_when_the_page_rendered(status: int) -> None:
    assert is_transient(COMPLETE, status, None)
    assert is_transient(FAILED, status, None)


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 410, 451])
def test_a_document_status_that_will_not_change_is_not_retried(status: int) -> None:
    assert not is_transient(COMPLETE, status, None)
    assert not is_transient(PARTIAL, status, "screenshot: timed out after 5.0 s")


@pytest.mark.parametrize(
    "error",
    [
        f"Could not load {URL} (Timeout 30000ms exceeded.).",
        f"Could not load {URL} (net::ERR_CONNECTION_RESET at {URL}).",
        f"Could not load {URL} (net::ERR_EMPTY_RESPONSE at {URL}).",
        f"Could not load {URL} (net::ERR_CONNECTION_CLOSED at {URL}).",
        f"Could not load {URL} (net::ERR_TIMED_OUT at {URL}).",
        "Target page, context or browser has been closed",
        "Page crashed",
        "navigate: timed out after 61.0 s",
    ],
)
def test_timeouts_resets_and_crashes_are_retried(error: str) -> None:
    assert is_transient(FAILED, None, error)


@pytest.mark.parametrize(
    "error",
    [
        f"Could not load {URL} (net::ERR_NAME_NOT_RESOLVED at {URL}).",
        f"Could not load {URL} (net::ERR_CONNECTION_REFUSED at {URL}).",
        f"Could not load {URL} (net::ERR_CERT_AUTHORITY_INVALID at {URL}).",
        f"Could not load {URL} (net::ERR_SSL_PROTOCOL_ERROR at {URL}).",
        f"Could not load {URL} (net::ERR_ABORTED at {URL}).",
        "Cannot capture 'ftp://x' (not an http or https URL).",
        None,
    ],
)
def test_dns_refusals_tls_errors_and_unknown_errors_are_not_retried(error: str | None) -> None:
    assert not is_transient(FAILED, None, error)


def test_a_permanent_cause_wins_over_a_timeout_in_the_same_message() -> None:
    error = f"Could not load {URL} (net::ERR_NAME_NOT_RESOLVED; resolver timed out)."
    assert not is_transient(FAILED, None, error)


def test_a_partial_capture_whose_step_timed_out_is_kept_not_retried() -> None:
    assert not is_transient(PARTIAL, 200, "screenshot: timed out after 5.0 s")


def test_a_bug_in_capture_is_not_retried() -> None:
    error = "Capture crashed (ValueError: bad header). This is a bug; please report it."
    assert not is_transient(FAILED, None, error)


@pytest.mark.parametrize(
    ("attempt", "base_s", "expected"),
    [(1, 2.0, 2.0), (2, 2.0, 4.0), (3, 2.0, 8.0), (4, 0.5, 4.0), (1, 0.0, 0.0), (0, 2.0, 2.0)],
)
def test_backoff_doubles_from_the_base_after_each_failed_attempt(
    attempt: int, base_s: float, expected: float
) -> None:
    assert backoff_s(attempt, base_s) == expected


def test_backoff_is_capped() -> None:
    assert backoff_s(20, 2.0) == 300.0
    assert backoff_s(5, 2.0, cap_s=10.0) == 10.0


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, (("Retry-After", "30"),)), (503, ()), (500, ()), (502, ()), (403, CHALLENGE)],
)
def test_a_kept_error_page_is_the_capture_and_is_not_retried(
    status: int, headers: tuple[tuple[str, str], ...]
) -> None:
    document = Document(URL, URL, status, headers, "text/html")
    kept = judge(document, PageFacts(text="Busy", text_chars=4), keep=True)
    assert kept is not None and kept.kept and kept.state is COMPLETE
    retried = judge(document, PageFacts(text="Busy", text_chars=4))
    delays = [
        retry_delay_s(
            state=verdict.state,
            status=status,
            error=None,
            verdict=verdict,
            attempt=1,
            retries=3,
            base_s=2.0,
        )
        for verdict in (kept, retried)
    ]
    assert delays[0] is None
    assert delays[1] is not None  # the same page, not kept, is retried
