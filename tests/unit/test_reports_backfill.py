"""The rollup backfill on in-memory fakes: rankings and series from backfilled rollups equal
those from the raw tallies; reruns, partial runs, replays and concurrent live events change
nothing; the dry run writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pytest

from samvad.reports import figures, series
from samvad.reports.backfill import BadRange, backfill_rollups, days_between
from samvad.reports.periods import day_partition, window
from samvad.reports.reading import TallyReader
from samvad.reports.rollups import ROLLUP_PREFIX, rollup_partition
from samvad.reports.service import record_event
from samvad.reports.standings import standings
from samvad_dev.demo import report_events as ev
from tests.reports_fakes import MemoryTallies
from tests.reports_week import WEEK, synthetic_week


def _rollups(tallies: MemoryTallies) -> dict:
    """Every rollup item's figures (its counters, without the revision) and attributes."""
    return {
        key: {k: v for k, v in item.items() if k != "revision"}
        for key, item in tallies.items.items()
        if key[0].startswith(ROLLUP_PREFIX)
    }


def _as_before_rollups(tallies: MemoryTallies, days) -> None:
    """Drop the rollups of ``days``: tallies written before the rollups existed."""
    for key in [k for k in tallies.items if k[0] in {rollup_partition(d) for d in days}]:
        del tallies.items[key]


DAYS = [WEEK[0] + dt.timedelta(days=n) for n in range(14)]
"""The week and the week after it (cases resolved, escalated or overdue later)."""


def _raw(tallies, period) -> list[dict]:
    return [row for day in period.days() for row in tallies.rows(day_partition(day))]


def _same_figures(left: dict, right: dict) -> bool:
    """Two rollup sets with the same keys, attributes and counters (float sums rounded)."""
    if left.keys() != right.keys():
        return False
    for key in left:
        a, b = left[key], right[key]
        if {k: v for k, v in a.items() if isinstance(v, str)} != {
            k: v for k, v in b.items() if isinstance(v, str)
        }:
            return False
        ca, cb = figures.counters(a), figures.counters(b)
        names = {k for k in ca.keys() | cb.keys() if ca.get(k) or cb.get(k)}
        if any(round(ca.get(k, 0), 6) != round(cb.get(k, 0), 6) for k in names):
            return False
    return True


@pytest.fixture
def week():
    ports, offices = synthetic_week(per_office=6, services=3)
    live = _rollups(ports.tallies)
    return ports, offices, live


def test_backfilled_rollups_equal_the_live_ones_and_rank_as_the_raw_tallies(week) -> None:
    """Given the synthetic week whose rollups are dropped (tallied before rollups existed),
    when the backfill runs over the week, then each rollup equals the one the live path wrote,
    and each day's rankings over 3- and 7-day windows and the series equal those computed
    from the raw grain rows."""
    ports, _, live = week
    tallies = ports.tallies
    _as_before_rollups(tallies, DAYS)
    assert not _rollups(tallies)

    done = backfill_rollups(tallies, DAYS)

    assert _same_figures(_rollups(tallies), live)
    assert done.written == len(live) and done.in_step == 0 and not done.conflicted
    assert done.queries == 2 * len(DAYS)  # one Query per partition and day, no Scan
    for end in WEEK:
        for days in (3, 7):
            reader = TallyReader(tallies, Counter())
            now, before = window(end, days), window(end - dt.timedelta(days=1), days)
            from_rollups = standings(reader.window(now), reader.window(before), 5)
            assert from_rollups == standings(_raw(tallies, now), _raw(tallies, before), 5)
    last = standings(_raw(tallies, window(WEEK[-1], 7)), [], 5)
    assert last["league"] and last["officials"]
    reader = TallyReader(tallies, Counter())
    rolled = series.daily([(day, reader.state_day(day)) for day in WEEK])
    assert rolled == series.daily([(day, tallies.rows(day_partition(day))) for day in WEEK])


