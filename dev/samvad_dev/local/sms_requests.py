"""The grievance SMS the workspace requests, locally: the rule's queue → the feedback handler.

On AWS a rule on the bus sends ``GrievanceSmsRequested`` to an SQS queue that triggers the
feedback function (``infra.constructs.feedback``); locally the rule targets the same queue
(``samvad_dev.local.provision``) and ``pump_sms_requests`` delivers it as Lambda's event
source would (``samvad_dev.local.pump``).
"""

from __future__ import annotations

from typing import Any


def pump_sms_requests(cloud: Any) -> dict:
    """Deliver the SMS-requests queue to the feedback handler until it is empty (or only
    failures remain); returns counts of requests delivered and failed."""
    counts = cloud.queue(cloud.names.sms_requests_queue, "feedback").drain()
    return {"delivered": counts["delivered"] + counts["failed"], "failed": counts["failed"]}
