"""The saved queries, run by `samvad query` (DuckDB over the exported Parquet), against a direct
Python computation over the same synthetic week of events."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from samvad import resources
from samvad.cli import main
from samvad.lake.export import export_lake
from samvad.reports.tally import is_satisfied
from tests.lake_week import Week, synthetic_week

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture(scope="module")
def week() -> Week:
    return synthetic_week()


@pytest.fixture(scope="module")
def lake(week: Week, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    replayed = week.events + week.events[::3]  # at-least-once: a third delivered twice
    export_lake(replayed, root, week.selections)
    return root


def _query(capsys: pytest.CaptureFixture[str], lake: Path, *args: str) -> list[dict]:
    code = main(["query", *args, "--lake", str(lake), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return [json.loads(line) for line in out.splitlines()]


def _ist_month(stamp: str) -> str:
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return when.astimezone(IST).date().isoformat()[:7]


# -- direct computations -------------------------------------------------------------------


def satisfaction_direct(week: Week) -> list[dict]:
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for f in week.of(resources.FEEDBACK_RECORDED):
        cell = cells[(f["service"], f["district"])]
        verdict = is_satisfied(f["rating"], f["work_done"], f["bribe_asked"])
        cell[0] += 1
        cell[1] += verdict is not None
        cell[2] += verdict is True
    rows = [
        {
            "service": service,
            "district": district,
            "responses": n,
            "assessable": assessable,
            "satisfied": satisfied,
            "satisfied_share": round(satisfied / assessable, 4) if assessable else None,
        }
        for (service, district), (n, assessable, satisfied) in cells.items()
    ]
    rows.sort(key=lambda r: r["district"])
    rows.sort(key=lambda r: -1 if r["satisfied_share"] is None else -r["satisfied_share"])
    rows.sort(key=lambda r: (r["satisfied_share"] is None, r["service"]))
    return sorted(rows, key=lambda r: r["service"])


def repeat_offenders_direct(week: Week, min_months: int) -> list[dict]:
    flagged: list[tuple[tuple[str, str, str], str, str]] = []
    for f in week.of(resources.FEEDBACK_RECORDED):
        if f["poor"]:
            grain = (f["department"], f["office_code"], f["official_id"])
            flagged.append((grain, f["run_date"][:7], "poor"))
    for c in week.of(resources.CASE_OPENED):
        grain = (c["department"], c["office_code"], c["official_id"])
        flagged.append((grain, _ist_month(c["opened_at"]), "case"))

    def index(month: str) -> int:
        return int(month[:4]) * 12 + int(month[5:7])

    last = max(index(month) for _, month, _ in flagged)
    per: dict[tuple[str, str, str], dict] = {}
    for grain, month, kind in flagged:
        if index(month) <= last - 6:
            continue
        row = per.setdefault(grain, {"months": set(), "poor": 0, "case": 0})
        row["months"].add(month)
        row[kind] += 1
    rows = [
        {
            "department": grain[0],
            "office_code": grain[1],
            "official_id": grain[2],
            "months_flagged": len(r["months"]),
            "poor_feedback": r["poor"],
            "cases_opened": r["case"],
            "first_month": min(r["months"]),
            "last_month": max(r["months"]),
        }
        for grain, r in per.items()
        if len(r["months"]) >= min_months
    ]
    return sorted(
        rows,
        key=lambda r: (
            -r["months_flagged"], -r["poor_feedback"], r["department"], r["office_code"],
            r["official_id"],
        ),
    )  # fmt: skip


def atr_quality_direct(week: Week) -> list[dict]:
    per: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in week.of(resources.CASE_RESOLVED):
        per[(r["department"], r["office_code"], r["official_id"])][0] += 1
    for e in week.of(resources.CASE_ESCALATED):
        if e["reason"] in ("citizen_not_resolved", "citizen_no_answer"):
            slot = 1 if e["reason"] == "citizen_not_resolved" else 2
            per[(e["department"], e["office_code"], e["official_id"])][slot] += 1
    rows = [
        {
            "department": g[0],
            "office_code": g[1],
            "official_id": g[2],
            "atrs_asked": sum(counts),
            "resolved": counts[0],
            "not_resolved": counts[1],
            "no_answer": counts[2],
            "not_resolved_share": round(counts[1] / (counts[0] + counts[1]), 4)
            if counts[0] + counts[1]
            else None,
        }
        for g, counts in per.items()
    ]
    return sorted(
        rows,
        key=lambda r: (
            r["not_resolved_share"] is None, -(r["not_resolved_share"] or 0), -r["atrs_asked"],
            r["department"], r["office_code"], r["official_id"],
        ),
    )  # fmt: skip


# -- the tests -------------------------------------------------------------------------------


def test_satisfaction_by_service_matches_a_direct_computation(week, lake, capsys) -> None:
    """Given a week of events (a third delivered twice) exported to Parquet, when the saved
    query satisfaction_by_service runs, then every service × district row equals the counts
    and share computed from the events with the reports' own is_satisfied rule."""
    expected = satisfaction_direct(week)
    assert len(expected) >= 6 and any(r["satisfied_share"] not in (0, 1) for r in expected)
    assert _query(capsys, lake, "--saved", "satisfaction_by_service") == expected