def test_a_rerun_writes_nothing_and_live_rollups_are_not_counted_twice(week) -> None:
    """Given the week with its live rollups on days 4–7 and none on days 1–3, when the
    backfill runs twice over the week, then days 4–7 are found in step (not added to), days
    1–3 are rebuilt, and the second run writes nothing."""
    ports, _, live = week
    _as_before_rollups(ports.tallies, WEEK[:3])

    first = backfill_rollups(ports.tallies, DAYS)
    after_first = dict(ports.tallies.items)
    second = backfill_rollups(ports.tallies, DAYS)

    assert _same_figures(_rollups(ports.tallies), live)
    assert 0 < first.written < len(live) and first.in_step + first.written == len(live)
    assert second.written == 0 and second.in_step == len(live)
    assert ports.tallies.items == after_first


def test_a_day_with_some_events_before_the_rollups_and_some_after_gets_the_sum(week) -> None:
    """Given a day whose rollups hold only the events tallied after the rollups existed (the
    grain rows hold them all), when the backfill runs, then each rollup is the day's whole
    sum: the live part is replaced, not added to."""
    ports, offices, live = week
    tallies = ports.tallies
    day = WEEK[2]
    _as_before_rollups(tallies, [day])
    office = dataclasses.replace(offices[0], service=f"{offices[0].service}-0")
    extra = ev.visit_key(office, day, 99)  # a late answer, tallied by the live path
    record_event(ev.envelope("FeedbackRecorded", ev.feedback(office, extra, day, 5, True)), ports)
    partial = tallies.rows(rollup_partition(day))
    assert partial and all(row.get("responses", 0) <= 1 for row in partial)

    backfill_rollups(tallies, [day])

    grain = tallies.rows(day_partition(day))
    state = sum(row.get("responses", 0) for row in grain)
    departments = [r for r in tallies.rows(rollup_partition(day)) if r["rollup"] == "department"]
    assert sum(r["responses"] for r in departments) == state
    assert (
        state
        == 1
        + sum(v.get("responses", 0) for (p, _), v in live.items() if p == rollup_partition(day))
        // 2
    )  # the live office and department rollups both held each response once


def test_replayed_events_after_a_backfill_change_nothing(week) -> None:
    """Given a backfilled week, when every feedback of its first day is delivered again, then
    the markers refuse them all and no rollup changes; a rerun of the backfill finds the day
    in step."""
    ports, offices, _ = week
    _as_before_rollups(ports.tallies, DAYS)
    backfill_rollups(ports.tallies, DAYS)
    before = dict(ports.tallies.items)
    repeated = 0
    for counter in offices:
        for n in range(6):
            office = dataclasses.replace(counter, service=f"{counter.service}-{n % 3}")
            key = ev.visit_key(office, WEEK[0], n)
            detail = ev.feedback(office, key, WEEK[0], 5, True)
            repeated += record_event(ev.envelope("FeedbackRecorded", detail), ports)["repeated"]
    assert repeated > 0
    assert ports.tallies.items == before
    assert backfill_rollups(ports.tallies, [WEEK[0]]).written == 0


class _Stopping(MemoryTallies):
    """Fails the ``after``-th rollup write: a run stopped half-way."""

    def __init__(self, tallies: MemoryTallies, after: int) -> None:
        super().__init__()
        self.items = tallies.items
        self.after = after

    def replace_rollup(self, *args) -> bool:
        self.after -= 1
        if self.after < 0:
            raise TimeoutError("the run stopped here")
        return super().replace_rollup(*args)


def test_a_run_stopped_half_way_is_finished_by_a_rerun(week) -> None:
    """Given a backfill that stopped after 10 writes, when it runs again, then the rollups
    equal the live ones and nothing was counted twice."""
    ports, _, live = week
    _as_before_rollups(ports.tallies, DAYS)
    with pytest.raises(TimeoutError):
        backfill_rollups(_Stopping(ports.tallies, after=10), DAYS)
    assert 0 < len(_rollups(ports.tallies)) < len(live)

    done = backfill_rollups(ports.tallies, DAYS)

    assert _same_figures(_rollups(ports.tallies), live)
    assert done.in_step == 10 and done.written == len(live) - 10


