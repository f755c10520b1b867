"""The pure rules of the generic overlay pass: kinds, buttons, reasons."""

from __future__ import annotations

from typing import Any

import pytest

from capture.overlays.generic import scan_from
from capture.overlays.heuristics import (
    Button,
    Candidate,
    candidate,
    close_button,
    consent_button,
    overlay_kind,
)

VIEWPORT = (1280, 800)


def item(**overrides: Any) -> Candidate:
    base: dict[str, Any] = {
        "token": 1,
        "selector": "#x",
        "position": "fixed",
        "coverage": 0.5,
        "rect": (140.0, 100.0, 1000.0, 600.0),
    }
    base.update(overrides)
    return Candidate(**base)


def buttons(*texts: str) -> tuple[Button, ...]:
    return tuple(Button(token=i, text=text) for i, text in enumerate(texts, start=10))


def test_a_cookie_bar_with_an_accept_button_is_consent() -> None:
    bar = item(
        coverage=0.12,
        rect=(0.0, 700.0, 1280.0, 100.0),
        text="we use cookies to improve your experience. reject accept",
        text_len=60,
        buttons=buttons("reject", "accept"),
    )
    assert overlay_kind(bar, VIEWPORT) == "consent"


def test_a_privacy_link_in_a_wall_does_not_make_it_consent() -> None:
    wall = item(
        coverage=0.58,
        text="create your free account or log in to continue reading. privacy policy",
        text_len=80,
        buttons=buttons("continue"),
    )
    assert overlay_kind(wall, VIEWPORT) == "wall"


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"modal": True, "coverage": 0.15, "text": "get the app", "text_len": 11}, "modal"),
        ({"coverage": 1.0, "text": "", "text_len": 0}, "backdrop"),
        (
            {"coverage": 0.9, "text": "big promo here", "text_len": 14, "buttons": buttons("go")},
            "overlay",
        ),
        (
            {
                "coverage": 0.14,
                "rect": (400.0, 250.0, 480.0, 300.0),
                "text": "newsletter",
                "text_len": 10,
            },
            "popup",
        ),
    ],
)
def test_kinds_of_overlays(overrides: dict[str, Any], kind: str) -> None:
    assert overlay_kind(item(**overrides), VIEWPORT) == kind


@pytest.mark.parametrize(
    "overrides",
    [
        # a sticky site header with a Subscribe link
        {
            "position": "sticky",
            "coverage": 0.09,
            "rect": (0.0, 0.0, 1280.0, 72.0),
            "text": "news sport subscribe sign in",
            "text_len": 28,
        },
        # a round cookie-settings button
        {
            "coverage": 0.003,
            "rect": (16.0, 728.0, 56.0, 56.0),
            "text": "c",
            "text_len": 1,
            "buttons": buttons("cookie settings"),
        },
        # a docked video player with a close button
        {
            "coverage": 0.1,
            "rect": (864.0, 524.0, 400.0, 260.0),
            "media_share": 0.86,
            "text": "watch: the storm",
            "text_len": 16,
            "buttons": buttons("\u00d7"),
        },
        # a fixed app shell holding the article itself
        {"coverage": 1.0, "long_paragraphs": 8, "text_len": 3000},
        # a fixed full-height sidebar
        {
            "coverage": 0.17,
            "rect": (0.0, 0.0, 220.0, 800.0),
            "text": "inbox archive settings",
            "text_len": 22,
        },
        # in-flow content is never an overlay
        {
            "position": "static",
            "coverage": 0.5,
            "text": "subscribe to continue reading",
            "text_len": 29,
        },
    ],
)
def test_page_furniture_is_left_alone(overrides: dict[str, Any]) -> None:
    assert overlay_kind(item(**overrides), VIEWPORT) is None


def test_consent_buttons_follow_the_choice_and_skip_settings() -> None:
    choices = buttons("cookie settings", "reject all", "accept all cookies")
    assert consent_button(choices, "accept") == choices[2]
    assert consent_button(choices, "reject") == choices[1]


def test_german_consent_buttons() -> None:
    choices = buttons("einstellungen", "nur notwendige cookies", "alle akzeptieren")
    assert consent_button(choices, "accept") == choices[2]
    assert consent_button(choices, "reject") == choices[1]


def test_the_most_specific_accept_phrase_wins() -> None:
    choices = buttons("ok", "accept all")
    assert consent_button(choices, "accept") == choices[1]


def test_a_button_that_leaves_the_page_is_never_picked() -> None:
    link = Button(token=1, text="close and subscribe later", navigates=True)
    assert close_button((link,)) is None


def test_close_buttons_by_symbol_label_or_class() -> None:
    assert close_button(buttons("subscribe", "\u00d7")) == buttons("subscribe", "\u00d7")[1]
    labelled = Button(token=2, text="", label="close dialog")
    assert close_button((labelled,)) == labelled
    classed = Button(token=3, text="", cls="modal__close-icon")
    assert close_button((classed,)) == classed
    assert close_button(buttons("subscribe", "sign up")) is None


def test_words_match_whole_words_only() -> None:
    assert consent_button(buttons("acceptable use"), "accept") is None
    assert close_button(buttons("next")) is None


def page_facts(**overrides: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "viewport": {"width": 1280, "height": 800},
        "content_height": 3000,
        "locked": [],
        "fixed_top": None,
        "blurred": [],
        "inert": [],
        "clamped": [],
    }
    facts.update(overrides)
    return facts


def test_a_scroll_lock_counts_only_when_it_cuts_content_off() -> None:
    lock = [{"selector": "body", "how": "overflow hidden"}]
    assert scan_from({"candidates": [], "page": page_facts(locked=lock)}).locked
    app = page_facts(locked=lock, content_height=800)
    assert scan_from({"candidates": [], "page": app}).clean


def test_scan_from_keeps_overlays_only() -> None:
    raw = {
        "token": 4,
        "selector": "#bar",
        "position": "fixed",
        "coverage": 0.12,
        "rect": {"x": 0, "y": 700, "width": 1280, "height": 100},
        "text": "we use cookies on this site to measure the audience.",
        "text_len": 52,
        "buttons": [{"token": 5, "text": "accept", "navigates": False}],
    }
    header = dict(raw, token=6, selector="header", text="news", text_len=4, buttons=[])
    scan = scan_from({"candidates": [raw, header], "page": page_facts()})
    assert [(o.item.selector, o.kind) for o in scan.overlays] == [("#bar", "consent")]
    assert candidate(raw).buttons[0].token == 5
