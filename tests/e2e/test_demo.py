"""`samvad demo` end to end: one synthetic day through every stage on the local stack."""

import datetime as dt
import json
from pathlib import Path

import pytest

from samvad_dev.demo.run import run_demo

pytestmark = [pytest.mark.e2e, pytest.mark.own_process, pytest.mark.xdist_group("demo")]


VISITS, SEED = 100, 3
TODAY = dt.date(2026, 11, 30)  # the summary depends on the date as well as the seed


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return run_demo(visits=VISITS, seed=SEED, out=out, today=TODAY), out


def _without_timings(summary: dict, out: Path) -> str:
    """The summary as text, with every ``seconds`` left out and the output folder named OUT."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seconds"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(summary), sort_keys=True).replace(str(out), "OUT")


def test_demo_accounts_for_every_injected_mistake(demo):
    """Given a synthetic day with known injected mistakes and one legacy .xls, When the demo
    runs it through the local stack, Then every mistaken row is rejected, every repeated row
    is a duplicate, the .xls is quarantined, a replayed event changes nothing, and
    summary.json says so."""
    summary, out = demo
    injected = summary["mistakes_injected"]
    totals = summary["totals"]
    assert totals["rows"] == summary["rows_written"]
    assert totals["duplicates"] == injected.get("exact_duplicate", 0)
    assert totals["rejected"] == sum(injected.values()) - injected.get("exact_duplicate", 0)
    assert (
        totals["accepted"]
        == summary["visits_in_table"]
        == totals["rows"] - totals["rejected"] - totals["duplicates"]
    )
    assert totals["quarantined"] == 1
    assert summary["replayed_event_changed_nothing"] is True
    assert json.loads((out / "summary.json").read_text()) == summary
    formats = {f["format"] for f in summary["files"] if not f["quarantined"]}
    assert formats == {"csv", "xlsx", "jsonl"}


def test_demo_samples_verifiably(demo):
    """Given the demo day, When the schedule fires today (twice) and on the next two days,
    Then the Chief Minister's office gets exactly 10 calls, every sampled IVR and SMS
    contact is queued once for dispatch (the human callers' are on their lists only), the
    rerun changes nothing, and the sample verifies from the revealed secrets."""
    sampling = demo[0]["sampling"]
    run = sampling["run"]
    assert run["by_caller"]["cmo"] == 10
    assert run["sampled"] == sum(run["by_channel"].values())
    queued = run["by_channel"]["ivr_call"] + run["by_channel"]["sms"]
    assert sampling["dispatch_messages_queued"] == run["dispatched"] == queued
    assert set(run["by_channel"]) == {"official_call", "ivr_call", "sms"}
    assert sampling["rerun_changed_nothing"] is True
    verification = sampling["verification"]
    assert verification["ok"] and verification["verifiable"]
    assert verification["visits_checked"] >= run["sampled"]


def test_demo_contacts_the_sample_and_records_feedback(demo):
    """Given the day's sample, When it is dispatched to simulated citizens, Then calls are
    placed and answered, SMS go out, feedback arrives by IVR, SMS and the web form, poor
    feedback is published, and no delivery failed."""
    contacts = demo[0]["sampling"]["contacts"]
    assert contacts["calls_placed"] >= contacts["calls_answered"] > 0
    assert contacts["sms_sent"] > 0 and contacts["feedback"] > 0
    assert sum(contacts["feedback_by_rating"].values()) <= contacts["feedback"]
    assert {"ivr_call", "sms"} <= set(contacts["feedback_by_channel"])
    assert contacts["poor_feedback_events"] > 0
    assert contacts["failed_deliveries"] == 0


def test_demo_officials_work_their_call_lists_at_the_desk(demo):
    """Given the human callers' lists of the day (the CMO's 10 among them), When simulated
    officials work them at the call desk, Then every listed call is made, answered calls are
    official_call feedback, unanswered ones are handed back and called again, and after the
    last unanswered attempt the citizen gets the SMS survey instead."""
    sampling = demo[0]["sampling"]
    desk, contacts = sampling["contacts"]["desk"], sampling["contacts"]
    assert desk["lists"] >= 2
    assert desk["calls_on_lists"] == sampling["run"]["by_channel"]["official_call"]
    assert desk["answered"] == contacts["feedback_by_channel"]["official_call"] > 0
    assert desk["handed_back"] > 0 and desk["sms_fallbacks"] > 0
    assert desk["calls_made"] == (desk["answered"] + desk["handed_back"] + desk["sms_fallbacks"]
                                  + desk["unreachable"])  # fmt: skip
    assert desk["answered"] + desk["sms_fallbacks"] + desk["unreachable"] <= desk["calls_on_lists"]
    assert contacts["sms_sent"] >= desk["sms_fallbacks"]


def test_demo_escalates_every_poor_feedback(demo):
    """Given the day's poor feedback and the inbound grievances' cases, When escalation runs
    on the simulated clock, Then one case is opened per poor feedback, every case of either
    kind ends resolved or overdue at the CM's office (none stalled, none left open), officials
    filed ATRs, cases were resolved at several levels and escalated for each reason, and none
    was resolved without a citizen's confirmation."""
    summary = demo[0]
    escalation = summary["escalation"]
    inbound = escalation["inbound_cases"]
    assert inbound["opened"] == summary["inbound"]["cases"] > 0
    assert inbound["settled"] is True and inbound["still_open"] == inbound["stalled"] == 0
    assert inbound["resolved"] + inbound["overdue"] == inbound["opened"]
    assert inbound["resolved"] <= inbound["citizen_resolved"] and inbound["atrs_filed"] > 0
    assert escalation["cases_opened"] == summary["sampling"]["contacts"]["poor_feedback_events"]
    assert escalation["all_settled"] is True
    assert escalation["still_open"] == escalation["stalled"] == 0
    assert escalation["resolved"] + escalation["overdue"] == escalation["cases_opened"]
    assert escalation["resolved"] <= escalation["citizen_resolved"]  # only citizens close cases
    assert escalation["atrs_filed"] > 0 and escalation["atrs_refused"] == 0
    assert sum(1 for n in escalation["resolved_per_level"].values() if n) >= 2
    assert set(escalation["escalation_reasons"]) == {
        "sla_timeout",
        "citizen_not_resolved",
        "citizen_no_answer",
    }


