"""The escalation demo driver on the local stack: simulated officials and citizens."""

import pytest

from samvad.demo.escalation import run_escalation
from samvad.local.cloud import LocalCloud
from tests.escalation_support import feedback_poor, put_visit

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("escalation")]


def test_run_escalation_settles_every_case_and_reports_per_level():
    """Given eight poor-feedback details from two offices, When run_escalation simulates
    officials and citizens, Then every case ends resolved or overdue at the CM office, and the
    summary's counts add up (opened = resolved + overdue; resolutions only after ATRs)."""
    details = []
    for n in range(8):
        detail = feedback_poor(f"v-demo-{n}")
        if n % 2:
            detail.update(office_code="REV-CTC-002", district="Cuttack", department="revenue")
        details.append(detail)
    with LocalCloud(stage="escdemo") as cloud:
        for detail in details:
            put_visit(cloud, detail["visit_key"])
        summary = run_escalation(cloud, details + details[:2], seed=7)
    assert summary["all_settled"] is True
    assert summary["cases_opened"] == 8
    assert summary["resolved"] + summary["overdue"] == 8 and summary["still_open"] == 0
    assert sum(summary["resolved_per_level"].values()) == summary["resolved"]
    # only a citizen's confirmation closes a case (a late one, under load, does not)
    assert summary["atrs_filed"] >= summary["citizen_resolved"] >= summary["resolved"]
