"""Lake: domain events (via SQS) → the fact buffer; the daily schedule → Parquet partitions."""

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.batches import item_failures
from samvad.lake.wiring import buffer_messages, export_for_event
from samvad.logs import logger_for

logger = logger_for("lake")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:  # the domain events' queue: one write per table and day
        records = list(SQSEvent(event).records)
        buffered = buffer_messages([r.body for r in records])
        return item_failures([r.message_id for r in records], buffered, logger)
    return export_for_event(event)  # EventBridge Scheduler, or {"date": "YYYY-MM-DD"}
