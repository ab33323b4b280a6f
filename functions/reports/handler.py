"""Reports: domain events (via SQS) → tallies; a schedule or request → the period's report."""

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.batches import item_failures
from samvad.logs import logger_for
from samvad.reports.wiring import report_for_event, tally_messages

logger = logger_for("reports")
metrics = telemetry.metrics_for("reports")
tracer = telemetry.tracer_for("reports")


@tracer.capture_method(capture_response=False)
def tally_batch(batch: SQSEvent) -> dict:
    """The batch's events tallied in one write; the messages that failed go back."""
    records = list(batch.records)
    tallied = tally_messages([r.body for r in records])
    telemetry.count_tallies(metrics, tallied)
    return item_failures([r.message_id for r in records], tallied, logger)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:  # the domain events' queue
        return tally_batch(SQSEvent(event))
    return report_for_event(event)  # EventBridge Scheduler, or `samvad report`
