"""Visit dates: the three accepted forms, with an optional time; anything else says why."""

import datetime as dt

import pytest

from samvad.intake.dates import parse_visit_datetime


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-22", dt.date(2026, 11, 22)),
        ("22-11-2026", dt.date(2026, 11, 22)),
        ("22/11/2026", dt.date(2026, 11, 22)),
        (" 05/01/2026 ", dt.date(2026, 1, 5)),  # day first, never January the 5th as May 1st
        ("2026-11-22 10:35", dt.datetime(2026, 11, 22, 10, 35)),
        ("2026-11-22T10:35:07", dt.datetime(2026, 11, 22, 10, 35, 7)),
        ("22/11/2026 16:05", dt.datetime(2026, 11, 22, 16, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_accepted_forms(written, expected):
    """Given a date in an accepted form, When parsed, Then the calendar day (and time) result."""
    assert parse_visit_datetime(written) == expected


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("", "date_blank"),
        ("31/02/2026", "date_impossible"),
        ("2025-02-29", "date_impossible"),
        ("22.11.26", "date_unrecognised"),
        ("2026/11/22", "date_unrecognised"),
        ("yesterday", "date_unrecognised"),
        ("22-11-26", "date_unrecognised"),
        ("2026-11-22 25:00", "time_invalid"),
        ("2026-11-22 10h35", "time_invalid"),
    ],
)
def test_refused_forms_say_why(written, code):
    """Given a date that is not acceptable, When parsed, Then the problem code says why."""
    assert parse_visit_datetime(written).code == code
