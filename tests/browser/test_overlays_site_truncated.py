"""A truncated article (max-height, line clamp, fade) is shown in full by `unclamp`."""

from __future__ import annotations

import pytest

from capture.browser.renderer import ChromiumRenderer
from tests.browser.site_configs import (
    assert_cleared,
    assert_readable,
    colour_share,
    config,
    fixture_sites,
    run_page,
)

pytestmark = pytest.mark.browser


async def test_unclamp_lifts_height_clamp_and_fade(renderer: ChromiumRenderer) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer, site.url("/truncated.html"), config("truncated"), overlays_up=(".fade",)
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-truncated")
    unclamp = run.interventions[0]
    assert unclamp.action == "unclamp" and unclamp.ok
    assert "1 heights, 1 line clamps, 1 fades" in unclamp.detail
    # The full page now runs well past the 320 px clamp, and the dark text fills it.
    assert run.final_full.height_px > 1200  # clamped, the page is about 700 px tall
    assert colour_share(run.final_full.png, (31, 41, 55), tolerance=60) > 0.02
