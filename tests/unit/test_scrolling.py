"""When a page is worth scrolling through (the browser tests scroll real pages)."""

from __future__ import annotations

from capture.page.scrolling import NOT_SCROLLED, Scrollable, Scrolled

WINDOW = 800
THROUGH = Scrolled(steps=6, reached_px=5_000, stopped="bottom")


def test_a_page_nothing_answers_is_not_worth_scrolling_however_tall() -> None:
    assert not Scrollable(30_000, ()).worth_scrolling(WINDOW)


def test_a_page_that_fits_the_window_is_not_worth_scrolling() -> None:
    assert not Scrollable(WINDOW, ("lazy-loading",)).worth_scrolling(WINDOW)


def test_a_taller_page_with_something_that_answers_is_worth_scrolling() -> None:
    assert Scrollable(WINDOW + 1, ("scroll-listener",)).worth_scrolling(WINDOW)


def test_a_page_not_scrolled_yet_is_worth_it_once_something_answers() -> None:
    quiet = Scrollable(5_000, ())
    later = Scrollable(5_000, ("scroll-listener",))

    assert later.worth_scrolling_again(WINDOW, NOT_SCROLLED, quiet)


def test_a_page_scrolled_through_is_worth_it_again_when_it_grew_or_the_scroll_stuck() -> None:
    after = Scrollable(5_000, ("intersection-observer",), observed=1)
    grown = Scrollable(9_000, ("intersection-observer",), observed=1)

    assert not after.worth_scrolling_again(WINDOW, THROUGH, after)
    assert not Scrollable(5_001, after.reasons, observed=1).worth_scrolling_again(
        WINDOW, THROUGH, after
    )
    assert grown.worth_scrolling_again(WINDOW, THROUGH, after)
    stuck = Scrolled(steps=1, reached_px=800, stopped="stuck")  # a scroll lock
    assert after.worth_scrolling_again(WINDOW, stuck, after)


def test_something_new_that_answers_is_worth_a_second_scroll_but_a_listener_is_not() -> None:
    after = Scrollable(5_000, ("lazy-loading",), lazy=1)

    observer = Scrollable(5_000, ("lazy-loading", "intersection-observer"), lazy=1, observed=1)
    frame = Scrollable(5_000, ("lazy-loading", "frame-below-the-fold"), lazy=1, frames=1)
    lazy = Scrollable(5_000, ("lazy-loading",), lazy=2)
    analytics = Scrollable(5_000, ("lazy-loading", "scroll-listener"), lazy=1)

    assert observer.worth_scrolling_again(WINDOW, THROUGH, after)
    assert frame.worth_scrolling_again(WINDOW, THROUGH, after)
    assert lazy.worth_scrolling_again(WINDOW, THROUGH, after)
    assert not analytics.worth_scrolling_again(WINDOW, THROUGH, after)


def test_a_scroll_cut_short_by_its_limits_is_not_done_again() -> None:
    after = Scrollable(60_000, ("lazy-loading",), lazy=1)
    grown = Scrollable(70_000, ("lazy-loading",), lazy=2)

    for stopped in ("max-steps", "time"):
        capped = Scrolled(steps=60, reached_px=48_800, stopped=stopped)
        assert not grown.worth_scrolling_again(WINDOW, capped, after)


def test_only_the_page_s_own_code_makes_a_scroll_patient() -> None:
    assert Scrollable(5_000, ("scroll-listener",)).patient
    assert Scrollable(5_000, ("lazy-loading", "intersection-observer")).patient
    assert not Scrollable(5_000, ("lazy-loading", "frame-below-the-fold")).patient
    assert not Scrollable(5_000, ("unwatched",)).patient