def test_demo_includes_the_inbound_stream(demo):
    """Given the day's inbound stream (issue 11), When the demo has run, Then every SMS and
    web grievance is one case forwarded without any phone, the repeat was folded and the
    garbage kept, each SMS citizen got a status, and the keys of the block are all there."""
    inbound = demo[0]["inbound"]
    assert {"ivr_calls", "sms", "web", "grievances_registered", "status_lookups",
            "scheme_requests", "forwarded_anonymously", "resolved"} <= set(inbound)  # fmt: skip
    assert inbound["sms"] > 0 and inbound["web"] > 0
    registered = inbound["grievances_registered"]
    assert registered == inbound["cases"] == inbound["forwarded_anonymously"] > 0
    assert inbound["folded"] == 1 and inbound["rejected_kept"] == 1
    assert inbound["status_lookups"] > 0 and 0 <= inbound["resolved"] <= registered


def test_the_same_seed_gives_the_same_summary(demo, tmp_path):
    """Given the demo's summary, When the demo runs again with the same seed (elsewhere, on
    a machine as loaded as it happens to be), Then summary.json is identical apart from the
    timings and the output folder."""
    summary, out = demo
    again = run_demo(visits=VISITS, seed=SEED, out=tmp_path, today=TODAY)
    assert _without_timings(again, tmp_path) == _without_timings(summary, out)


def test_demo_writes_the_daily_and_weekly_reports(demo):
    """Given the contacted day, When the reports run, Then the day's and the week's
    summary, dashboard and CSVs are written under OUT/reports/<day|week>/ and summary.json
    gives their local paths, as it does for each upload's intake report and rejects."""
    summary, out = demo
    reports = summary["reports"]
    (daily,) = reports["daily"].values()
    weekly = reports["weekly"]
    for period, files in (("day", daily), ("week", weekly)):
        paths = [Path(p) for p in (files["summary"], files["dashboard"], *files["csv"].values())]
        assert all(p.is_file() and p.is_relative_to(out / "reports" / period) for p in paths)
        assert Path(files["dashboard"]).name == "dashboard.html"
    assert reports["tallied"]["delivered"] > 0 and reports["tallied"]["failed"] == 0
    for upload in summary["files"]:
        local = [upload["upload"], upload["report"], upload["rejects"]]
        assert all(Path(p).is_file() and Path(p).is_relative_to(out) for p in local if p)


