"""The run stops capturing a site after a few captures found its session gone."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from capture import paths
from capture.config.site import SiteConfig
from capture.models import (
    CaptureRequest,
    CaptureResult,
    CaptureState,
    PageCapture,
    StepResult,
    StepState,
)
from capture.options import CaptureOptions
from capture.run.pipeline import Seams
from capture.run.runner import run_captures
from capture.sessions.expiry import (
    LOGGED_OUT_LIMIT,
    STEP,
    ExpiryWatch,
    found_logged_out,
    logged_out_reason,
)
from tests.fakes import FAKE_MACHINE, FakeRenderer, complete_page


def site(name: str) -> SiteConfig:
    return SiteConfig.model_validate(
        {"version": 1, "name": name, "match": {"hosts": [f"{name}.org"]}, "logged_out": ".wall"}
    )


def request(config: SiteConfig, number: int) -> CaptureRequest:
    url = f"https://{config.name}.org/{number}"
    return CaptureRequest(url, Path("x"), CaptureOptions(), config)


def result(state: CaptureState, error: str | None = None) -> CaptureResult:
    return CaptureResult("https://x.org/", state, Path("x"), error=error)


def test_the_site_is_refused_after_the_limit_of_logged_out_captures_and_others_go_on() -> None:
    members, other = site("members"), site("other")
    watch = ExpiryWatch()
    gone = result(
        CaptureState.PARTIAL, "session: " + logged_out_reason(members, ".wall is on the page")
    )
    assert found_logged_out(gone) and not found_logged_out(result(CaptureState.COMPLETE))
    for number in range(LOGGED_OUT_LIMIT):
        assert watch.refused(request(members, number)) is None
        watch.note(request(members, number), gone)
        watch.note(request(members, number), result(CaptureState.COMPLETE))
    reason = watch.refused(request(members, 99))
    assert reason is not None and reason.startswith("session: logged_out: not captured")
    assert "capture login" in reason
    assert watch.refused(request(other, 1)) is None


def logged_out_page(request: CaptureRequest) -> PageCapture:
    """Return a capture whose session step found the page logged out."""
    page = complete_page(request)
    reason = logged_out_reason(request.site, ".wall is on the page")
    return replace(page, steps=(*page.steps, StepResult(STEP, StepState.FAILED, 0.1, reason)))


async def test_a_run_stops_rendering_a_site_whose_session_is_gone(tmp_path: Path) -> None:
    members, other = site("members"), site("other")
    requests = [
        CaptureRequest(f"https://members.org/{n}", tmp_path / f"m{n}", CaptureOptions(), members)
        for n in range(6)
    ]
    requests.append(CaptureRequest("https://other.org/", tmp_path / "o", CaptureOptions(), other))
    fake = FakeRenderer(outcomes={r.url: logged_out_page for r in requests[:6]})

    results = await run_captures(requests, fake, seams=Seams(machine=FAKE_MACHINE))

    assert fake.rendered == [r.url for r in requests[:LOGGED_OUT_LIMIT]] + [requests[-1].url]
    states = [r.state for r in results]
    assert states == [CaptureState.PARTIAL] * LOGGED_OUT_LIMIT + [CaptureState.FAILED] * (
        6 - LOGGED_OUT_LIMIT
    ) + [CaptureState.COMPLETE]
    refused = json.loads((tmp_path / "m5" / paths.CAPTURE_JSON).read_text())
    assert refused["state"] == "failed" and "stopped capturing that site" in refused["error"]
