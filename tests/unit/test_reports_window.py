"""Rankings over the rolling window, hand-computed: when an office enters and leaves the
ranking, the previous rank, the insufficient-data list, needs attention, officials."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from samvad import resources
from samvad.reports.periods import BadRequest
from samvad.reports.service import record_event, run_report
from samvad_dev.demo import report_events as ev
from tests.reports_fakes import memory_report_ports

NOV = dt.date(2026, 11, 1)


def _answers(ports, office, day: dt.date, satisfied: int, unsatisfied: int = 0) -> None:
    for n in range(satisfied + unsatisfied):
        key = ev.visit_key(office, day, n)
        good = n < satisfied
        detail = ev.feedback(office, key, day, 5 if good else 1, good, False)
        record_event(ev.envelope(resources.FEEDBACK_RECORDED, detail), ports)


def _day_report(ports, day: dt.date, **extra) -> dict:
    request = {"period": "day", "date": day.isoformat(), "window_days": 5} | extra
    result = run_report(request, ports)
    return json.loads(ports.files.text(result["keys"]["summary"]))


def _ranked(summary: dict) -> dict[str, tuple[int, int | None]]:
    return {r["office_code"]: (r["rank"], r["previous_rank"]) for r in summary["league"]}


def test_an_office_enters_the_ranking_when_its_window_reaches_the_minimum_and_leaves_later():
    """Given a 5-day window and a minimum of 10: office A answers 4 satisfied on each of Nov
    1, 2 and 3 (window totals 4, 8, 12, 12, 12, then 8 on Nov 6 when Nov 1 ages out), office B
    answers 10 on Nov 1 only (10 until Nov 5, 0 on Nov 6).
    When each day's report runs, then B is ranked Nov 1–5 and A only Nov 3–5; on Nov 2 A is on
    the insufficient list needing 2 more; on Nov 6 both have left the ranking; A's previous
    rank is empty on Nov 3 (its window to Nov 2 had 8) and set on Nov 4."""
    a, b = ev.offices(1, 2)
    ports = memory_report_ports()
    _answers(ports, b, NOV, 10)
    for offset in range(3):
        _answers(ports, a, NOV + dt.timedelta(days=offset), 4)
    ranked = {}
    summaries = {}
    for offset in range(6):
        day = NOV + dt.timedelta(days=offset)
        summaries[day.day] = _day_report(ports, day)
        ranked[day.day] = _ranked(summaries[day.day])
    assert set(ranked[1]) == set(ranked[2]) == {b.office_code}
    assert set(ranked[3]) == set(ranked[4]) == set(ranked[5]) == {a.office_code, b.office_code}
    assert ranked[6] == {}
    [waiting] = summaries[2]["insufficient_data"]
    assert (waiting["office_code"], waiting["assessable"], waiting["needed"]) == (
        a.office_code, 8, 2,
    )  # fmt: skip
    assert ranked[3][a.office_code][1] is None
    assert ranked[4][a.office_code][1] is not None
    assert ranked[2][b.office_code] == (1, 1)
    assert summaries[3]["window"] == {
        "kind": "window", "label": "5 days to 2026-11-03", "start": "2026-10-30",
        "end": "2026-11-03", "days": 5,
    }  # fmt: skip
    assert {r["office_code"] for r in summaries[6]["insufficient_data"]} == {a.office_code}


def test_ranking_within_the_window_is_by_lower_bound_and_the_day_alone_is_not_enough():
    """Given 3 offices with 4 responses a day for 3 days (12 in the window, 4 on the day) at
    12/12, 9/12 and 6/12 satisfied, when the day's report runs with the default minimum of 10,
    then all three are ranked in that order with their window shares (1.0, 0.75, 0.5),
    although no office has 10 responses on the day itself."""
    offices = ev.offices(1, 3)
    ports = memory_report_ports()
    for office, good_per_day in zip(offices, (4, 3, 2), strict=True):
        for offset in range(3):
            _answers(ports, office, NOV + dt.timedelta(days=offset), good_per_day, 4 - good_per_day)
    summary = _day_report(ports, NOV + dt.timedelta(days=2))
    assert [(r["office_code"], r["rank"], r["satisfied_share"]) for r in summary["league"]] == [
        (offices[0].office_code, 1, 1.0),
        (offices[1].office_code, 2, 0.75),
        (offices[2].office_code, 3, 0.5),
    ]
    assert summary["totals"]["responses"] == 12  # the day's own figures: 4 × 3 offices
    assert summary["insufficient_data"] == []


def test_needs_attention_lists_offices_whose_upper_bound_is_below_the_state_share():
    """Given four offices at 19/20, 19/20, 18/20 and 2/20 (state share 58/80 = 0.725), then
    only the 2/20 office (upper bound 0.30) needs attention; 18/20 (upper 0.97) does not."""
    offices = ev.offices(1, 4)
    ports = memory_report_ports()
    for office, good in zip(offices, (19, 19, 18, 2), strict=True):
        _answers(ports, office, NOV, good, 20 - good)
    summary = _day_report(ports, NOV)
    assert summary["state_satisfied_share"] == 0.725
    [worst] = summary["needs_attention"]
    assert worst["office_code"] == offices[3].office_code
    assert worst["wilson_high"] < 0.725


def test_officials_carry_names_offices_figures_and_their_capacity_listing() -> None:
    """Given 11 offices, each with its own official, answering in August, September and October,
    office 0 always the worst (2/12) and office 1 worst-but-one only in October, and a directory
    naming office 0's official; when the Nov 23 day report runs, then the officials' section
    lists office 0's official by name, with the office's name, the window's figures, and on the
    capacity-building list because the office was in the bottom tenth in 2026-08, 2026-09 and
    2026-10; office 1's official is not on the list."""
    offices = [
        dataclasses.replace(o, official_id=f"OFF-{i:02d}") for i, o in enumerate(ev.offices(1, 11))
    ]
    ports = memory_report_ports()
    ports.config.documents[resources.ESCALATION_DIRECTORY_CONFIG] = {
        "officials": {"OFF-00": {"name": "Sasmita Sahoo", "phone": "+919876543210"}}
    }
    for month in (8, 9, 10):
        day = dt.date(2026, month, 10)
        for i, office in enumerate(offices):
            good = 2 if i == 0 else 4 if (i == 1 and month == 10) else 12 - i % 3
            _answers(ports, office, day, good, 12 - good)
    recent = dt.date(2026, 11, 20)
    for i, office in enumerate(offices):
        _answers(ports, office, recent, 10 if i else 3, 0 if i else 7)
    summary = _day_report(ports, dt.date(2026, 11, 23), window_days=30)
    officials = {r["official_id"]: r for r in summary["officials"]}
    first = officials["OFF-00"]
    assert first["official_name"] == "Sasmita Sahoo"
    assert first["office_names"] == [offices[0].office_name]
    assert (first["responses"], first["satisfied"], first["satisfied_share"]) == (10, 3, 0.3)
    assert first["wilson_low"] < 0.3 < first["wilson_high"]
    assert first["capacity_building"] is True
    assert "2026-08, 2026-09, 2026-10" in first["capacity_reason"]
    assert officials["OFF-01"]["capacity_building"] is False
    assert officials["OFF-00"]["rank"] == len(offices)  # worst of the ranked window
    assert summary["capacity_months"] == ["2026-08", "2026-09", "2026-10"]
    assert "9876543210" not in json.dumps(summary)


