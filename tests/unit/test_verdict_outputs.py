"""The verdict through a capture and a run (fake renderer): state, capture.json, results.jsonl,
provenance.html, the report, the exit code and retries by reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from capture import api
from capture.api import RunResult
from capture.cli import exit_code_for
from capture.config.job import Job
from capture.errors import ExitCode
from capture.models import CaptureRequest, CaptureState, PageCapture, PageFacts, Reason, Verdict
from capture.options import CaptureOptions
from capture.output.provenance_html import PROVENANCE_HTML
from capture.plan import plan
from capture.progress import CaptureRetrying, CaptureStarted, ProgressEvent
from capture.run.pipeline import Seams, capture_page
from capture.run.report import report_html, report_rows
from capture.run.retry import MAX_RETRY_AFTER_S, retry_delay_s
from capture.run.runner import RunPolicy, run_captures
from capture.verdict.judge import Document, judge
from tests.fakes import FAKE_MACHINE, FakeClock, FakeRenderer, complete_page, small_viewport

SEAMS = Seams(machine=FAKE_MACHINE)
OPTIONS = CaptureOptions(viewport=small_viewport())
URL = "https://news.example/story/1"
CHALLENGE_HEADERS = (("cf-mitigated", "challenge"), ("content-type", "text/html"))
CHALLENGE_FACTS = PageFacts(
    title="Just a moment...", text="Verifying you are human.", text_chars=24
)


def served(
    status: int, headers: tuple[tuple[str, str], ...] = (), **more: Any
) -> Callable[..., Any]:
    """Return a page maker of a rendered document with this status, headers and facts."""

    def make(request: CaptureRequest) -> PageCapture:
        return replace(complete_page(request), status=status, headers=headers, **more)

    return make


def then_complete(first: Callable[..., Any], times: int = 1) -> Callable[..., Any]:
    """Return a page maker that makes `first` `times` times, then a complete page."""
    calls = {"n": 0}

    def make(request: CaptureRequest) -> PageCapture:
        calls["n"] += 1
        return first(request) if calls["n"] <= times else complete_page(request)

    return make


async def one(tmp_path: Path, maker: Callable[..., Any], **options: Any) -> dict[str, Any]:
    """Capture URL with the fake page maker; return capture.json."""
    request = CaptureRequest(URL, tmp_path / "c", replace(OPTIONS, **options))
    result = await capture_page(request, FakeRenderer(outcomes={URL: maker}), SEAMS)
    document: dict[str, Any] = json.loads((result.folder / "capture.json").read_text("utf-8"))
    assert document["state"] == result.state.value
    assert document["reason"] == result.reason
    return document


async def test_a_404_page_is_failed_with_its_reason_facts_and_remedy(tmp_path: Path) -> None:
    document = await one(tmp_path, served(404))
    assert document["state"] == "failed"
    assert document["reason"] == "not_found"
    assert document["verdict"]["facts"] == ["HTTP status 404"]
    assert "--keep-error-pages" in document["verdict"]["remedy"]
    assert document["error"] is None  # the capture itself worked: what it holds is no content
    page = (tmp_path / "c" / PROVENANCE_HTML).read_text("utf-8")
    assert "every step of the capture worked" not in page
    assert "failed: the page is not the content asked for, but a not-found page" in page
    assert "HTTP status 404" in page


async def test_keeping_error_pages_makes_a_404_complete_with_the_reason_shown(
    tmp_path: Path,
) -> None:
    document = await one(tmp_path, served(404), keep_error_pages=True)
    assert (document["state"], document["reason"]) == ("complete", "not_found")
    assert document["verdict"]["kept"] is True
    assert document["options"]["keep_error_pages"] is True
    page = (tmp_path / "c" / PROVENANCE_HTML).read_text("utf-8")
    assert "complete: a not-found page was kept as the capture, as asked" in page
    assert "every step of the capture worked" not in page


async def test_a_challenge_page_is_failed_and_names_its_vendor(tmp_path: Path) -> None:
    document = await one(tmp_path, served(403, CHALLENGE_HEADERS, seen=CHALLENGE_FACTS))
    assert (document["state"], document["reason"]) == ("failed", "challenge")
    assert document["verdict"]["vendor"] == "Cloudflare"
    assert document["page_facts"]["title"] == "Just a moment..."


async def test_a_soft_404_is_partial(tmp_path: Path) -> None:
    facts = PageFacts(title="Page not found", text="Sorry " * 50, text_chars=300, media=1)
    document = await one(tmp_path, served(200, seen=facts))
    assert (document["state"], document["reason"]) == ("partial", "not_found")


async def test_a_page_that_is_the_content_has_no_reason(tmp_path: Path) -> None:
    document = await one(tmp_path, served(200))
    assert (document["state"], document["reason"], document["verdict"]) == (
        "complete",
        None,
        None,
    )


def job(tmp_path: Path, urls: Sequence[str], **fields: Any) -> Job:
    """Return a job over urls writing under tmp_path/archives."""
    data: dict[str, Any] = {
        "version": 1,
        "name": "daily",
        "urls": list(urls),
        "output": tmp_path / "archives",
        "defaults": {"viewport": "320x240"},
        "retries": 0,
        "wacz": False,
        **fields,
    }
    return Job.model_validate(data)


async def test_a_run_records_reasons_in_results_and_groups_them_in_the_report(
    tmp_path: Path,
) -> None:
    urls = [f"https://news.example/story/{n}" for n in range(1, 5)]
    fake = FakeRenderer(
        outcomes={
            urls[0]: served(404),
            urls[1]: served(403, CHALLENGE_HEADERS, seen=CHALLENGE_FACTS),
            urls[2]: served(410),
        }
    )
    the_job = job(tmp_path, urls)
    result: RunResult = await api.run_job(the_job, the_job.urls, renderer=fake, seams=SEAMS)
    assert exit_code_for(result) is ExitCode.FAILED
    rows = [json.loads(line) for line in (result.folder / "results.jsonl").read_text().splitlines()]
    assert [(row["state"], row["reason"]) for row in rows] == [
        ("failed", "not_found"),
        ("failed", "challenge"),
        ("failed", "not_found"),
        ("complete", None),
    ]
    assert rows[1]["verdict"]["vendor"] == "Cloudflare"
    assert [r.reason for r in result.results] == ["not_found", "challenge", "not_found", None]
    report = (result.folder / "index.html").read_text("utf-8")
    assert "Not the content asked for: 1 challenge · 2 not_found" in report
    assert report.index('id="challenge"') < report.index('id="not_found"')
    assert report.count('class="badge reason"') == 3


def test_the_report_puts_captures_without_a_reason_before_the_groups(tmp_path: Path) -> None:
    (tmp_path / "captures").mkdir()
    for slug, record in {
        "a": {"url": "https://a.example/", "state": "failed", "reason": "not_found"},
        "b": {"url": "https://b.example/", "state": "failed", "error": "DNS"},
    }.items():
        folder = tmp_path / "captures" / slug
        folder.mkdir()
        (folder / "capture.json").write_text(json.dumps(record))
    page = report_html(report_rows(tmp_path), title="t")
    assert page.index("https://b.example/") < page.index('id="not_found"')
    assert page.index('id="not_found"') < page.index("https://a.example/")


async def test_keeping_error_pages_exits_zero(tmp_path: Path) -> None:
    fake = FakeRenderer(outcomes={URL: served(404)})
    the_job = job(tmp_path, [URL], defaults={"viewport": "320x240", "keep_error_pages": True})
    result = await api.run_job(the_job, the_job.urls, renderer=fake, seams=SEAMS)
    assert exit_code_for(result) is ExitCode.OK
    assert result.results[0].reason == "not_found"


# -- retries by reason ----------------------------------------------------------------------------


def verdict_of(
    status: int, headers: tuple[tuple[str, str], ...] = (), facts: PageFacts | None = None
) -> Verdict | None:
    """Return the verdict on a document with this status."""
    return judge(Document(URL, URL, status, headers, "text/html"), facts or PageFacts(text_chars=9))


def delay(status: int, attempt: int = 1, retries: int = 3, **kwargs: Any) -> float | None:
    """Return the retry delay of a capture of a document with this status (base 2 s)."""
    return retry_delay_s(
        state=CaptureState.FAILED,
        status=status,
        error=None,
        verdict=verdict_of(status, **kwargs),
        attempt=attempt,
        retries=retries,
        base_s=2.0,
    )


def test_rate_limited_waits_for_retry_after_within_a_bound() -> None:
    assert delay(429, headers=(("Retry-After", "30"),)) == 30.0
    assert delay(503, headers=(("Retry-After", "86400"),)) == MAX_RETRY_AFTER_S
    assert delay(429) == 2.0  # none given: the back-off


def test_a_challenge_is_retried_once_later() -> None:
    assert delay(403, headers=CHALLENGE_HEADERS, facts=CHALLENGE_FACTS) == 8.0
    assert delay(403, attempt=2, headers=CHALLENGE_HEADERS, facts=CHALLENGE_FACTS) is None


def test_a_server_error_backs_off_and_not_found_or_login_are_not_retried() -> None:
    assert (delay(500), delay(502, attempt=2)) == (2.0, 4.0)
    assert delay(404) is None
    assert delay(410) is None
    assert delay(401) is None


def test_no_retry_beyond_the_limit() -> None:
    assert delay(500, attempt=2, retries=1) is None
    assert delay(429, retries=0, headers=(("Retry-After", "1"),)) is None


async def test_a_rate_limited_host_holds_its_other_pages_for_retry_after(tmp_path: Path) -> None:
    first, second = "https://busy.example/a", "https://busy.example/b"
    fake = FakeRenderer(
        outcomes={first: then_complete(served(429, (("Retry-After", "1"),)))},
        yields={second: 50},
    )
    starts: dict[str, list[float]] = {}
    retries: list[CaptureRetrying] = []
    clock = FakeClock()  # the host's wait is virtual: measured exactly, slept for nothing

    def on_event(event: ProgressEvent) -> None:
        if isinstance(event, CaptureStarted):
            starts.setdefault(event.url, []).append(clock.now())
        elif isinstance(event, CaptureRetrying):
            retries.append(event)

    requests = plan([first, second, "https://busy.example/c"], tmp_path / "run", OPTIONS)
    results = await run_captures(
        requests,
        fake,
        seams=replace(SEAMS, monotonic=clock),
        on_event=on_event,
        policy=RunPolicy(concurrency=1, retries=1, retry_backoff_s=0),
    )
    assert [r.state for r in results] == [CaptureState.COMPLETE] * 3
    assert [event.delay_s for event in retries] == [1.0]
    held_from = starts[first][0]
    # c starts after a's 429: it waited for Retry-After with the rest of the host.
    assert starts["https://busy.example/c"][0] - held_from >= 1.0


async def test_a_challenge_is_tried_again_once_in_a_run(tmp_path: Path) -> None:
    always = served(403, CHALLENGE_HEADERS, seen=CHALLENGE_FACTS)
    fake = FakeRenderer(outcomes={URL: always})
    (result,) = await run_captures(
        plan([URL], tmp_path / "run", OPTIONS),
        fake,
        seams=SEAMS,
        policy=RunPolicy(retries=3, retry_backoff_s=0.01),
    )
    assert fake.rendered == [URL, URL]
    assert (result.state, result.reason, result.attempts) == (CaptureState.FAILED, "challenge", 2)


@pytest.mark.parametrize("status", [404, 401])
async def test_not_found_and_login_pages_are_not_retried(tmp_path: Path, status: int) -> None:
    fake = FakeRenderer(outcomes={URL: served(status)})
    await run_captures(
        plan([URL], tmp_path / "run", OPTIONS),
        fake,
        seams=SEAMS,
        policy=RunPolicy(retries=3, retry_backoff_s=0),
    )
    assert fake.rendered == [URL]


@pytest.mark.parametrize(
    ("status", "headers"), [(503, ()), (429, (("Retry-After", "0"),)), (403, CHALLENGE_HEADERS)]
)
async def test_a_kept_error_page_is_the_capture_and_a_run_does_not_retry_it(
    tmp_path: Path, status: int, headers: tuple[tuple[str, str], ...]
) -> None:
    seen = CHALLENGE_FACTS if status == 403 else PageFacts(text="Busy", text_chars=4)
    fake = FakeRenderer(outcomes={URL: then_complete(served(status, headers, seen=seen))})
    kept = replace(OPTIONS, keep_error_pages=True)
    (result,) = await run_captures(
        plan([URL], tmp_path / "run", kept),
        fake,
        seams=SEAMS,
        policy=RunPolicy(retries=3, retry_backoff_s=0),
    )
    assert fake.rendered == [URL]
    assert (result.state, result.attempts, result.status) == (CaptureState.COMPLETE, 1, status)
    assert result.verdict is not None and result.verdict.kept
    assert (result.folder / "capture.json").is_file()


def test_reason_values_are_the_documented_ones() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for reason in Reason:
        assert f"| `{reason.value}` |" in readme
