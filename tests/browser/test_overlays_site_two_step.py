"""A two-step opt-out (settings, then save) is cleared by a site config's ordered clicks."""

from __future__ import annotations

import pytest

from capture.browser.renderer import ChromiumRenderer
from tests.browser.site_configs import (
    assert_cleared,
    assert_readable,
    config,
    fixture_sites,
    run_page,
)

pytestmark = pytest.mark.browser


async def test_two_step_opt_out_is_opened_then_saved(renderer: ChromiumRenderer) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/two-step.html"), config("two-step"), overlays_up=("#cmp",)
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-two-step")
    assert run.actions() == [("click", True), ("click", True)]
    assert [e.selector for e in run.interventions] == ["#cmp .settings", "text=Save choices"]
    assert all(
        e.rule.endswith(f"two-step.yaml#actions[{i}].click")
        for i, e in enumerate(run.interventions)
    )
    assert run.outcome.failures == ()
