"""When a page is worth scrolling through (the browser tests scroll real pages)."""

from __future__ import annotations

from capture.scrolling import Scrollable

WINDOW = 800


def test_a_page_nothing_answers_is_not_worth_scrolling_however_tall() -> None:
    assert not Scrollable(30_000, ()).worth_scrolling(WINDOW)


def test_a_page_that_fits_the_window_is_not_worth_scrolling() -> None:
    assert not Scrollable(WINDOW, ("lazy-loading",)).worth_scrolling(WINDOW)


def test_a_taller_page_with_something_that_answers_is_worth_scrolling() -> None:
    assert Scrollable(WINDOW + 1, ("scroll-listener",)).worth_scrolling(WINDOW)


def test_a_page_scrolled_through_already_is_worth_it_again_only_if_more_can_load() -> None:
    before = Scrollable(5_000, ("intersection-observer",), answering=1)

    assert not before.worth_scrolling(WINDOW, reached_px=5_000, before=before)
    assert not before.worth_scrolling(WINDOW, reached_px=4_999, before=before)
    # It grew, or the last scroll was stopped short of the bottom (a scroll lock).
    assert before.worth_scrolling(WINDOW, reached_px=4_000, before=before)
    # Something new answers a scroll: an observer set up after the first scroll.
    more = Scrollable(5_000, ("intersection-observer",), answering=2)
    assert more.worth_scrolling(WINDOW, reached_px=5_000, before=before)


def test_only_the_page_s_own_code_makes_a_scroll_patient() -> None:
    assert Scrollable(5_000, ("scroll-listener",)).patient
    assert Scrollable(5_000, ("lazy-loading", "intersection-observer")).patient
    assert not Scrollable(5_000, ("lazy-loading", "frame-below-the-fold")).patient
