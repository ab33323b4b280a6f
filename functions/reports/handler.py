"""Reports: domain events (via SQS) → tallies; a schedule or request → the period's report."""

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.logs import logger_for
from samvad.reports.wiring import report_for_event, tally_messages

logger = logger_for("reports")
metrics = telemetry.metrics_for("reports")
tracer = telemetry.tracer_for("reports")


@tracer.capture_method(capture_response=False)
def tally_batch(batch: SQSEvent) -> dict:
    """The batch's events tallied in one write; the messages that failed go back to the queue
    (built here: Powertools' BatchProcessor hands records over one at a time)."""
    records = list(batch.records)
    failures = []
    for record, tallied in zip(records, tally_messages([r.body for r in records]), strict=True):
        if "error" in tallied:
            logger.warning("not tallied", extra={"message_id": record.message_id, **tallied})
            failures.append({"itemIdentifier": record.message_id})
        else:
            telemetry.count_tally(metrics, tallied)
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:  # the domain events' queue
        return tally_batch(SQSEvent(event))
    return report_for_event(event)  # EventBridge Scheduler, or `samvad report`