def test_repeat_offenders_match_a_direct_computation(week, lake, capsys) -> None:
    """Given the week across a month end, when repeat_offenders runs with min_months=2, then
    it lists exactly the offices flagged (poor feedback by run month, cases by India-time
    month) in both months, with the same counts; with the default 3 it lists none."""
    expected = repeat_offenders_direct(week, 2)
    assert expected and len(expected) < 12  # some offices, not all
    got = _query(capsys, lake, "--saved", "repeat_offenders", "--param", "min_months=2")
    assert got == expected
    assert _query(capsys, lake, "--saved", "repeat_offenders") == repeat_offenders_direct(week, 3)


def test_atr_quality_matches_a_direct_computation(week, lake, capsys) -> None:
    """Given the week's case steps, when atr_quality runs, then per office the ATRs asked
    about, resolved, not resolved, no answer and the not-resolved share equal a count of
    CaseResolved and citizen-reason CaseEscalated events."""
    expected = atr_quality_direct(week)
    assert sum(r["not_resolved"] for r in expected) > 0
    assert _query(capsys, lake, "--saved", "atr_quality") == expected


def test_a_date_window_narrows_the_answer(week, lake, capsys) -> None:
    """Given the week, when satisfaction_by_service runs for 1 November onwards only, then the
    responses counted are the feedback of those run dates."""
    got = _query(
        capsys, lake, "--saved", "satisfaction_by_service", "--param", "from_date=2026-11-01"
    )
    expected = sum(1 for f in week.of(resources.FEEDBACK_RECORDED) if f["run_date"] >= "2026-11-01")
    assert sum(r["responses"] for r in got) == expected < len(week.of(resources.FEEDBACK_RECORDED))


def test_ad_hoc_sql_reads_the_same_tables_as_the_catalog(week, lake, capsys) -> None:
    """Given the exported week, when plain SQL counts each table, then the counts are the
    distinct facts (replays counted once) and the samples are the selections' visits."""
    sql = (
        "SELECT (SELECT count(*) FROM samples) AS samples, (SELECT count(*) FROM contacts) "
        "AS contacts, (SELECT count(*) FROM feedback) AS feedback, "
        "(SELECT count(*) FROM case_events) AS case_events, "
        '(SELECT count(DISTINCT "date") FROM feedback) AS days'
    )
    [row] = _query(capsys, lake, sql)
    cases = sum(
        len(week.of(t))
        for t in (resources.CASE_OPENED, resources.CASE_ESCALATED, resources.CASE_RESOLVED,
                  resources.CASE_OVERDUE)
    )  # fmt: skip
    assert row == {
        "samples": sum(len(s["selected"]) for s in week.selections),
        "contacts": len(week.of(resources.CONTACT_OUTCOME)),
        "feedback": len(week.of(resources.FEEDBACK_RECORDED)),
        "case_events": cases,
        "days": 7,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELEC 1"], "syntax error"),
        (["SELECT * FROM no_such_table"], "no_such_table"),
        (["--saved", "nope"], "no saved query 'nope'"),
        (["--saved", "repeat_offenders", "--param", "min_months=1; DROP"], "whole number"),
        (["--saved", "atr_quality", "--param", "limit=3"], "has no parameter 'limit'"),
        (["SELECT 1", "--param", "x=1"], "--saved queries only"),
    ],
)
def test_bad_sql_or_parameters_are_one_line_and_exit_2(lake, capsys, args, message) -> None:
    """Given a bad statement, saved query name or parameter, when `samvad query` runs, then it
    prints one line on stderr naming the problem, nothing on stdout, and exits 2."""
    code = main(["query", *args, "--lake", str(lake)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_csv_output_has_a_header_and_one_line_per_row(lake, capsys) -> None:
    """Given the lake, when a query asks for CSV (the default), then the header names the
    columns and each row follows."""
    assert (
        main(["query", "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, NULL", "--lake", str(lake)])
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["a,b", "1,x", "2,"]


def test_a_missing_lake_folder_is_a_usage_error(tmp_path, capsys) -> None:
    """Given no lake folder, when `samvad query` runs locally, then exit 2 says to export."""
    assert main(["query", "SELECT 1", "--lake", str(tmp_path / "none")]) == 2
    assert "no lake folder" in capsys.readouterr().err
