"""Daily time series for the trend charts: one point per day, from that day's tally rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from samvad.reports import figures

SERIES_DAYS = 90
POINT_FIELDS = (
    "sampled", "responses", "response_rate", "assessable", "satisfied_share", "wilson_low",
    "wilson_high", "cases_opened", "cases_resolved", "cases_overdue",
    "median_hours_to_resolution",
)  # fmt: skip


def daily(days: list[tuple[dt.date, list[dict]]]) -> list[dict]:
    """``[(day, rows)]`` oldest first → ``[{"date": …, <figures>}]`` (state totals per day)."""
    points = []
    for day, rows in days:
        total: Counter = Counter()
        for row in rows:
            total.update(figures.counters(row))
        found = figures.figures(total)
        points.append({"date": day.isoformat()} | {k: found[k] for k in POINT_FIELDS})
    return points
