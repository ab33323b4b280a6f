"""The reports' local routing: the tally rule's queue, delivered to the reports handler.

On AWS an EventBridge rule sends the tallied domain events to an SQS queue that triggers the
reports function; locally the rule targets the same queue (``samvad_dev.local.provision``) and
``pump_reports`` delivers it as Lambda's event source would (``samvad_dev.local.pump``).
"""

from __future__ import annotations

from typing import Any

from samvad import resources


def pump_reports(cloud: Any) -> dict:
    """Deliver the reports queue to the reports handler until it is empty (or only failures
    remain); returns counts of messages delivered and failed."""
    queue = cloud.queue(cloud.names.reports_queue, "reports", resources.EVENTS_BATCH_SIZE)
    counts = queue.drain()
    return {"delivered": counts["delivered"] + counts["failed"], "failed": counts["failed"]}