def test_the_reports_count_days_overdue_to_where_escalation_left_the_cases(demo):
    """Given the escalation's simulated days, When the week's report lists the overdue cases,
    Then it was generated at the escalation's end (not the wall clock's today), so every case
    it lists went overdue before then and its days overdue count to then; and every official
    listed is a named person (the directory's staff), never the unnamed "-" of inbound
    grievances."""
    summary, _ = demo
    report = json.loads(Path(summary["reports"]["weekly"]["summary"]).read_text())
    generated = dt.datetime.fromisoformat(report["generated_at"])
    assert generated == dt.datetime.fromisoformat(summary["escalation"]["ended_at"])
    assert report["overdue"], "the demo's escalation leaves cases overdue at the CM's office"
    for case in report["overdue"]:
        since = dt.datetime.fromisoformat(case["since"].replace("Z", "+00:00"))
        assert since <= generated
        assert case["days_overdue"] == (generated - since).days
    assert all(o["official_id"] not in ("", "-") for o in report["officials"])
    assert all(o["official_name"] != o["official_id"] for o in report["officials"])


def test_demo_includes_the_callers_and_scheme_requests(demo):
    """Given the day's callers (the inbound IVR, issue 11), When the demo has run, Then calls
    were placed and counted with the scheme requests, the IVR's grievances are among the
    registered ones, and the scheme broadcast reached subscribers but not the one who left."""
    inbound = demo[0]["inbound"]
    ivr = inbound["ivr"]
    assert inbound["ivr_calls"] == ivr["ivr_calls"] > 0
    assert inbound["scheme_requests"] >= ivr["scheme_requests"] > 0
    assert 0 < ivr["grievances_registered"] < inbound["grievances_registered"]
    assert ivr["status_told"] == ivr["status_lookups"]
    assert (ivr["scheme_broadcast_sent"], ivr["scheme_broadcast_opted_out"]) == (2, 1)


def _lake_query(capsys, lake: str, *args: str) -> list[dict]:
    from samvad.cli import main

    capsys.readouterr()
    code = main(["query", *args, "--lake", lake, "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return [json.loads(line) for line in out.splitlines()]


def test_the_lake_query_gives_the_figures_of_the_demo_reports(demo, capsys):
    """Given the demo's run (its lake exported by the real lake function), When `samvad query`
    runs over OUT/lake for the report's day, Then the responses, assessable and satisfied
    responses per service, the visits sampled and the cases opened equal the daily report's:
    the feedback cases its totals count, and the grievance cases its inbound section counts
    apart."""
    summary, out = demo
    lake = summary["lake"]
    assert lake["buffered"]["failed"] == 0 and lake["files"] > 0
    assert Path(lake["root"]) == out / "lake"
    (day, files), *_ = summary["reports"]["daily"].items()
    report = json.loads(Path(files["summary"]).read_text())
    assert day in lake["days"]
    rows = _lake_query(
        capsys, lake["root"], "--saved", "satisfaction_by_service",
        "--param", f"from_date={day}", "--param", f"to_date={day}",
    )  # fmt: skip
    from_lake: dict[str, list[int]] = {}
    for row in rows:
        counts = from_lake.setdefault(row["service"], [0, 0, 0])
        for i, name in enumerate(("responses", "assessable", "satisfied")):
            counts[i] += row[name]
    from_report: dict[str, list[int]] = {}
    for row in report["services"]:
        counts = from_report.setdefault(row["service"], [0, 0, 0])
        for i, name in enumerate(("responses", "assessable", "satisfied")):
            counts[i] += row[name]
    from_report = {k: v for k, v in from_report.items() if v[0]}
    assert from_lake == from_report and sum(v[0] for v in from_lake.values()) > 0
    [totals] = _lake_query(
        capsys, lake["root"],
        f"SELECT (SELECT count(*) FROM samples WHERE \"date\" = '{day}') AS sampled, "
        f"(SELECT count(*) FILTER (case_type = 'feedback') FROM case_events "
        f"WHERE event = 'opened' AND \"date\" = '{day}') AS cases_opened, "
        f"(SELECT count(*) FILTER (case_type = 'grievance') FROM case_events "
        f"WHERE event = 'opened' AND \"date\" = '{day}') AS grievance_cases_opened",
    )  # fmt: skip
    assert totals["sampled"] == report["totals"]["sampled"] > 0
    assert totals["cases_opened"] == report["totals"]["cases_opened"] > 0
    assert totals["grievance_cases_opened"] == report["inbound"]["totals"]["cases_opened"] > 0
