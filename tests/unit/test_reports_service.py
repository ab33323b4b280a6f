"""The reports use cases on in-memory ports: replayed events, outputs, privacy, CSV safety."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re

import pytest

from samvad import resources
from samvad.reports.exports import safe_cell, to_csv
from samvad.reports.periods import BadRequest
from samvad.reports.service import record_event, record_events, run_report
from samvad.reports.tally import BadEvent
from samvad_dev.demo import report_events as ev
from tests.reports_fakes import MemoryTallies, memory_report_ports

DAY = dt.date(2026, 11, 23)
PHONE = "+919876543210"
PHONE_PATTERN = re.compile(r"(?:\+?91)?[6-9]\d{9}")


def _publish_day(ports, offices, day=DAY, per_office=12) -> list[dict]:
    events = []
    for index, office in enumerate(offices):
        for n in range(per_office):
            key = ev.visit_key(office, day, n)
            good = n < per_office - index  # later offices do worse
            events += [
                ev.envelope(resources.CONTACT_OUTCOME, ev.outcome(office, key, day, "answered")),
                ev.envelope(
                    resources.FEEDBACK_RECORDED,
                    ev.feedback(office, key, day, 5 if good else 2, good, not good),
                ),
            ]
    for event in events:
        record_event(event, ports)
    return events


def test_replaying_every_event_changes_no_tally() -> None:
    """Given a day's events recorded once, when every event is delivered again, then nothing
    is applied a second time and the tallies are unchanged."""
    ports = memory_report_ports()
    events = _publish_day(ports, ev.offices(2, 2))
    before = json.dumps(sorted(ports.tallies.items.items()), default=str)
    results = [record_event(event, ports) for event in events]
    assert all(r["applied"] == 0 and r["repeated"] == 1 for r in results)
    assert json.dumps(sorted(ports.tallies.items.items()), default=str) == before


def test_events_that_are_not_samvad_or_malformed_are_refused() -> None:
    """Given an event from another source, or a malformed detail, then BadEvent (the queue
    keeps the message for its dead-letter queue); other Samvad event types are ignored."""
    ports = memory_report_ports()
    with pytest.raises(BadEvent, match="not a samvad event"):
        record_event({"source": "aws.s3", "detail-type": "Object Created"}, ports)
    with pytest.raises(BadEvent, match="detail"):
        record_event({"source": "samvad", "detail-type": resources.FEEDBACK_RECORDED}, ports)
    ignored = record_event(ev.envelope(resources.INTAKE_COMPLETED, {"key": "k"}), ports)
    assert ignored["ignored"] is True


def test_a_batch_is_tallied_as_its_events_one_by_one_and_bad_ones_fail_alone() -> None:
    """Given a batch with a foreign event, a malformed one, an ignored one and a day's good
    events (one of them twice), When it is recorded at once, Then the bad ones carry an error
    and the rest count as recording them one by one does; the repeat counts once."""
    offices = ev.offices(2, 2)
    one_by_one = memory_report_ports()
    events = _publish_day(one_by_one, offices, per_office=3)
    bad = [
        {"source": "aws.s3", "detail-type": "Object Created"},
        {"source": "samvad", "detail-type": resources.FEEDBACK_RECORDED},
        ev.envelope(resources.INTAKE_COMPLETED, {"key": "k"}),
    ]
    batch = memory_report_ports()
    results = record_events([*bad, *events, events[0]], batch)
    assert [sorted(r) for r in results[:2]] == [["detail_type", "error"]] * 2
    assert "not a samvad event" in results[0]["error"] and "detail" in results[1]["error"]
    assert results[2]["ignored"] is True
    assert all(r["applied"] == 1 for r in results[3:-1]) and results[-1]["repeated"] == 1
    assert batch.tallies.items == one_by_one.tallies.items


class FailsWithPoison(MemoryTallies):
    """A store whose write fails whenever it holds the poisoned visit's update."""

    def apply_all(self, updates):
        if any("poisoned" in update.identity for update in updates):
            raise RuntimeError("ValidationException")
        return super().apply_all(updates)


