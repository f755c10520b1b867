"""The run stops capturing a site after a few captures found its session gone."""

from __future__ import annotations

from pathlib import Path

from capture.config.site import SiteConfig
from capture.expiry import LOGGED_OUT_LIMIT, ExpiryWatch, found_logged_out, logged_out_reason
from capture.models import CaptureOptions, CaptureRequest, CaptureState
from capture.pipeline import CaptureResult


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
