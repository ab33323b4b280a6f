"""Escalation: FeedbackPoor / CaseConfirmation events and the state machine's SNS tasks
(via SQS) → the case clerk (open, assign, keep task tokens, confirmations).

Case figures (opened, escalated, overdue, resolved) are counted once per event where every
case event is tallied: the reports handler."""

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.escalation.wiring import escalation_ports, handle_message
from samvad.logs import logger_for

logger = logger_for("escalation")
tracer = telemetry.tracer_for("escalation")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> dict:
    result = handle_message(record.body, escalation_ports())
    logger.info("handled", extra={"case_id": result.get("case_id"), "result": result})
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
