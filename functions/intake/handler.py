"""Intake: S3 ObjectCreated (via SQS) → validated visits in DynamoDB, rejects and a report."""

import datetime as dt

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.intake.wiring import ingest_message
from samvad.logs import logger_for
from samvad.settings import IntakeSettings

logger = logger_for("intake")
metrics = telemetry.metrics_for("intake")
tracer = telemetry.tracer_for("intake")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> list[dict]:
    since = dt.datetime.now(dt.UTC).isoformat()
    reports = ingest_message(record.body, IntakeSettings.from_env())
    telemetry.count_intake(metrics, reports, since=since)
    return reports


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
