"""`samvad demo` end to end: the synthetic day's ground truth is what intake reports."""

import json

import pytest

from samvad.demo.run import run_demo

pytestmark = pytest.mark.e2e


def test_demo_accounts_for_every_injected_mistake(tmp_path):
    """Given a synthetic day with known injected mistakes and one legacy .xls, When the demo
    runs it through the local stack, Then every mistaken row is rejected, every repeated row
    is a duplicate, the .xls is quarantined, a replayed event changes nothing, and
    summary.json says so."""
    summary = run_demo(visits=400, seed=3, out=tmp_path)

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
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    formats = {f["format"] for f in summary["files"] if not f["quarantined"]}
    assert formats == {"csv", "xlsx", "jsonl"}


def test_demo_samples_verifiably(tmp_path):
    """Given the demo day, When the schedule fires today (twice) and on the next two days,
    Then the Chief Minister's office gets exactly 10 calls, every sampled visit is queued once
    for dispatch, the rerun changes nothing, and the sample verifies from the revealed secrets."""
    sampling = run_demo(visits=400, seed=5, out=tmp_path)["sampling"]
    run = sampling["run"]
    assert run["by_caller"]["cmo"] == 10
    assert run["sampled"] == sum(run["by_channel"].values()) == sampling["dispatch_messages_queued"]
    assert set(run["by_channel"]) == {"official_call", "ivr_call", "sms"}
    assert sampling["rerun_changed_nothing"] is True
    verification = sampling["verification"]
    assert verification["ok"] and verification["verifiable"]
    assert verification["visits_checked"] >= run["sampled"]
