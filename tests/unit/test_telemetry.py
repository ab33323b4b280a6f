"""Business metrics: how each stage's results map to counts (no AWS, no output)."""

from __future__ import annotations

from samvad import telemetry


def counted(count, *args, **kwargs) -> dict[str, float]:
    """What ``count(metrics, *args)`` adds, as {metric name: value}."""
    metrics = telemetry.metrics_for("test")
    count(metrics, *args, **kwargs)
    found = dict(metrics.provider.metric_set)
    metrics.clear_metrics()
    return {name: sum(entry["Value"]) for name, entry in found.items()}


def test_case_events_count_once_when_first_tallied():
    """Given a batch's tallied events, Then each case event counts when first applied and
    never on a repeat, other events and failed ones count nothing, and each metric is one
    value for the batch (120 cases opened: one value of 120, nothing printed)."""
    batch = [
        {"detail_type": "CaseOpened", "applied": 3},
        {"detail_type": "CaseOverdue", "applied": 1},
        {"detail_type": "CaseEscalated", "applied": 0},
        {"detail_type": "FeedbackRecorded", "applied": 2},
        {"detail_type": "CaseOpened", "error": "detail must be an object"},
    ]
    assert counted(telemetry.count_tallies, batch) == {"CasesOpened": 1, "CasesOverdue": 1}
    opened = [{"detail_type": "CaseOpened", "applied": 1}] * 120
    metrics = telemetry.metrics_for("test")
    telemetry.count_tallies(metrics, opened)
    assert metrics.provider.metric_set["CasesOpened"]["Value"] == [120.0]
    metrics.clear_metrics()


def test_dispatch_statuses_map_to_contacts():
    """Given notify's step results, Then placed and answered calls, sent and unconfirmed SMS
    count; deferrals, duplicates and the rest do not."""
    for status, metric in telemetry.DISPATCH_STATUSES.items():
        assert counted(telemetry.count_dispatch, status) == {metric: 1}
    for status in ("deferred", "duplicate", "retry_scheduled", "opted_out"):
        assert counted(telemetry.count_dispatch, status) == {}


def test_intake_counts_only_reports_of_this_invocation():
    """Given an intake report started now and one returned for a replay (started earlier),
    Then only the first counts."""
    reports = [
        {"started_at": "2026-11-30T02:00:01+00:00", "accepted": 5, "rejected": 2},
        {"started_at": "2026-11-29T10:00:00+00:00", "accepted": 7, "rejected": 1},
    ]
    since = "2026-11-30T02:00:00+00:00"
    assert counted(telemetry.count_intake, reports, since=since) == {
        "VisitsAccepted": 5,
        "VisitsRejected": 2,
    }


def test_every_business_metric_names_its_service():
    """The dashboard is built from BUSINESS_METRICS: every mapped metric is in it."""
    mapped = {*telemetry.DISPATCH_STATUSES.values(), *telemetry.CASE_EVENTS.values()}
    assert mapped <= set(telemetry.BUSINESS_METRICS)
    assert set(telemetry.BUSINESS_METRICS.values()) <= {
        "intake",
        "sampling",
        "dispatch",
        "feedback",
        "reports",
    }


def test_a_full_metric_set_never_reaches_stdout(capsys):
    """Given a metric given its 100th value in one invocation (Powertools then prints the set
    there and then), Then nothing reaches stdout, the command output of the local runtime."""
    metrics = telemetry.metrics_for("test")
    for _ in range(100):
        metrics.add_metric(name="Probe", unit="Count", value=1)
    metrics.clear_metrics()
    assert capsys.readouterr().out == ""
