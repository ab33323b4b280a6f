"""Inbound grievances in the reports: their own counters, never the survey's or the
feedback cases', never in the rankings' satisfied share."""

from __future__ import annotations

from collections import Counter

from samvad import resources
from samvad.reports import figures, inbound
from samvad.reports.tally import updates_for

REGISTERED = {
    "reference": "OD-7K3M9Q",
    "case_id": "case-grv-OD-7K3M9Q",
    "visit_key": "grv-OD-7K3M9Q",
    "channel": "sms",
    "department": "health",
    "service": "",
    "office_code": "KHU-PHC-07",
    "category": "money_asked",
    "language": "or",
    "registered_at": "2026-11-23T06:00:00Z",
}
GRAIN = {"department": "health", "service": "OPD", "office_code": "KHU-PHC-07", "district": "K"}


def rows_of(*events: tuple[str, dict]) -> list[dict]:
    rows: dict[str, Counter] = {}
    for kind, detail in events:
        for update in updates_for(kind, detail, lambda key: {}):
            grain = update.grain
            row = rows.setdefault(grain.key, Counter())
            row.update(update.add)
            row["__grain"] = 0
            rows[grain.key] = row
    return [
        {"department": k.split("#")[0], "office_code": k.split("#")[2], **dict(v)}
        for k, v in rows.items()
    ]


def test_a_registration_counts_by_channel_and_category_under_inbound_names():
    [update] = updates_for(resources.GRIEVANCE_REGISTERED, REGISTERED, lambda key: {})
    assert update.add == {
        "inbound_registered": 1,
        "inbound_channel_sms": 1,
        "inbound_category_money_asked": 1,
    }
    assert (update.grain.service, update.identity) == ("-", "GrievanceRegistered#OD-7K3M9Q")


def test_a_grievance_cases_events_never_touch_the_feedback_case_counters():
    opened = {"case_id": "case-grv-OD-7K3M9Q", "opened_at": "2026-11-23T06:00:00Z", **GRAIN}
    resolved = {
        **opened, "level": 1, "resolved_at": "2026-11-24T06:00:00Z",
    }  # fmt: skip
    reopened = {
        **opened, "from_level": 1, "to_level": 2, "reason": "citizen_not_resolved",
        "at": "2026-11-24T00:00:00Z",
    }  # fmt: skip
    rows = rows_of(
        (resources.GRIEVANCE_REGISTERED, REGISTERED),
        (resources.CASE_OPENED, opened),
        (resources.CASE_ESCALATED, reopened),
        (resources.CASE_RESOLVED, resolved),
    )
    total = Counter()
    for row in rows:
        total.update({k: v for k, v in row.items() if isinstance(v, int)})
    assert not [k for k in total if not k.startswith("inbound_") and k != "__grain"]
    shown = figures.figures(total)
    assert shown["cases_opened"] == 0 and shown["satisfied_share"] is None
    section = inbound.section(rows)
    assert section["totals"]["registered"] == 1 and section["totals"]["resolved"] == 1
    assert section["totals"]["reopened"] == 1 and section["totals"]["reopen_rate"] == 1.0
    assert section["totals"]["median_hours_to_resolution"] is not None
    assert section["by_channel"] == {"sms": 1}
    assert section["by_category"] == {"money_asked": 1}
    assert [d["department"] for d in section["departments"]] == ["health"]


def test_a_feedback_case_keeps_its_own_counters():
    opened = {"case_id": "case-v1", "opened_at": "2026-11-23T06:00:00Z", **GRAIN}
    [update] = updates_for(resources.CASE_OPENED, opened, lambda key: {})
    assert update.add == {"cases_opened": 1}


def test_a_grievance_case_without_service_or_office_is_tallied_under_dashes():
    opened = {
        "case_id": "case-grv-OD-7K3M9Q", "opened_at": "2026-11-23T06:00:00Z",
        "department": "health", "service": "", "office_code": "", "district": "",
    }  # fmt: skip
    [update] = updates_for(resources.CASE_OPENED, opened, lambda key: {})
    assert (update.grain.service, update.grain.office_code) == ("-", "-")
    assert update.add == {"inbound_cases_opened": 1}


def test_an_overdue_inbound_case_is_listed_as_anonymous_without_reading_its_number():
    import datetime as dt
    import json

    from samvad.reports.service import record_event, run_report
    from samvad_dev.demo import report_events as ev
    from tests.reports_fakes import memory_report_ports

    office = ev.offices(1, 1)[0]
    ports = memory_report_ports({"grv-OD-7K3M9Q": "+919876543210"})
    since = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    record_event(
        ev.envelope(resources.CASE_OVERDUE, ev.case_overdue(office, "grv-OD-7K3M9Q", since)), ports
    )
    run_report({"date": "2026-11-23"}, ports)
    summary = json.loads(ports.files.text("reports/day/2026-11-23/summary.json"))
    [listed] = summary["overdue"]
    assert listed["citizen_phone"] == "anonymous"
    assert "3210" not in json.dumps(summary)


def test_the_report_names_the_inbound_departments_and_keeps_unknown_districts_out():
    """Given a grievance registered for health at an office of no known district, When the
    day's report runs, Then its inbound table names the department as people know it (not
    the code), and the districts table has no blank district (the grievance still counts in
    the inbound totals)."""
    import json

    from samvad.reports.service import record_event, run_report
    from samvad_dev.demo import report_events as ev
    from tests.reports_fakes import memory_report_ports

    ports = memory_report_ports({})
    record_event(ev.envelope(resources.GRIEVANCE_REGISTERED, REGISTERED), ports)
    run_report({"date": "2026-11-23"}, ports)
    summary = json.loads(ports.files.text("reports/day/2026-11-23/summary.json"))
    [health] = summary["inbound"]["departments"]
    assert (health["department"], health["department_name"]) == (
        "health",
        "Health & Family Welfare",
    )
    assert summary["inbound"]["totals"]["registered"] == 1
    assert all(row["district"] for row in summary["districts"])
    dashboard = ports.files.text("reports/day/2026-11-23/dashboard.html")
    inbound_table = dashboard.split('id="inbound"')[1].split("</table>")[0]
    assert '<span class="v">Health &amp; Family Welfare</span>' in inbound_table
