"""Dispatch: dispatch-queue messages → calls (Amazon Connect) and SMS (SNS), paced and polite.

The same queue carries Amazon Connect's DISCONNECTED contact events for our calls (an
EventBridge rule targets it), which decide retries and the SMS fallback.
"""

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.dispatch.wiring import handle_queue_message
from samvad.logs import logger_for
from samvad.settings import DispatchSettings

logger = logger_for("dispatch")
metrics = telemetry.metrics_for("dispatch")
tracer = telemetry.tracer_for("dispatch")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> str:
    result = handle_queue_message(record.body, DispatchSettings.from_env())
    logger.info("dispatch step", extra={"status": result.status, "attempt": result.attempt})
    telemetry.count_dispatch(metrics, result.status)
    return result.status


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
