"""The demo's inbound stream on the local stack: SMS and web grievances through the real
feedback function, each replayed, one folded, one garbage; cases opened by the real
escalation stage; nothing with a phone where officials read (issue 11)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from samvad import resources
from samvad_dev.demo.inbound import simulate_inbound
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.flows import ingest_files
from samvad_dev.local.reports import pump_reports

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("inbound")]


def test_the_inbound_stream_registers_one_case_per_grievance(tmp_path):
    csv = tmp_path / "health.csv"
    csv.write_text(
        "Mobile No,Date of Visit,Office Code,Office Name,Service,District,Language\n"
        "9876500001,22/11/2026,HLT-KHU-001,Capital Hospital,OPD,Khordha,or\n"
        "9876500002,22/11/2026,HLT-CTC-002,SCB Cuttack,IPD,Cuttack,hi\n"
    )
    with LocalCloud(stage="inbound") as cloud:
        list(ingest_files(cloud, [csv], "health"))
        run = simulate_inbound(cloud, seed=5, visits=10)
        assert run.counts["sms_messages"] == 6 and run.counts["web_forms"] == 2
        assert run.counts["grievance_folded"] == 1 and run.counts["grievance_not_understood"] == 1
        cloud.escalation.on_clock(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC))
        try:
            cloud.escalation.settle()
        finally:
            cloud.escalation.off_clock()
        tallied = pump_reports(cloud)
        assert tallied.get("failed", 0) == 0, tallied
        summary = run.summary(cloud)
        assert summary["grievances_registered"] == summary["cases"] == 6
        assert summary["forwarded_anonymously"] == 6 and summary["status_lookups"] == 4
        cases = cloud.client("dynamodb").scan(TableName=cloud.names.table(resources.CASES))
        flat = json.dumps(cases["Items"])
        assert all(phone[-10:] not in flat for phone in run.phones)
