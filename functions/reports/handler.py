"""Reports: domain events (via SQS) → tallies; a schedule or request → the period's report."""

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.logs import logger_for
from samvad.reports.wiring import report_for_event, tally_message

logger = logger_for("reports")
metrics = telemetry.metrics_for("reports")
tracer = telemetry.tracer_for("reports")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> dict:
    tallied = tally_message(record.body)
    telemetry.count_tally(metrics, tallied)
    return tallied


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:  # the domain events' queue
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return report_for_event(event)  # EventBridge Scheduler, or `samvad report`