class _LiveEventMeanwhile(MemoryTallies):
    """Tallies one more event between the backfill's read of the rollups and of the grain
    rows (the first time the day's grain partition is read)."""

    def __init__(self, ports, event: dict) -> None:
        super().__init__()
        self.items, self.markers = ports.tallies.items, ports.tallies.markers
        self.ports, self.event, self.sent = ports, event, False

    def rows(self, partition: str, prefix: str = "") -> list[dict]:
        if partition.startswith("day#") and not self.sent:
            self.sent = True
            record_event(self.event, dataclasses.replace(self.ports, tallies=self))
        return super().rows(partition, prefix)


def test_an_event_tallied_during_the_backfill_is_counted_once(week) -> None:
    """Given a day whose rollups are rebuilt while a live event lands between the backfill's
    two reads, when the backfill runs, then its write is refused by the revision, the day is
    read again, and the rollups hold the event exactly once."""
    ports, offices, live = week
    day = WEEK[1]
    _as_before_rollups(ports.tallies, [day])
    office = dataclasses.replace(offices[1], service=f"{offices[1].service}-0")
    key = ev.visit_key(office, day, 77)
    event = ev.envelope("FeedbackRecorded", ev.feedback(office, key, day, 4, True))
    store = _LiveEventMeanwhile(ports, event)

    done = backfill_rollups(store, [day])

    assert store.sent and done.retried_days == 1 and not done.conflicted
    rows = store.rows(rollup_partition(day))
    state = sum(r.get("responses", 0) for r in rows if r["rollup"] == "department")
    assert state == sum(r.get("responses", 0) for r in store.rows(day_partition(day)))
    before = (
        sum(v.get("responses", 0) for (p, _), v in live.items() if p == rollup_partition(day)) // 2
    )
    assert state == before + 1


def test_the_dry_run_counts_and_writes_nothing(week) -> None:
    """Given the week without rollups on days 1–2, when the backfill runs dry, then it counts
    the rollups it would write (those of days 1–2) and no item changes."""
    ports, _, live = week
    _as_before_rollups(ports.tallies, WEEK[:2])
    before = dict(ports.tallies.items)

    done = backfill_rollups(ports.tallies, DAYS, dry_run=True)

    expected = sum(1 for p, _ in live if p in {rollup_partition(d) for d in WEEK[:2]})
    assert done.written == expected > 0 and done.as_dict()["rollups_to_write"] == expected
    assert ports.tallies.items == before


def test_a_range_backwards_or_too_long_is_refused() -> None:
    """Given --from after --to, or a range longer than a run takes, then BadRange says so."""
    with pytest.raises(BadRange, match="after"):
        days_between(WEEK[3], WEEK[1])
    with pytest.raises(BadRange, match="at most"):
        days_between(dt.date(2020, 1, 1), dt.date(2026, 1, 1))
    assert days_between(WEEK[0], WEEK[0]) == [WEEK[0]]


def test_the_command_defaults_to_the_90_days_ending_today(capsys) -> None:
    """Given no --from and no --to, then the command backfills the 90 days ending today in
    India time (the series' days); --to alone ends the 90 days there."""
    import argparse
    import json

    from samvad.reports.cli import run_backfill

    today = dt.date(2026, 11, 30)
    args = argparse.Namespace(start=None, end=None, dry_run=True)
    assert run_backfill(args, MemoryTallies(), lambda: today) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["from"], printed["to"], printed["days"]) == ("2026-09-02", "2026-11-30", 90)
    args = argparse.Namespace(start=None, end=dt.date(2026, 10, 31), dry_run=True)
    assert run_backfill(args, MemoryTallies(), lambda: today) == 0
    assert json.loads(capsys.readouterr().out)["from"] == "2026-08-03"
