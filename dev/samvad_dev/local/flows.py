"""Flows through the local stack that the CLI, the demo and the end-to-end tests share."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad_dev.local.cloud import LocalCloud


def ingest_files(
    cloud: LocalCloud, files: list[Path], department: str, aliases: dict | None = None
) -> Iterator[dict]:
    """Upload each file in order through S3 and yield its intake report (from its event)."""
    if aliases:
        DynamoConfig(cloud.env[resources.CONFIG.env_var]).publish(
            f"intake/{department}", {"aliases": aliases}
        )
    for path in files:
        key = cloud.upload(path, department)
        cloud.pump()
        reports = [
            e["detail"]
            for e in cloud.domain_events(resources.INTAKE_COMPLETED)
            if e["detail"]["key"] == key
        ]
        if reports:
            yield reports[-1]
        else:  # already ingested (identical bytes at the same key): its stored report
            yield _stored_report(cloud, key)


def _stored_report(cloud: LocalCloud, key: str) -> dict:
    report_key = resources.INTAKE_REPORTS_PREFIX + key.removeprefix(resources.UPLOADS_PREFIX)
    try:
        body = cloud.client("s3").get_object(Bucket=cloud.names.bucket, Key=f"{report_key}.json")
    except cloud.client("s3").exceptions.NoSuchKey:
        raise RuntimeError(f"{key} was not ingested: see the log above") from None
    return json.loads(body["Body"].read())


def sample_day(cloud: LocalCloud, run_date: dt.date) -> dict:
    """Fire the daily schedule for ``run_date``: the event EventBridge Scheduler would send
    (09:00 Asia/Kolkata is 03:30 UTC) goes to the real sampler handler."""
    stamp = f"{run_date.isoformat()}T03:30:00Z"
    return cloud.invoke("sampling", {"scheduled_time": stamp})


def verify_day(cloud: LocalCloud, run_date: dt.date) -> dict:
    from samvad.adapters.objects import S3Documents
    from samvad.adapters.visits import DynamoVisits
    from samvad.sampling.verify import verify

    return verify(
        run_date,
        DynamoVisits(cloud.env[resources.VISITS.env_var], cloud.client("dynamodb")),
        S3Documents(cloud.names.bucket, cloud.client("s3")),
    )


def download(cloud: LocalCloud, key: str, target: Path) -> str:
    """The bucket's object at ``key`` written to ``target``; its path. One GetObject:
    boto3's ``download_file`` heads the object first and starts a transfer manager (a pool
    of threads) for every file, twice the CPU for the demo's hundreds of report pages."""
    target.parent.mkdir(parents=True, exist_ok=True)
    body = cloud.client("s3").get_object(Bucket=cloud.names.bucket, Key=key)["Body"]
    target.write_bytes(body.read())
    return str(target)


def queued_messages(cloud: LocalCloud, queue: str) -> int:
    attributes = cloud.client("sqs").get_queue_attributes(
        QueueUrl=cloud.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])
