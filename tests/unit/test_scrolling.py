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


def test_a_page_scrolled_through_already_is_worth_it_again_only_if_it_grew() -> None:
    page = Scrollable(5_000, ("intersection-observer",))

    assert not page.worth_scrolling(WINDOW, scrolled_px=5_000)
    assert page.worth_scrolling(WINDOW, scrolled_px=4_000)
