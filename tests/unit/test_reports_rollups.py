"""Per-day rollups: the rankings and the series they give equal those of the raw tallies."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from samvad.reports import series
from samvad.reports.periods import day_partition, window
from samvad.reports.reading import TallyReader
from samvad.reports.rollups import rollup_partition
from samvad.reports.service import record_event
from samvad.reports.standings import standings
from samvad_dev.demo import report_events as ev
from tests.reports_week import WEEK, synthetic_week


def _raw(tallies, period) -> list[dict]:
    """The grain rows of the period's days, as the reports read them before the rollups."""
    return [row for day in period.days() for row in tallies.rows(day_partition(day))]


def test_rankings_from_rollups_equal_those_from_raw_tallies_on_the_week() -> None:
    """Given the synthetic week (12 offices, several services, cases), when each day's
    window and the window before are ranked from the office rollups and from the raw grain
    rows, then the league, insufficient data, needs attention, officials and districts are
    the same on every day, and the rollups read fewer rows."""
    ports, _ = synthetic_week(per_office=6, services=3)
    tallies = ports.tallies
    for end in WEEK:
        for days in (3, 7):
            reader = TallyReader(tallies, Counter())
            now, before = window(end, days), window(end - dt.timedelta(days=1), days)
            from_rollups = standings(reader.window(now), reader.window(before), 5)
            from_raw = standings(_raw(tallies, now), _raw(tallies, before), 5)
            assert from_rollups == from_raw
            assert reader.window(now) and len(reader.window(now)) < len(_raw(tallies, now))
    last = standings(_raw(tallies, window(WEEK[-1], 7)), [], 5)
    assert last["league"] and last["officials"]  # the comparison is not of empty tables


def test_the_series_from_department_rollups_equals_the_raw_day() -> None:
    """Given the synthetic week, then each day's state point from the department rollups
    equals the point from the day's grain rows."""
    ports, _ = synthetic_week(per_office=6, services=3)
    reader = TallyReader(ports.tallies, Counter())
    rolled = series.daily([(day, reader.state_day(day)) for day in WEEK])
    raw = series.daily([(day, ports.tallies.rows(day_partition(day))) for day in WEEK])
    assert rolled == raw
    assert sum(point["responses"] for point in rolled) > 0


def test_a_replayed_event_adds_nothing_to_the_rollups() -> None:
    """Given the week's tallies, when a feedback event of its first day is delivered again,
    then no rollup item changes (the event's marker refuses it, rollups included)."""
    ports, offices = synthetic_week(per_office=6, services=3)
    before = ports.tallies.rows(rollup_partition(WEEK[0]))
    office = dataclasses.replace(offices[0], service=f"{offices[0].service}-0")
    key = ev.visit_key(office, WEEK[0], 0)
    detail = ev.feedback(office, key, WEEK[0], 1, False)
    result = record_event(ev.envelope("FeedbackRecorded", detail), ports)
    assert result["repeated"] == 1 and result["applied"] == 0
    assert ports.tallies.rows(rollup_partition(WEEK[0])) == before
    kinds = Counter(row["rollup"] for row in before)
    assert kinds["department"] == 3 and kinds["office"] == len(offices)
