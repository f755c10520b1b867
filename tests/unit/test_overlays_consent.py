"""Choosing autoconsent rules and reading its outcome, without a browser."""

from __future__ import annotations

from capture.overlays.consent import (
    autoconsent_bundle,
    driver_config,
    frame_outcome,
    gate,
    record,
    rules_for,
)
from capture.overlays.log import InterventionLog
from tests.fakes import fixed_clock


def names(rules: list[dict[str, object]]) -> set[str]:
    return {str(rule["name"]) for rule in rules}


def test_the_bundle_and_rules_come_from_the_installed_package() -> None:
    assert "autoconsentReceiveMessage" in autoconsent_bundle()
    chosen = names(rules_for("https://example.org/", main_frame=True, choice="reject"))
    assert {"didomi", "quantcast", "osano", "cookieyes", "funding-choices"} <= chosen


def test_site_specific_rules_only_go_to_their_sites() -> None:
    everywhere = rules_for("https://example.org/", main_frame=True, choice="reject")
    assert all(not (r.get("runContext") or {}).get("urlPattern") for r in everywhere)
    google = names(rules_for("https://www.google.com/search", main_frame=True, choice="accept"))
    assert "google.com" in google


def test_frames_get_only_frame_rules() -> None:
    framed = rules_for("https://cdn.privacy-mgmt.com/index.html", main_frame=False, choice="accept")
    assert framed
    assert all((r.get("runContext") or {}).get("frame") for r in framed)


def test_accept_leaves_out_generated_reject_only_rules() -> None:
    url = "https://www.acetool.com/"
    assert any(
        n.startswith("auto_") for n in names(rules_for(url, main_frame=True, choice="reject"))
    )
    assert not any(
        n.startswith("auto_") for n in names(rules_for(url, main_frame=True, choice="accept"))
    )


def test_the_driver_never_prehides_and_looks_once() -> None:
    config = driver_config("accept")
    assert config["enablePrehide"] is False
    assert config["detectRetries"] == 0
    assert config["autoAction"] is None


def test_outcomes_parse_and_say_whether_a_banner_was_answered() -> None:
    done = frame_outcome({"outcome": "done", "cmp": "Onetrust", "clicks": ["#accept"]}, None)
    assert done.handled
    assert not frame_outcome({}, "https://frame.example/").handled


def test_each_click_is_logged_with_the_platform_rule_and_frame() -> None:
    log = InterventionLog(fixed_clock())
    outcome = frame_outcome(
        {"outcome": "done", "cmp": "Sourcepoint-frame", "clicks": ["button.sp_choice_type_11"]},
        "https://cdn.privacy-mgmt.com/index.html",
    )
    record(outcome, "accept", log)
    [entry] = log.entries
    assert (entry.action, entry.rule, entry.ok) == ("click", "builtin:Sourcepoint-frame", True)
    assert entry.selector == "button.sp_choice_type_11"
    assert entry.frame == "https://cdn.privacy-mgmt.com/index.html"


def test_a_platform_that_was_not_answered_is_logged_as_failed() -> None:
    log = InterventionLog(fixed_clock())
    record(frame_outcome({"outcome": "failed", "cmp": "Didomi"}, None), "reject", log)
    [entry] = log.entries
    assert (entry.action, entry.rule, entry.ok) == ("consent", "builtin:Didomi", False)


def test_pages_without_a_platform_log_nothing() -> None:
    log = InterventionLog(fixed_clock())
    record(frame_outcome({"outcome": "none"}, None), "accept", log)
    record(frame_outcome({"outcome": "no-popup", "cmp": "Onetrust"}, None), "accept", log)
    assert log.entries == []


def test_a_rule_is_gated_by_the_selector_its_detection_starts_with() -> None:
    assert gate({"detectCmp": [{"exists": "#cmp"}, {"eval": "X"}]}) == "#cmp"
    assert gate({"detectCmp": [{"visible": ".banner", "check": "any"}]}) == ".banner"
    assert gate({"detectCmp": [{"exists": ["#host", ".inside-shadow"]}]}) == "#host"


def test_rules_the_page_cannot_rule_out_have_no_gate() -> None:
    assert gate({}) is None
    assert gate({"detectCmp": []}) is None
    assert gate({"detectCmp": [{"exists": "#cmp", "negated": True}]}) is None
    assert gate({"detectCmp": [{"eval": "EVAL_X"}, {"exists": "#cmp"}]}) is None
    assert gate({"detectCmp": [{"any": [{"exists": "#a"}, {"exists": "#b"}]}]}) is None
    assert gate({"detectCmp": [{"exists": "xpath///div[@id='cmp']"}]}) is None
    assert gate({"detectCmp": [{"exists": ""}]}) is None


def test_almost_every_installed_rule_has_a_gate() -> None:
    rules = rules_for("https://news.example/story", main_frame=True, choice="accept")
    gated = [rule for rule in rules if gate(rule) is not None]
    assert len(gated) > 0.9 * len(rules)
