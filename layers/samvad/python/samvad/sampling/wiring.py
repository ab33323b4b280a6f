"""Build the sampler's ports from settings, and read the run date out of a schedule event."""

from __future__ import annotations

import datetime as dt
import functools

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
from samvad.settings import Settings

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")


@functools.cache
def sampler_ports(settings: Settings) -> SamplerPorts:
    days = settings.retention_days
    return SamplerPorts(
        strata=DynamoStrata(settings.strata_table, retention_days=days),
        index=DynamoVisits(settings.visits_table),
        contacts=DynamoContacts(settings.contacts_table, retention_days=days),
        visits=DynamoVisits(settings.visits_table),
        call_lists=DynamoCallLists(settings.call_lists_table, retention_days=days),
        runs=DynamoRuns(settings.sampling_runs_table),
        documents=S3Documents(settings.data_bucket),
        dispatch=SqsDispatcher(settings.dispatch_queue_url),
        events=EventBridgePublisher(settings.event_bus),
        config=DynamoConfig(settings.config_table),
        sampling_key=secret_bytes(settings.sampling_secret_id),
    )


def run_date_of(event: dict, now: dt.datetime | None = None) -> dt.date:
    """The run date: ``run_date`` if given (a manual rerun), else the schedule's time in IST."""
    if event.get("run_date"):
        return dt.date.fromisoformat(event["run_date"])
    stamp = event.get("scheduled_time")
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else now
    return (when or dt.datetime.now(dt.UTC)).astimezone(IST).date()


def sample_for_event(event: dict, settings: Settings) -> dict:
    return run_sampler(run_date_of(event), sampler_ports(settings))
