"""A wall that puts itself back when removed is removed each time by a when_visible rule."""

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


async def test_reinserted_wall_is_removed_every_time_it_comes_back(
    renderer: ChromiumRenderer,
) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/reinsert.html"), config("reinsert"), overlays_up=("#wall",)
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-reinsert")
    fired = [e for e in run.interventions if e.action == "when_visible"]
    assert len(fired) == 3, "shown once, then put back twice"
    assert all(e.ok and e.rule.endswith("reinsert.yaml#when_visible[0]") for e in fired)
    removed = [e for e in run.interventions if e.action == "remove"]
    assert len(removed) == 3 and all(e.ok for e in removed)
    assert run.outcome.failures == () and run.watch_failures == ()


async def test_when_visible_stops_at_its_cap(renderer: ChromiumRenderer) -> None:
    capped = config("reinsert")
    rule = capped.when_visible[0].model_copy(update={"times": 1})
    capped = capped.model_copy(update={"when_visible": [rule]})
    with fixture_sites() as site:
        run = await run_page(renderer, site.url("/reinsert.html"), capped, overlays_up=("#wall",))
    fired = [e for e in run.interventions if e.action == "when_visible"]
    assert len(fired) == 1
    assert "time 1 of at most 1" in fired[0].detail
