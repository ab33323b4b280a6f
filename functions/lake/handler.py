"""Lake: domain events (via SQS) → the fact buffer; the daily schedule → Parquet partitions."""

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.lake.wiring import buffer_message, export_for_event
from samvad.logs import logger_for

logger = logger_for("lake")
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> dict:
    return buffer_message(record.body)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:  # the domain events' queue
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return export_for_event(event)  # EventBridge Scheduler, or {"date": "YYYY-MM-DD"}
