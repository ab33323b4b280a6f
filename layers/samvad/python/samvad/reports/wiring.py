"""Build the reports' ports from the environment; route a Lambda event to its use case."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from samvad import clock
from samvad.adapters.config import DynamoConfig
from samvad.adapters.objects import S3Documents, S3ReportFiles
from samvad.adapters.tallies import DynamoTallies
from samvad.adapters.topics import SnsNotifier
from samvad.adapters.visits import DynamoVisits
from samvad.batches import parsed
from samvad.reports.service import ReportPorts, record_events, run_report
from samvad.settings import ReportsSettings


@functools.cache
def _ports(settings: ReportsSettings) -> ReportPorts:
    return ReportPorts(
        tallies=DynamoTallies(settings.tallies_table, retention_days=settings.retention_days),
        selections=S3Documents(settings.data_bucket),
        visits=DynamoVisits(settings.visits_table),
        files=S3ReportFiles(settings.data_bucket, link_seconds=settings.link_seconds),
        notifier=SnsNotifier(settings.reports_topic_arn),
        config=DynamoConfig(settings.config_table),
        clock=clock.now,  # the local runtime's simulated time when it sets one
    )


def report_ports() -> ReportPorts:
    """Ports for the current environment (cached per distinct settings)."""
    return _ports(ReportsSettings.from_env())


def tally_messages(bodies: Sequence[str]) -> list[dict]:
    """A batch of SQS message bodies → tallies in one write (``record_events``); per body
    its counts, or ``{"error": …}`` for one to redeliver (a body that is not JSON too)."""
    return record_events([parsed(body) for body in bodies], report_ports())


def report_for_event(event: dict) -> dict:
    """A schedule's or an operator's request → the report."""
    return run_report(event, report_ports())
