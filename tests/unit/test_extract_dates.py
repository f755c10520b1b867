"""parse_date: the date formats pages use, as ISO 8601."""

from __future__ import annotations

import pytest

from capture.extract.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-19", "2020-01-19"),
        ("2020-01-19T10:00:00Z", "2020-01-19T10:00:00+00:00"),
        ("2019-11-19T08:30:00.000+0100", "2019-11-19T08:30:00+01:00"),
        ("Sun, 19 Jan 2020 10:00:00 GMT", "2020-01-19T10:00:00+00:00"),
        ("January 19, 2020", "2020-01-19"),
        ("Updated: Jan. 5, 2019 at 3pm", "2019-01-05"),
        ("19 janvier 2020", "2020-01-19"),
        ("19. Dezember 2019", "2019-12-19"),
        ("2020/01/19", "2020-01-19"),
        ("19.01.2020", "2020-01-19"),
        ("12/25/2019", "2019-12-25"),
        ("20200119", "2020-01-19"),
    ],
)
def test_dates_in_many_formats_become_iso(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "no date here", "2020-13-45", "31/31/2020"])
def test_text_without_a_valid_date_gives_none(text: str | None) -> None:
    assert parse_date(text) is None
