"""Before navigation: blocking, cookies, storage, headers, user agent, session; and the switches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.config.site import SiteConfig, load_site
from capture.options import CaptureOptions
from tests.browser.site_configs import assert_cleared, config, fixture_sites, run_page

pytestmark = pytest.mark.browser

BEFORE = """version: 1
name: before
match:
  hosts: ["127.0.0.1"]
before:
  - block: ["**/tracker.js"]
  - cookies:
      - {name: seen, value: "1", domain: 127.0.0.1}
  - local_storage: {consent: "yes"}
  - headers: {X-Capture-Test: "on"}
  - user_agent: capture-test/1
  - storage_state: session.json
"""


def before_config(folder: Path) -> SiteConfig:
    state = {
        "cookies": [
            {
                "name": "member",
                "value": "42",
                "domain": "127.0.0.1",
                "path": "/",
                "expires": -1,
                "httpOnly": False,
                "secure": False,
                "sameSite": "Lax",
            }
        ],
        "origins": [],
    }
    (folder / "session.json").write_text(json.dumps(state), encoding="utf-8")
    (folder / "before.yaml").write_text(BEFORE, encoding="utf-8")
    return load_site(folder / "before.yaml")


async def test_before_settings_apply_and_are_recorded(
    renderer: ChromiumRenderer, tmp_path: Path
) -> None:
    with fixture_sites() as site:
        run = await run_page(renderer, site.url("/before.html"), before_config(tmp_path))
        requests = list(site.requests)
    assert not any(r.path == "/tracker.js" for r in requests)
    page = next(r for r in requests if r.path == "/before.html")
    assert page.header("X-Capture-Test") == "on"
    assert page.header("User-Agent") == "capture-test/1"
    cookies = page.header("Cookie") or ""
    assert "seen=1" in cookies and "member=42" in cookies
    assert "consent=yes" in run.text and "no tracker" in run.text
    blocked = [e for e in run.interventions if e.action == "block" and "GET" in e.detail]
    assert len(blocked) == 1 and blocked[0].detail.endswith("/tracker.js")
    names = {e.action for e in run.interventions}
    assert {"cookies", "local_storage", "headers", "user_agent", "storage_state"} <= names
    assert run.outcome.failures == ()


async def test_no_dismiss_captures_the_page_exactly_as_served(renderer: ChromiumRenderer) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer,
            site.url("/two-step.html"),
            config("two-step"),
            overlays_up=("#cmp",),
            options=CaptureOptions(dismiss=False),
        )
    assert run.interventions == ()
    assert 'id="cmp"' in run.html


async def test_script_runs_only_when_allowed(renderer: ChromiumRenderer) -> None:
    script = config("two-step").model_validate(
        {
            "version": 1,
            "name": "script",
            "match": {"hosts": ["127.0.0.1"]},
            "actions": [{"script": "document.getElementById('cmp').remove()"}],
            "builtin": False,
        }
    )
    with fixture_sites() as site:
        refused = await run_page(
            renderer, site.url("/two-step.html"), script, overlays_up=("#cmp",)
        )
        allowed = await run_page(
            renderer,
            site.url("/two-step.html"),
            script,
            overlays_up=("#cmp",),
            options=CaptureOptions(allow_scripts=True),
        )
    assert refused.actions() == [("script", False)]
    assert "allow_scripts: true" in refused.outcome.failures[0]
    assert 'id="cmp"' in refused.html
    assert allowed.actions() == [("script", True)]
    assert_cleared(allowed)
