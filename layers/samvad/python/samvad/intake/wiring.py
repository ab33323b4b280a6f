"""Build the intake use case's ports from settings, and read uploads out of queue messages."""

from __future__ import annotations

import dataclasses
import functools
import json

from samvad.adapters import aws
from samvad.adapters.config import DynamoConfig
from samvad.adapters.directory import DynamoDirectory
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.objects import S3ObjectStore
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.state_machine import StepFunctionsChunks
from samvad.adapters.strata import DynamoStrata
from samvad.adapters.uploads import DynamoLedger
from samvad.adapters.visits import DynamoVisits
from samvad.intake.chunk import ingest_chunk
from samvad.intake.chunking import Chunking
from samvad.intake.reduce import fail, reduce
from samvad.intake.service import IntakePorts, Upload, ingest
from samvad.intake.split import split
from samvad.settings import IntakeSettings


@functools.cache
def intake_ports(settings: IntakeSettings) -> IntakePorts:
    """One set of clients per warm Lambda environment."""
    return IntakePorts(
        objects=S3ObjectStore(),
        visits=_visits(settings),
        ledger=DynamoLedger(settings.uploads_table, retention_days=settings.retention_days),
        directory=DynamoDirectory(settings.directory_table, retention_days=settings.retention_days),
        events=EventBridgePublisher(settings.event_bus),
        config=DynamoConfig(settings.config_table),
        strata=DynamoStrata(settings.strata_table, retention_days=settings.retention_days),
        hash_key=secret_bytes(settings.phone_hash_secret_id),
        sampling_key=secret_bytes(settings.sampling_secret_id),
        retention_days=settings.retention_days,
        write_workers=settings.write_workers,
    )


def _visits(settings: IntakeSettings) -> DynamoVisits:
    """The Visits table through one client with a connection for each writer thread."""
    connections = max(10, settings.write_workers + 2)
    return DynamoVisits(settings.visits_table, aws.client("dynamodb", connections=connections))


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
    ports = routed_ports(settings)
    return [ingest(upload, ports) for upload in uploads_in_message(body)]


# -- the chunked path ---------------------------------------------------------------------------


def chunking_from(settings: IntakeSettings) -> Chunking:
    """``INTAKE_CHUNK_ROWS`` (rows per chunk; lowers the threshold to that many rows) and
    ``INTAKE_CHUNK_BYTES`` (the threshold); unset: the defaults of ``Chunking``."""
    chunking = Chunking.for_rows(settings.chunk_rows) if settings.chunk_rows else Chunking()
    if settings.chunk_bytes:
        chunking = dataclasses.replace(chunking, threshold_bytes=settings.chunk_bytes)
    return chunking


def routed_ports(settings: IntakeSettings) -> IntakePorts:
    """The intake ports with the chunked path: Step Functions when its state machine is
    configured, else in-process (locally)."""
    arn = settings.chunks_state_machine_arn
    return dataclasses.replace(
        intake_ports(settings),
        chunking=chunking_from(settings),
        chunked=StepFunctionsChunks(arn) if arn else None,
    )


@functools.cache
def chunk_ports(settings: IntakeSettings) -> IntakePorts:
    """Ports for the chunk and reduce functions: they never hash a phone number, so they do
    not read the secrets (and may not)."""
    return IntakePorts(
        objects=S3ObjectStore(),
        visits=_visits(settings),
        ledger=DynamoLedger(settings.uploads_table, retention_days=settings.retention_days),
        directory=DynamoDirectory(settings.directory_table, retention_days=settings.retention_days),
        events=EventBridgePublisher(settings.event_bus),
        config=DynamoConfig(settings.config_table),
        strata=DynamoStrata(settings.strata_table, retention_days=settings.retention_days),
        hash_key=b"",
        sampling_key=b"",
        retention_days=settings.retention_days,
        write_workers=settings.write_workers,
    )


def split_event(event: dict, settings: IntakeSettings) -> dict:
    """State machine input ``{"upload": …, "chunking": …}`` → the split's reference."""
    chunking = Chunking(**event["chunking"]) if event.get("chunking") else Chunking()
    return split(Upload(**event["upload"]), intake_ports(settings), chunking)


def chunk_event(item: dict, settings: IntakeSettings) -> dict:
    """One Distributed Map item → that chunk's result."""
    return ingest_chunk(item, chunk_ports(settings))


def reduce_event(event: dict, settings: IntakeSettings) -> dict:
    """The split's reference → the intake report; with ``error`` (the catch), the failure."""
    upload = Upload(**event["upload"])
    if "error" in event:
        error = event["error"] or {}
        return fail(
            upload, chunk_ports(settings), error.get("Error", "Error"), error.get("Cause", "")
        )
    return reduce(upload, chunk_ports(settings))
