"""Reports through the local stack: bus → rule → queue → real handler → S3 reports."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from samvad_dev.demo.reports import publish_synthetic_week, run_reports
from samvad_dev.local.cloud import LocalCloud

pytestmark = pytest.mark.e2e
DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23)]


def test_run_reports_tallies_the_bus_and_writes_daily_and_weekly_reports(tmp_path) -> None:
    """Given contract-shaped events published on the local bus for two days, when run_reports
    runs (twice), then every event reaches the handler through the rule's queue and is tallied,
    each day has its report and the week ending on the last day has one, their files are in S3
    and copied under ``out``; the second run finds nothing left to tally and the same figures."""
    with LocalCloud(stage="e2e-reports") as cloud:
        published = publish_synthetic_week(cloud, DAYS, per_office=2)
        first = run_reports(cloud, DAYS, out=tmp_path)
        expected = published["contacts"] + published["feedback"]
        assert first["tallied"]["failed"] == 0
        assert first["tallied"]["delivered"] >= expected + published["cases"]
        assert set(first["daily"]) == {"2026-11-22", "2026-11-23"}
        assert first["weekly"]["summary"] == "reports/week/2026-11-17_2026-11-23/summary.json"
        s3 = cloud.client("s3")
        weekly = json.loads(
            s3.get_object(Bucket=cloud.names.bucket, Key=first["weekly"]["summary"])["Body"].read()
        )
        assert weekly["totals"]["responses"] == published["feedback"]
        assert weekly["totals"]["cases_opened"] == published["cases"]
        assert [c["case_id"] for c in weekly["overdue"]] == [
            f"case-{published['overdue_visit_key']}"
        ]
        assert all(
            (tmp_path / key).is_file() for key in first["daily"]["2026-11-23"]["csv"].values()
        )
        second = run_reports(cloud, DAYS)
        assert second["tallied"] == {"delivered": 0, "failed": 0}
        again = json.loads(
            s3.get_object(Bucket=cloud.names.bucket, Key=first["weekly"]["summary"])["Body"].read()
        )
        assert again["totals"] == weekly["totals"]