def test_when_the_batch_write_fails_each_event_is_written_alone() -> None:
    """Given a batch whose write fails because of one event, When it is recorded, Then each
    event is written on its own: only that event carries the error; an error of a batch of
    one event is raised (the whole delivery is retried)."""
    ports = dataclasses.replace(memory_report_ports(), tallies=FailsWithPoison())
    office = ev.offices(1, 1)[0]
    good = [ev.envelope(resources.FEEDBACK_RECORDED, ev.feedback(office, f"v{n}", DAY, 5, True))
            for n in range(3)]  # fmt: skip
    poisoned = ev.envelope(
        resources.FEEDBACK_RECORDED, ev.feedback(office, "poisoned", DAY, 5, True)
    )
    results = record_events([good[0], poisoned, *good[1:]], ports)
    assert [r.get("error", "") for r in results] == ["", "ValidationException", "", ""]
    assert [r.get("applied") for r in results] == [1, None, 1, 1]
    with pytest.raises(RuntimeError):
        record_events([poisoned], ports)


def test_report_writes_summary_csvs_and_dashboard_and_notifies_once() -> None:
    """Given a day of tallies, when the daily report runs twice, then summary.json, the CSV
    exports and the dashboard are under reports/day/<date>/, the notification carries the
    link once (the rerun finds the same figures), and the reads are tally rows, not events."""
    ports = memory_report_ports()
    events = _publish_day(ports, ev.offices(3, 4))
    result = run_report({"period": "day", "date": DAY.isoformat()}, ports)
    prefix = "reports/day/2026-11-23/"
    assert result["keys"]["summary"] == prefix + "summary.json"
    assert set(result["keys"]["csv"]) == {
        "departments", "services", "districts", "offices", "officials", "overdue",
        "capacity_building", "series",
    }  # fmt: skip
    assert set(ports.files.files) == {
        prefix + "summary.json", prefix + "dashboard.html",
        *(prefix + f"{name}.csv" for name in result["keys"]["csv"]),
        *result["keys"]["pages"],
    }  # fmt: skip
    assert len(result["keys"]["pages"]) == 3 + 6  # a day: 3 departments', 6 districts' pages
    summary = json.loads(ports.files.text(prefix + "summary.json"))
    assert summary["totals"]["responses"] == 12 * 12
    assert len(summary["league"]) == 12
    # the day's 12 grain rows (its tables), its rollups: 12 offices (the window), 3
    # departments (the series); each read once
    assert result["reads"]["tally_rows"] == 12 + 12 + 3 < len(events)
    assert ports.files.files[prefix + "dashboard.html"][1].startswith("text/html")
    [(subject, message)] = ports.notifier.sent
    assert subject == "Samvad day report 2026-11-23"
    assert "https://example.invalid/reports/day/2026-11-23/dashboard.html" in message
    again = run_report({"period": "day", "date": DAY.isoformat()}, ports)
    assert again["notified"] is False and len(ports.notifier.sent) == 1


def test_no_phone_number_in_clear_anywhere_in_the_outputs() -> None:
    """Given an overdue case whose citizen's phone is known, when the report is written, then
    the overdue list shows it masked, and no output file (JSON, CSV, HTML) nor the
    notification holds the number or any 10-digit mobile in clear."""
    office = ev.offices(1, 1)[0]
    key = ev.visit_key(office, DAY, 0)
    ports = memory_report_ports(phones={key: PHONE})
    _publish_day(ports, [office])
    since = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    record_event(ev.envelope(resources.CASE_OVERDUE, ev.case_overdue(office, key, since)), ports)
    run_report({"period": "day", "date": DAY.isoformat()}, ports)
    summary = json.loads(ports.files.text("reports/day/2026-11-23/summary.json"))
    [case] = summary["overdue"]
    assert case["citizen_phone"] == "+91 98•••••210"
    overdue_csv = ports.files.text("reports/day/2026-11-23/overdue.csv")
    assert "+91 98•••••210" in overdue_csv
    html = ports.files.text("reports/day/2026-11-23/dashboard.html")
    assert "+91 98•••••210" in html
    texts = [body.decode("utf-8-sig") for body, _ in ports.files.files.values()]
    texts += [message for _, message in ports.notifier.sent]
    for text in texts:
        assert "9876543210" not in text
        assert not PHONE_PATTERN.search(re.sub(r"data:image/svg\+xml;base64,[^'\"]*", "", text))


def test_the_dashboard_allows_only_its_style_sheet_and_chart() -> None:
    """Given a day's dashboard, Then it carries a CSP that starts from default-src 'none' and
    allows only its own style sheet (by hash, not unsafe-inline) and the embedded chart, and
    markup in the data (an office name) is escaped."""
    office = dataclasses.replace(ev.offices(1, 1)[0], office_name="<script>x()</script>")
    ports = memory_report_ports()
    _publish_day(ports, [office])
    run_report({"period": "day", "date": DAY.isoformat()}, ports)
    html = ports.files.text("reports/day/2026-11-23/dashboard.html")
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    [policy] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    directives = [d.strip() for d in policy.replace("&#39;", "'").split(";")]
    assert directives[0] == "default-src 'none'"
    assert "img-src data:" in directives and "base-uri 'none'" in directives
    [style] = [d for d in directives if d.startswith("style-src")]
    assert re.fullmatch(r"style-src 'sha256-[A-Za-z0-9+/]+={0,2}'", style)
    assert "<script" not in html


