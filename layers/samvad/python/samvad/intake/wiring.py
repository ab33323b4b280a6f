"""Build the intake use case's ports from settings, and read uploads out of queue messages."""

from __future__ import annotations

import functools
import json

from samvad.adapters.config import DynamoConfig
from samvad.adapters.directory import DynamoDirectory
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.objects import S3ObjectStore
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.strata import DynamoStrata
from samvad.adapters.uploads import DynamoLedger
from samvad.adapters.visits import DynamoVisits
from samvad.intake.service import IntakePorts, Upload, ingest
from samvad.settings import IntakeSettings


@functools.cache
def intake_ports(settings: IntakeSettings) -> IntakePorts:
    """One set of clients per warm Lambda environment."""
    return IntakePorts(
        objects=S3ObjectStore(),
        visits=DynamoVisits(settings.visits_table),
        ledger=DynamoLedger(settings.uploads_table, retention_days=settings.retention_days),
        directory=DynamoDirectory(settings.directory_table),
        events=EventBridgePublisher(settings.event_bus),
        config=DynamoConfig(settings.config_table),
        strata=DynamoStrata(settings.strata_table, retention_days=settings.retention_days),
        hash_key=secret_bytes(settings.phone_hash_secret_id),
        sampling_key=secret_bytes(settings.sampling_secret_id),
        retention_days=settings.retention_days,
    )


def uploads_in_message(body: str) -> list[Upload]:
    """The uploads named by an SQS message: an S3 notification, or S3's event via EventBridge.

    S3's ``s3:TestEvent`` (sent when a notification is configured) names none.
    """
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return []
    if "Records" in message:
        return [
            Upload.from_s3_record(r)
            for r in message["Records"]
            if r.get("eventSource") == "aws:s3"
            and r.get("eventName", "").startswith("ObjectCreated")
        ]
    if message.get("source") == "aws.s3" and message.get("detail-type") == "Object Created":
        detail = message["detail"]
        obj = detail["object"]
        return [
            Upload(
                bucket=detail["bucket"]["name"],
                key=obj["key"],
                version_id=obj.get("version-id"),
                etag=obj.get("etag"),
                size=obj.get("size"),
            )
        ]
    raise ValueError("message is neither an S3 notification nor an S3 EventBridge event")


def ingest_message(body: str, settings: IntakeSettings) -> list[dict]:
    """Ingest every upload a queue message names; returns their intake reports."""
    ports = intake_ports(settings)
    return [ingest(upload, ports) for upload in uploads_in_message(body)]
