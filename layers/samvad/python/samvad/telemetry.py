"""Business metrics (CloudWatch EMF, namespace ``Samvad``) and X-Ray tracing for the handlers.

The domain returns results; each handler hands them to one ``count_*`` function here, which
maps them to metrics. ``BUSINESS_METRICS`` names every metric with the service (the
``service`` dimension Powertools adds) that emits it: the CloudWatch dashboard is built from it.

EMF lines go to stderr: Lambda ships both streams to CloudWatch Logs, which reads EMF from any
log line, and stdout stays the command output of the CLI when the local runtime runs a handler
in-process. Outside Lambda (no ``AWS_LAMBDA_FUNCTION_NAME``: the local runtime, the demo)
they are dropped unless ``SAMVAD_METRICS_LOCAL=true``; ``POWERTOOLS_METRICS_DISABLED=true``
turns them off everywhere.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

NAMESPACE = "Samvad"
LOCAL_METRICS_ENV = "SAMVAD_METRICS_LOCAL"

VISITS_ACCEPTED = "VisitsAccepted"
VISITS_REJECTED = "VisitsRejected"
CONTACTS_SAMPLED = "ContactsSampled"
CALLS_PLACED = "CallsPlaced"
CALLS_ANSWERED = "CallsAnswered"
SMS_SENT = "SmsSent"
SMS_UNCONFIRMED = "SmsUnconfirmed"
FEEDBACK_RECORDED = "FeedbackRecorded"
CASES_OPENED = "CasesOpened"
CASES_ESCALATED = "CasesEscalated"
CASES_OVERDUE = "CasesOverdue"
CASES_RESOLVED = "CasesResolved"

BUSINESS_METRICS: Mapping[str, str] = {
    VISITS_ACCEPTED: "intake",
    VISITS_REJECTED: "intake",
    CONTACTS_SAMPLED: "sampling",
    CALLS_PLACED: "dispatch",
    CALLS_ANSWERED: "dispatch",
    SMS_SENT: "dispatch",
    SMS_UNCONFIRMED: "dispatch",
    FEEDBACK_RECORDED: "feedback",
    CASES_OPENED: "reports",
    CASES_ESCALATED: "reports",
    CASES_OVERDUE: "reports",
    CASES_RESOLVED: "reports",
}
"""Metric name → the service that emits it (its ``service`` dimension)."""

DISPATCH_STATUSES = {
    "call_placed": CALLS_PLACED,
    "answered": CALLS_ANSWERED,
    "sms_sent": SMS_SENT,
    "sms_unconfirmed": SMS_UNCONFIRMED,
}
"""notify's ``Result.status`` → its metric (other statuses are not business figures)."""
CASE_EVENTS = {
    "CaseOpened": CASES_OPENED,
    "CaseEscalated": CASES_ESCALATED,
    "CaseOverdue": CASES_OVERDUE,
    "CaseResolved": CASES_RESOLVED,
}
"""A case event tallied for the first time (reports) → its metric: counted once per event."""
FEEDBACK_STATUSES = {"recorded"}


class _StderrEmf(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider, printing to stderr (see the module's docstring)."""

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        with contextlib.redirect_stdout(sys.stderr):  # a full set, printed by Powertools itself
            super().add_metric(*args, **kwargs)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if not self.metric_set and not raise_on_empty_metrics:
            return  # an invocation with nothing to count (a page view, a duplicate)
        if not (os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or _local_metrics()):
            self.clear_metrics()  # the local runtime: no CloudWatch to read them
            return
        with contextlib.redirect_stdout(sys.stderr):
            super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)


def _local_metrics() -> bool:
    return os.environ.get(LOCAL_METRICS_ENV, "").lower() == "true"


def metrics_for(service: str) -> Metrics:
    """The handler's EMF metrics in ``NAMESPACE`` with the ``service`` dimension; its own
    metric set (Powertools shares one per process, and the local runtime runs every handler
    in one process)."""
    provider = _StderrEmf(
        namespace=NAMESPACE,
        service=service,
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
    )
    return Metrics(namespace=NAMESPACE, service=service, provider=provider)


def tracer_for(service: str) -> Tracer:
    """The handler's X-Ray tracer (disabled outside Lambda, as Powertools decides)."""
    return Tracer(service=service)


def _add(metrics: Metrics, name: str, value: float) -> None:
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_intake(metrics: Metrics, reports: Iterable[Mapping[str, Any]], *, since: str) -> None:
    """Intake reports → visits accepted and rejected. A report that started before ``since``
    (the invocation's start, ISO-8601 UTC) is an earlier ingestion's, returned for a replayed
    event: it counts nothing."""
    for report in reports:
        if str(report.get("started_at") or "") < since:
            continue
        _add(metrics, VISITS_ACCEPTED, int(report.get("accepted") or 0))
        _add(metrics, VISITS_REJECTED, int(report.get("rejected") or 0))


def count_sampling(metrics: Metrics, summary: Mapping[str, Any]) -> None:
    """The sampling run's summary → contacts sampled. A rerun for a completed day returns the
    same summary, and counts it again (reruns are rare and logged)."""
    _add(metrics, CONTACTS_SAMPLED, int(summary.get("sampled") or 0))


def count_dispatch(metrics: Metrics, status: str) -> None:
    """One notify step → call placed, call answered, SMS sent or SMS of unknown fate."""
    if status in DISPATCH_STATUSES:
        _add(metrics, DISPATCH_STATUSES[status], 1)


def count_feedback(metrics: Metrics, statuses: Iterable[str]) -> None:
    """Feedback outcomes (``recorded``, ``duplicate``, ``opted_out`` …) → feedback recorded:
    survey answers and confirmations stored for the first time."""
    _add(metrics, FEEDBACK_RECORDED, sum(1 for s in statuses if s in FEEDBACK_STATUSES))


def count_tallies(metrics: Metrics, tallied: Iterable[Mapping[str, Any]]) -> None:
    """A batch's tallied domain events → their case metrics, each event the first time it is
    tallied only; one value per metric (a batch holds up to 100 events, and a metric with 100
    values is printed by Powertools there and then)."""
    counts: dict[str, int] = {}
    for result in tallied:
        name = CASE_EVENTS.get(str(result.get("detail_type")))
        if name and int(result.get("applied") or 0) > 0:
            counts[name] = counts.get(name, 0) + 1
    for name, count in sorted(counts.items()):
        _add(metrics, name, count)


def feedback_statuses(kind: str, event: Mapping[str, Any], result: Any) -> list[str]:
    """What the feedback function's route returned, as outcome words: Connect's
    ``{"status": …}``, one word per SMS reply, and for the web form (``/f/…``) a stored answer
    when a POST is thanked (200; a repeat is 409, a bad form 400)."""
    if kind == "connect":
        return [str(result.get("status", ""))]
    if kind == "sms":
        return [str(status) for status in result]
    if kind == "web":
        method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", ""))
        form = str(event.get("rawPath") or "").startswith("/f/")  # not an official's /atr/
        posted = form and method.upper() == "POST" and result.get("statusCode") == 200
        return ["recorded"] if posted else []
    return []
