"""The pure rules behind the newer shapes: cookie notices a site wrote itself, layers that hold
the page, hidden paywalled text, clamps under a box, and one record per action."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from capture.overlays.generic import _each, _Round, scan_from
from capture.overlays.heuristics import Button, Candidate, cookie_notice, overlay_kind
from capture.overlays.log import InterventionLog
from tests.fakes import fixed_clock

VIEWPORT = (1280, 800)


def bar(text: str, *labels: str, **overrides: Any) -> Candidate:
    base: dict[str, Any] = {
        "token": 1,
        "selector": "#cookie_politique",
        "position": "static",
        "coverage": 0.1,
        "rect": (0.0, 0.0, 1280.0, 90.0),
        "text": text,
        "text_len": len(text),
        "named": True,
        "buttons": tuple(Button(token=i, text=t) for i, t in enumerate(labels, start=2)),
    }
    base.update(overrides)
    return Candidate(**base)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("nous utilisons des cookies pour vous offrir la meilleure expérience", "fermer"),
        ("wir verwenden cookies, um unsere website für sie zu verbessern", "schließen"),
        ("utilizamos cookies propias y de terceros para mejorar nuestros servicios", "cerrar"),
        ("this website uses cookies to give you the best experience", "ok"),
        ("we use cookies. by browsing on you agree to our cookie policy", "got it"),
    ],
)
def test_a_sites_own_cookie_notice_with_a_control_is_consent(text: str, label: str) -> None:
    assert overlay_kind(bar(text, label), VIEWPORT) == "consent"


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("soft oat cookies with brown sugar and a pinch of salt; they keep for a week", ("ok",)),
        ("we use cookies to measure the audience of this site", ("cookie settings",)),
        ("we use cookies to measure the audience of this site", ()),
    ],
)
def test_cookie_named_elements_that_are_no_notice_stay(text: str, labels: tuple[str, ...]) -> None:
    assert overlay_kind(bar(text, *labels), VIEWPORT) is None


def test_a_fixed_cookie_notice_with_only_a_close_control_is_consent() -> None:
    item = bar(
        "utilizamos cookies propias y de terceros. si continúa navegando acepta su uso",
        "cerrar",
        named=False,
        position="fixed",
        rect=(0.0, 720.0, 1280.0, 80.0),
    )
    assert cookie_notice(item)
    assert overlay_kind(item, VIEWPORT) == "consent"


def layer(**overrides: Any) -> Candidate:
    base: dict[str, Any] = {
        "token": 1,
        "selector": ".stage",
        "position": "fixed",
        "coverage": 1.0,
        "rect": (0.0, 0.0, 1280.0, 800.0),
    }
    base.update(overrides)
    return Candidate(**base)


def test_an_empty_dimming_layer_is_a_backdrop() -> None:
    assert overlay_kind(layer(), VIEWPORT) == "backdrop"


@pytest.mark.parametrize(
    "overrides",
    [
        {"holds_main": True, "text": "the webcam is resting", "text_len": 21},
        {"holds_main": True},
        {"media": 1},
        {"text_share": 0.9, "text": "gone fishing, back at dawn", "text_len": 26},
    ],
)
def test_a_layer_holding_the_pages_content_is_never_removed(overrides: dict[str, Any]) -> None:
    assert overlay_kind(layer(**overrides), VIEWPORT) is None


def facts(**overrides: Any) -> dict[str, Any]:
    page: dict[str, Any] = {
        "viewport": {"width": 1280, "height": 800},
        "content_height": 3000,
        "locked": [],
        "blurred": [],
        "inert": [],
        "clamped": [],
        "hidden": [],
    }
    page.update(overrides)
    return {"candidates": [], "page": page}


OFFER = {"token": 9, "selector": "div.offer", "text": "subscribe to continue reading"}
SHARE = {"token": 8, "selector": "div.share", "text": "share this article: facebook, email"}


def hidden(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "token": 3,
        "selector": "div.premium",
        "markers": [".tp-hidden"],
        "how": "display: none",
        "paragraphs": 4,
        "chars": 700,
        "duplicate": False,
        "boxes": [SHARE, OFFER],
    }
    base.update(overrides)
    return base


def test_hidden_text_with_a_vendor_mark_and_an_offer_beside_it_is_revealed() -> None:
    [item] = scan_from(facts(hidden=[hidden()])).hidden
    assert item["boxes"] == [OFFER]  # only the offer goes, the share box stays


@pytest.mark.parametrize(
    "overrides",
    [
        {"markers": []},  # a tab or an accordion of the page's own
        {"duplicate": True},  # the mobile layout's copy of text the page shows
        {"boxes": [SHARE]},  # no subscription box in its place
        {"chars": 90},  # a caption
    ],
)
def test_hidden_text_of_the_pages_own_stays_hidden(overrides: dict[str, Any]) -> None:
    assert scan_from(facts(hidden=[hidden(**overrides)])).clean


def clamp(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"token": 1, "selector": "#story", "how": "max-height 500px", "fade": ""}
    base.update(overrides)
    return base


def test_a_clamp_under_a_subscribe_box_is_lifted_without_a_fade() -> None:
    box = {"box_token": 4, "box": "div.continue", "box_text": "continue reading: subscribe"}
    assert scan_from(facts(clamped=[clamp(**box)])).clamped


def test_a_clamped_panel_with_share_buttons_and_no_fade_stays() -> None:
    box = {"box_token": 4, "box": "div.share", "box_text": "share: facebook, email"}
    assert scan_from(facts(clamped=[clamp(**box)])).clean
    [kept] = scan_from(facts(clamped=[clamp(fade="::after", **box)])).clamped
    assert "box_token" not in kept  # the clamp is lifted, the share box stays


class FakePage:
    """Answers window.__captureGeneric calls: every element but the last changes."""

    def __init__(self, results: list[bool]) -> None:
        self.results = results

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.results.pop(0)


def test_one_record_per_action_with_how_many_elements_it_touched() -> None:
    log = InterventionLog(fixed_clock())
    work = _Round(FakePage([True, True, False]), log, "accept")  # type: ignore[arg-type]
    items = tuple({"token": i, "selector": ".slide", "how": "inert"} for i in range(3))
    asyncio.run(_each(work, "uninert", "generic:inert", items, lambda item: [item["token"]]))
    [entry] = log.entries
    assert entry.elements == 3
    assert not entry.ok  # one of them did not change: the record does not claim it worked
    assert entry.detail.startswith("3 elements, 2 changed")
    assert entry.selector == ".slide"
    assert entry.to_json()["elements"] == 3
