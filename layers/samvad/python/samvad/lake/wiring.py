"""The lake function's composition: ports from the environment, one call per event kind."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Sequence
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.lake import S3FactBuffer, S3Partitions, S3Selections
from samvad.batches import parsed
from samvad.lake.export import buffer_events, export_day
from samvad.lake.facts import IST
from samvad.lake.ports import LakePorts
from samvad.logs import logger_for

log = logger_for("lake")


@functools.cache
def ports_from_env() -> LakePorts:
    """Built once per process (as a Lambda container keeps it), on one S3 client."""
    bucket = os.environ[resources.DATA_BUCKET_ENV]
    s3 = make_client("s3")
    return LakePorts(S3FactBuffer(bucket, s3), S3Partitions(bucket, s3), S3Selections(bucket, s3))


def buffer_messages(bodies: Sequence[str], ports: LakePorts | None = None) -> list[dict]:
    """A batch of SQS message bodies (EventBridge events) → their facts in the buffer, in one
    write per table and day; per body what ``buffer_events`` says (a body that is not JSON:
    an error, to redeliver)."""
    return buffer_events([parsed(body) for body in bodies], ports or ports_from_env())


def days_for(event: dict[str, Any]) -> list[dt.date]:
    """``{"date": D}`` → [D]; a schedule's ``scheduled_time`` → the ``LAKE_EXPORT_DAYS`` India
    days ending yesterday (late facts of the days before are picked up on the next runs)."""
    if event.get("date"):
        return [dt.date.fromisoformat(str(event["date"]))]
    stamp = str(event["scheduled_time"]).replace("Z", "+00:00")
    today = dt.datetime.fromisoformat(stamp).astimezone(IST).date()
    return [today - dt.timedelta(days=n) for n in range(resources.LAKE_EXPORT_DAYS, 0, -1)]


def export_for_event(event: dict[str, Any], ports: LakePorts | None = None) -> dict[str, Any]:
    """Export each day the event names; the result lists rows per table per day."""
    ports = ports or ports_from_env()
    exported = [export_day(day, ports) for day in days_for(event)]
    for result in exported:
        log.info("lake day exported", extra={"date": result["date"], "rows": result["rows"]})
    return {"exported": exported}