def test_window_days_must_be_a_positive_integer_up_to_the_series_length() -> None:
    """Given window_days of 0, 91 or a string, then the request is refused, naming it."""
    ports = memory_report_ports()
    for bad in (0, 91, "30"):
        with pytest.raises(BadRequest, match="window_days"):
            run_report({"period": "day", "date": "2026-11-01", "window_days": bad}, ports)


def test_a_shorter_series_and_window_read_fewer_day_partitions() -> None:
    """Given a day report with window_days 7 and series_days 7, then it reads the rollups of
    the 8 days from 6 days before the window ending the day before to the day itself (which
    hold the series too), the grain rows of the day and the day before, and the 3 months of
    the capacity list: 13 Queries, each partition once; series_days 0 is refused."""
    ports = memory_report_ports()
    request = {"period": "day", "date": "2026-11-20", "window_days": 7, "series_days": 7}
    result = run_report(request, ports)
    assert result["reads"]["tally_queries"] == 8 + 2 + 3
    rollups = sorted(p for p in ports.tallies.queries if p.startswith("rollup#"))
    assert rollups[0] == "rollup#2026-11-13" and rollups[-1] == "rollup#2026-11-20"
    assert len(rollups) == 8
    days = sorted(p for p in ports.tallies.queries if p.startswith("day#"))
    assert days == ["day#2026-11-19", "day#2026-11-20"]
    summary = json.loads(ports.files.text(result["keys"]["summary"]))
    assert len(summary["series"]) == 7
    with pytest.raises(BadRequest, match="series_days"):
        run_report(request | {"series_days": 0}, ports)
