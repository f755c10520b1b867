"""A newsletter pop-up that arrives after a delay or on scrolling is closed by when_visible."""

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


async def test_delayed_newsletter_pop_up_is_closed(renderer: ChromiumRenderer) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer,
            site.url("/newsletter.html"),
            config("newsletter"),
            overlays_up=("#newsletter .overlay",),
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-newsletter")
    names = [e.action for e in run.interventions]
    assert "when_visible" in names and "scroll" in names
    click = next(e for e in run.interventions if e.action == "click")
    assert click.ok and click.rule.endswith("newsletter.yaml#when_visible[0].actions[0]")
    assert run.outcome.failures == () and run.watch_failures == ()


async def test_pop_up_on_scrolling_is_closed_during_the_scroll_action(
    renderer: ChromiumRenderer,
) -> None:
    with fixture_sites() as site:
        run = await run_page(renderer, site.url("/newsletter.html"), config("newsletter"))
    assert_cleared(run)
    fired = [e for e in run.interventions if e.action == "when_visible"]
    assert len(fired) == 1
    assert '<div id="newsletter"' not in run.html
