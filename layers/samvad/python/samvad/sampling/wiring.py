"""Build the sampler's ports from settings, and read the run date out of a schedule event."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from samvad.adapters.call_lists import DynamoCallLists
from samvad.adapters.config import DynamoConfig
from samvad.adapters.contacts import DynamoContacts
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.objects import S3Documents
from samvad.adapters.queues import SqsDispatcher
from samvad.adapters.sampling_runs import DynamoRuns
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.strata import DynamoStrata
from samvad.adapters.visits import DynamoVisits
from samvad.sampling.service import SamplerPorts, run_sampler
from samvad.settings import SamplingSettings

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")


@functools.cache
def sampler_ports(settings: SamplingSettings) -> SamplerPorts:
    """One set of clients per warm Lambda environment."""
    return build_sampler_ports(settings)


def _own_client(service: str) -> Any:
    return None  # each adapter makes its own


def build_sampler_ports(
    settings: SamplingSettings, client: Callable[[str], Any] = _own_client
) -> SamplerPorts:
    """The sampler's ports over the stack's resources. ``client(service)`` may supply the
    clients (the bench counts DynamoDB reads through its own)."""
    days = settings.retention_days
    dynamodb = client("dynamodb")
    visits = DynamoVisits(settings.visits_table, dynamodb)
    return SamplerPorts(
        strata=DynamoStrata(settings.strata_table, dynamodb, retention_days=days),
        index=visits,
        contacts=DynamoContacts(settings.contacts_table, dynamodb, retention_days=days),
        visits=visits,
        call_lists=DynamoCallLists(settings.call_lists_table, dynamodb, retention_days=days),
        runs=DynamoRuns(settings.sampling_runs_table, dynamodb),
        documents=S3Documents(settings.data_bucket, client("s3")),
        dispatch=SqsDispatcher(settings.dispatch_queue_url, client("sqs")),
        events=EventBridgePublisher(settings.event_bus, client("events")),
        config=DynamoConfig(settings.config_table, dynamodb),
        sampling_key=secret_bytes(settings.sampling_secret_id, client("secretsmanager")),
    )


def run_date_of(event: dict, now: dt.datetime | None = None) -> dt.date:
    """The run date: ``run_date`` if given (a manual rerun), else the schedule's time in IST."""
    if event.get("run_date"):
        return dt.date.fromisoformat(event["run_date"])
    stamp = event.get("scheduled_time")
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else now
    return (when or dt.datetime.now(dt.UTC)).astimezone(IST).date()


def sample_for_event(event: dict, settings: SamplingSettings) -> dict:
    return run_sampler(run_date_of(event), sampler_ports(settings))
