"""``samvad report`` against the stack's environment (moto in-process)."""

from __future__ import annotations

import json

import pytest

from samvad import cli


@pytest.fixture
def fresh_ports(stack):
    from samvad.reports.wiring import _ports

    _ports.cache_clear()
    yield stack
    _ports.cache_clear()


@pytest.mark.parametrize(
    ("argv", "period"),
    [
        (["--date", "2026-11-23"], "reports/day/2026-11-23/"),
        (["--week", "2026-11-23"], "reports/week/2026-11-17_2026-11-23/"),
        (["--month", "2026-10", "--min-responses", "5"], "reports/month/2026-10/"),
    ],
)
def test_report_command_writes_the_named_period(fresh_ports, capsys, argv, period) -> None:
    """Given the stack's environment, when `samvad report` names a period, then that period's
    report is written and its keys printed as JSON."""
    assert cli.main(["report", *argv]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["period"] == period
    assert printed["keys"]["dashboard"] == period + "dashboard.html"


def test_report_command_refuses_a_bad_month(fresh_ports, capsys) -> None:
    """Given an impossible month, then the command exits 2 and says why in one line, whether
    the flag's format (2026-13) or the reports domain (year 0) refuses it."""
    assert cli.main(["report", "--month", "2026-13"]) == 2
    assert "'2026-13' is not a month: write it as YYYY-MM" in capsys.readouterr().err
    assert cli.main(["report", "--month", "0000-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("samvad report: bad report request") and err.count("\n") == 1


def test_bench_reports_measures_flat_tally_reads() -> None:
    """Given two small feedback volumes, when the bench runs, then the real adapter agrees
    with the in-memory sums (grain rows and rollups), every report reads at most one tally
    row per grain in each partition it queries and at most one rollup per office and
    department in each of its 90 days, the per-response baseline reads every grain row of
    the 90 days, and the naive Scan reads every record."""
    from samvad_dev.bench.reports import run

    result = run(feedback=[400, 800])
    first, second = result["results"]["400"], result["results"]["800"]
    assert first["adapter_agrees"] and second["adapter_agrees"]
    assert result["tally_reads_within_grain_bound"]
    assert first["tallies"]["month"]["tally_queries"] == 3 + 90
    assert first["tallies"]["month"]["grain_rows_bound"] == 512 * 93
    # the window and the series read rollups: a row per office and department at most
    assert result["rollup_reads_within_office_bound"]
    assert first["tallies"]["day"]["rollup_queries"] == 90
    # the baseline reads every grain row of the 90 days (here about one per response)
    per_response = first["per_response_days"]
    assert per_response["items_read"] == per_response["grain_day_rows"] > 300
    assert (first["naive_scan"]["items_read"], second["naive_scan"]["items_read"]) == (400, 800)
    assert second["tallies"]["month"]["responses"] == 800