def test_overdue_case_resolved_later_leaves_the_list() -> None:
    """Given an overdue case, when it is resolved at level 4, then the next report's overdue
    list no longer holds it."""
    office = ev.offices(1, 1)[0]
    ports = memory_report_ports()
    since = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    record_event(ev.envelope(resources.CASE_OVERDUE, ev.case_overdue(office, "v1", since)), ports)
    assert len(run_report({"date": "2026-11-23"}, ports)["keys"]) and ports.tallies.overdue_cases()
    resolved = ev.case_resolved(office, "v1", since, since + dt.timedelta(days=1), level=4)
    record_event(ev.envelope(resources.CASE_RESOLVED, resolved), ports)
    run_report({"date": "2026-11-24"}, ports)
    summary = json.loads(ports.files.text("reports/day/2026-11-24/summary.json"))
    assert summary["overdue"] == []


def test_periods_read_their_partitions_and_the_previous_ones() -> None:
    """Given week and month requests, then a week reads the grain partitions of its 14 days
    (the week and the week before), the rollups of each of the 90 days of its time series
    once (they hold the 30-day ranking window and the one ending a week earlier) and the last
    3 complete months (the capacity list); a month reads its month partition, the 2 before,
    and the rollups of its 90 days; each partition once. A schedule's request reports
    yesterday in India time."""
    ports = memory_report_ports()
    week = run_report({"period": "week", "date": "2026-11-23"}, ports)
    assert week["period"] == "reports/week/2026-11-17_2026-11-23/"
    assert week["reads"]["tally_queries"] == 14 + 90 + 3
    assert set(ports.tallies.queries.values()) == {1}
    assert "rollup#2026-08-26 department#" in ports.tallies.queries  # 90 days to 2026-11-23
    assert "rollup#2026-10-18" in ports.tallies.queries  # the window a week earlier: whole
    assert {p for p in ports.tallies.queries if p.startswith("day#")} == {
        f"day#2026-11-{d:02d}" for d in range(10, 24)
    }
    assert {"month#2026-10", "month#2026-09", "month#2026-08"} < set(ports.tallies.queries)
    ports.tallies.queries.clear()
    monthly = run_report({"period": "month", "month": "2026-11"}, ports)
    assert monthly["period"] == "reports/month/2026-11/"
    months = {p for p in ports.tallies.queries if p.startswith("month#")}
    assert months == {"month#2026-11", "month#2026-10", "month#2026-09"}
    assert len(ports.tallies.queries) == 3 + 90
    assert "capacity_building" in monthly["keys"]["csv"]
    scheduled = run_report({"period": "day", "scheduled_time": "2026-11-24T00:30:00Z"}, ports)
    assert scheduled["period"] == "reports/day/2026-11-23/"


@pytest.mark.parametrize(
    "request_",
    [{"period": "year"}, {"period": "day", "date": "tomorrow"}, {"min_responses": 0}],
)
def test_bad_report_requests_are_refused(request_) -> None:
    """Given an impossible request, then BadRequest says what is wrong."""
    with pytest.raises(BadRequest):
        run_report(request_, memory_report_ports())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+91 98", "'+91 98"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Capital Hospital", "Capital Hospital"),
        (-0.05, -0.05),
        (None, ""),
        (True, "yes"),
    ],
)
def test_csv_cells_cannot_start_a_formula(value, expected) -> None:
    """Given a cell starting with = + - @ tab or CR, then it is prefixed with an apostrophe;
    numbers stay numbers."""
    assert safe_cell(value) == expected


def test_csv_export_neutralises_injection_in_every_text_field() -> None:
    """Given an office whose name is a formula, when exported, then the CSV reads back with
    the formula neutralised and the other cells intact."""
    rows = [{"office_name": "=cmd|' /C calc'!A0", "responses": 3, "district": "@evil"}]
    body = to_csv(rows, ["office_name", "responses", "district"]).decode("utf-8-sig")
    [header, row] = list(csv.reader(io.StringIO(body)))
    assert header == ["office_name", "responses", "district"]
    assert row == ["'=cmd|' /C calc'!A0", "3", "'@evil"]
