"""Consent inside a cross-origin iframe is answered through a frame selector chain."""

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


async def test_consent_in_cross_origin_frame_is_clicked_through_the_chain(
    renderer: ChromiumRenderer,
) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/frame.html"), config("frame"), overlays_up=("#consent-host",)
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-frame")
    click = run.interventions[0]
    assert (click.action, click.ok, click.selector) == ("click", True, "button.accept")
    assert click.frame is not None
    assert click.frame.startswith("http://localhost:")
    assert click.frame.endswith("/consent-frame.html")
    assert run.outcome.failures == ()
