"""`capture demo` shows the headline feature: its site config, shipped with the package, clears
the banner, the pop-up and the wall, and every intervention names the rule of that file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture import cli
from capture.demo import DEMO_SITE_CONFIG

pytestmark = pytest.mark.browser


@pytest.fixture
def restore_sigterm() -> Iterator[None]:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def demo_capture(tmp_path: Path, *flags: str) -> dict[str, object]:
    """Run `capture demo` in an empty working folder; return its capture.json."""
    code = cli.main(["demo", "--output", str(tmp_path / "out"), *flags])
    assert code == 0
    [document] = (tmp_path / "out").glob("*/captures/*/capture.json")
    data: dict[str, object] = json.loads(document.read_text(encoding="utf-8"))
    return data


def test_the_demo_is_cleared_by_its_site_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_sigterm: None
) -> None:
    monkeypatch.chdir(tmp_path)
    data = demo_capture(tmp_path)
    entries = data["interventions"]
    assert isinstance(entries, list) and entries
    rules = [str(entry["rule"]) for entry in entries if entry["ok"]]
    prefix = f"site:{DEMO_SITE_CONFIG}#actions"
    assert f"{prefix}[0].click" in rules  # the banner's accept button
    assert f"{prefix}[2].remove" in rules  # the registration wall
    assert not [rule for rule in rules if rule.startswith("generic:")], rules
    assert data["state"] == "complete"


def test_without_site_configs_the_generic_rules_clear_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_sigterm: None
) -> None:
    monkeypatch.chdir(tmp_path)
    data = demo_capture(tmp_path, "--no-sites")
    entries = data["interventions"]
    assert isinstance(entries, list)
    rules = {str(entry["rule"]) for entry in entries if entry["ok"]}
    assert {"generic:wall", "generic:scroll_lock"} <= rules
    assert not [rule for rule in rules if rule.startswith("site:")]
