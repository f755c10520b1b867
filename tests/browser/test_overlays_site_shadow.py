"""A consent banner inside an open shadow root is reached by a plain CSS selector."""

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


async def test_consent_in_open_shadow_root_is_clicked(renderer: ChromiumRenderer) -> None:
    with fixture_sites() as site:
        run = await run_page(
            renderer,
            site.url("/shadow.html"),
            config("shadow"),
            overlays_up=("consent-dialog .box",),
        )
    assert_cleared(run)
    assert_readable(run, "END-OF-ARTICLE-shadow")
    assert run.actions() == [("click", True)]
    assert run.interventions[0].selector == "consent-dialog button.accept"
    assert "<consent-dialog" not in run.html
