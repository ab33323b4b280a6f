"""Grievance voice messages: a queued ``GrievanceRegistered`` (with ``has_voice``) → the
contact's recording copied from Amazon Connect's bucket into the case (``cases/…``), encrypted
with the stack's key. A recording or case not there yet is retried (the record fails)."""

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.grievances.wiring import copy_voice_message
from samvad.logs import logger_for
from samvad.settings import GrievanceVoiceSettings

logger = logger_for("grievance_voice")
tracer = telemetry.tracer_for("grievance_voice")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> str:
    outcome = copy_voice_message(record.body, GrievanceVoiceSettings.from_env())
    logger.info("voice message", extra={"outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
