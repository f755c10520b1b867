"""A banner that reloads the page after the click is cleared once, with no reload loop."""

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


async def test_reloading_banner_is_clicked_once_and_the_reload_waited_for(
    renderer: ChromiumRenderer,
) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/reload.html"), config("reload"), overlays_up=("#reload-banner",)
        )
        loads = [r for r in site.requests if r.path == "/reload.html"]
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-reload")
    assert len(loads) == 2, "one load as served, one reload after the click: no loop"
    assert run.actions() == [("click", True)]
    assert "the page navigated to" in run.interventions[0].detail
    assert run.outcome.failures == ()
