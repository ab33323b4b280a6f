"""The reports' local resources and routing: the tally rule's queue, pumped into the handler.

On AWS an EventBridge rule sends the tallied domain events to an SQS queue that triggers the
reports function. moto runs SQS targets only, and never triggers functions: ``pump_reports``
hands the queue's messages to the real handler as Lambda SQS batches, deleting those the
handler accepted and leaving failures on the queue, as AWS would.
"""

from __future__ import annotations

import json

from samvad import resources
from samvad.reports.tally import tally_pattern

TALLY_RULE = "reports-tallies"
BATCH = 10


def provision_reports(client, names) -> dict[str, str]:
    """Create the reports queue, its rule on the bus and the topic; return their env vars.

    Also makes moto's transactions cost what DynamoDB's do (see ``moto_speedups``)."""
    from samvad.local import moto_speedups
    from samvad.local.cloud import queue_arn

    moto_speedups.install()
    sqs = client("sqs")
    sqs.create_queue(QueueName=names.reports_queue, Attributes={"VisibilityTimeout": "600"})
    events = client("events")
    events.put_rule(
        Name=TALLY_RULE,
        EventBusName=names.bus,
        EventPattern=json.dumps(tally_pattern()),
    )
    events.put_targets(
        Rule=TALLY_RULE,
        EventBusName=names.bus,
        Targets=[{"Id": "reports", "Arn": queue_arn(names.reports_queue)}],
    )
    topic = client("sns").create_topic(Name=names.reports_topic)["TopicArn"]
    return {resources.REPORTS_TOPIC_ENV: topic}


def pump_reports(cloud, max_batches: int = 100_000) -> dict:
    """Deliver the reports queue to the reports handler until it is empty (or only failures
    remain); returns counts of messages delivered and failed."""
    from samvad.local.cloud import _sqs_event, queue_arn

    sqs = cloud.client("sqs")
    url = cloud.queue_urls[cloud.names.reports_queue]
    arn = queue_arn(cloud.names.reports_queue)
    delivered = failed = 0
    for _ in range(max_batches):
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=BATCH, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            break
        records = [_sqs_event(m, arn)["Records"][0] for m in messages]
        response = cloud.invoke("reports", {"Records": records})
        failures = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for message in messages:
            delivered += 1
            if message["MessageId"] in failures:
                failed += 1
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=3600
                )
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return {"delivered": delivered, "failed": failed}
