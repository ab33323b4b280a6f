"""Build the reports' ports from the environment; route a Lambda event to its use case."""

from __future__ import annotations

import functools
import json
import os

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.objects import S3Documents, S3ReportFiles
from samvad.adapters.tallies import DynamoTallies
from samvad.adapters.topics import SnsNotifier
from samvad.adapters.visits import DynamoVisits
from samvad.reports.service import ReportPorts, record_event, run_report

DEFAULT_LINK_SECONDS = 7 * 86400


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


@functools.cache
def _ports(environment: tuple[tuple[str, str], ...]) -> ReportPorts:
    env = dict(environment)
    bucket = env[resources.DATA_BUCKET_ENV]
    return ReportPorts(
        tallies=DynamoTallies(
            env[resources.TALLIES.env_var],
            retention_days=int(env.get(resources.RETENTION_DAYS_ENV) or 400),
        ),
        selections=S3Documents(bucket),
        visits=DynamoVisits(env[resources.VISITS.env_var]),
        files=S3ReportFiles(
            bucket,
            link_seconds=int(env.get(resources.REPORTS_LINK_SECONDS_ENV) or DEFAULT_LINK_SECONDS),
        ),
        notifier=SnsNotifier(env[resources.REPORTS_TOPIC_ENV]),
        config=DynamoConfig(env[resources.CONFIG.env_var]),
    )


def report_ports() -> ReportPorts:
    """Ports for the current environment (cached per distinct environment)."""
    names = (
        resources.DATA_BUCKET_ENV, resources.TALLIES.env_var, resources.VISITS.env_var,
        resources.REPORTS_TOPIC_ENV, resources.CONFIG.env_var,
    )  # fmt: skip
    optional = (resources.RETENTION_DAYS_ENV, resources.REPORTS_LINK_SECONDS_ENV)
    env = {name: _need(name) for name in names}
    env |= {name: os.environ[name] for name in optional if os.environ.get(name)}
    return _ports(tuple(sorted(env.items())))


def tally_message(body: str) -> dict:
    """One SQS message body (an EventBridge event delivered by the rule) → tallies."""
    return record_event(json.loads(body), report_ports())


def report_for_event(event: dict) -> dict:
    """A schedule's or an operator's request → the report."""
    return run_report(event, report_ports())
