"""`samvad demo --faults`: a day with failing AWS calls ends with the figures of a clean day."""

import datetime as dt
import json
from pathlib import Path

import pytest

from samvad_dev.demo.run import run_demo

pytestmark = [pytest.mark.e2e, pytest.mark.own_process, pytest.mark.xdist_group("demo")]

VISITS, SEED, RATE = 60, 7, 0.05
TODAY = dt.date(2026, 11, 30)  # the figures depend on the date as well as the seed

FIGURES = {
    "totals": None,
    "visits_in_table": None,
    "rejected_by_reason": None,
    "replayed_event_changed_nothing": None,
    "channels": None,
    "sampling": ("run", "rerun_changed_nothing", "dispatch_messages_queued", "verification"),
    "escalation": None,
}
"""What must not change: every count of the day (timings, paths and counts of deliveries,
which redelivery raises by design, are left out)."""
CONTACT_FIGURES = (
    "calls_placed",
    "calls_answered",
    "calls_unanswered",
    "sms_sent",
    "sms_replies",
    "web_forms_submitted",
    "opt_outs",
    "contacts_still_pending",
    "feedback",
    "feedback_by_rating",
    "feedback_by_channel",
    "poor_feedback_events",
)
REPORT_FILES = ("summary.json", "offices.csv", "officials.csv", "services.csv", "overdue.csv")


def _figures(summary: dict) -> dict:
    found = {}
    for key, parts in FIGURES.items():
        value = summary[key]
        found[key] = {p: value[p] for p in parts} if parts else value
    found["sampling"]["run"] = {
        k: v for k, v in found["sampling"]["run"].items() if k not in ("selection", "started_at")
    }
    found["escalation"] = {k: v for k, v in found["escalation"].items() if k != "seconds"}
    found["contacts"] = {k: summary["sampling"]["contacts"][k] for k in CONTACT_FIGURES}
    return found


def _report(path: str) -> object:
    """A report file's content, without the moment it was written."""
    text = Path(path).read_text(encoding="utf-8")
    if not path.endswith(".json"):
        return text
    document = json.loads(text)
    for key in ("generated_at", "generated_at_ist"):
        document.get("meta", document).pop(key, None)
    return json.dumps(document, sort_keys=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    clean = run_demo(visits=VISITS, seed=SEED, out=tmp_path_factory.mktemp("clean"), today=TODAY)
    faulty = run_demo(
        visits=VISITS,
        seed=SEED,
        out=tmp_path_factory.mktemp("faults"),
        faults=RATE,
        today=TODAY,
    )
    return clean, faulty


def test_a_day_with_failing_aws_calls_ends_with_the_figures_of_a_clean_day(runs):
    """Given the same seed and visits, When one demo runs clean and one with 5% of the
    functions' AWS calls failing (throttled, 5xx, or applied with the answer lost), Then
    the faults were injected in every kind and absorbed, and every figure is the same:
    visits, sample, calls, SMS (as SNS received them), feedback, cases, and the reports."""
    clean, faulty = runs
    faults = faulty["faults"]
    assert "faults" not in clean
    assert faults["injected"] > 50 and faults["retried"] > 0
    assert set(faults["injected_by_kind"]) == {"throttle", "server_error", "timeout_after_success"}
    assert {"dynamodb", "sqs", "s3", "eventbridge", "sfn"} <= set(faults["injected_by_service"])
    assert faults["dead_lettered"] == {}
    assert _figures(faulty) == _figures(clean)
    for period in ("daily", "weekly"):
        clean_files = clean["reports"][period]
        faulty_files = faulty["reports"][period]
        if period == "daily":
            (clean_files,), (faulty_files,) = clean_files.values(), faulty_files.values()
        paths = {Path(p).name: p for p in (clean_files["summary"], *clean_files["csv"].values())}
        other = {Path(p).name: p for p in (faulty_files["summary"], *faulty_files["csv"].values())}
        for name in REPORT_FILES:
            assert _report(other[name]) == _report(paths[name]), (period, name)
