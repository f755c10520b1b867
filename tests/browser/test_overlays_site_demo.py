"""The shipped demo config clears the IJR demo's banner, login pop-up and registration wall."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.config.match import load_sites
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from tests.browser.site_configs import assert_readable, centre_colour, colour_share, run_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "demo-article.txt"
BANNER = (17, 24, 39)
"""The cookie banner's background, #111827."""
BUTTONS = ("#login-form .btn", ".regwall__submit")
"""The pop-up's Log In and the wall's Continue: solid blocks of colour as served."""


async def test_demo_config_clears_banner_pop_up_and_wall(renderer: ChromiumRenderer) -> None:
    sites = load_sites([ROOT / "configs" / "sites"])
    with demo_site() as site:
        url = site.url(DEMO_ARTICLE_PATH)
        demo = sites.match(url)
        assert demo is not None and demo.name == "ijr-demo"
        run = await run_page(
            renderer, url, demo, overlays_up=("#ijr-cookie-consent", *BUTTONS, "#ijr-regwall")
        )
    # The banner spans the window; its left margin, clear of the article's dark photo, is
    # all banner as served and all page after.
    banner = {**run.boxes["#ijr-cookie-consent"], "width": 80}
    assert colour_share(run.served, BANNER, banner, tolerance=12) > 0.5
    assert colour_share(run.final, BANNER, banner, tolerance=12) < 0.01
    for selector in BUTTONS:
        whole = run.boxes[selector]  # its left padding: button colour, no label
        box = {"x": whole["x"] + 3, "y": whole["y"] + 8, "width": 8, "height": whole["height"] - 16}
        centre = centre_colour(run.served, box)
        assert colour_share(run.served, centre, box, tolerance=12) > 0.5
        assert colour_share(run.final, centre, box, tolerance=12) < 0.05, selector
    for gone in ('id="ijr-cookie-consent"', 'class="mfp-bg', 'id="ijr-regwall"', "modal-open"):
        assert gone not in run.html
    assert_readable(run, "alliance")
    if GOLDEN.exists():
        for line in GOLDEN.read_text(encoding="utf-8").splitlines():
            assert line.strip() in run.text
    assert [(e.action, e.ok) for e in run.interventions] == [
        ("click", True),
        ("click", True),
        ("remove", True),
        ("unlock_scroll", True),
        ("remove_class", True),
    ]
    assert run.outcome.failures == ()
