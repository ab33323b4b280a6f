"""Lambda's SQS event source, locally: a queue's messages → a function, in batches.

moto stores queues but never triggers functions. ``QueueToFunction`` does what the event
source mapping does on AWS: gather up to ``batch_size`` messages, invoke the function with
them as one SQS event, delete the records it accepted and leave those it reported in
``batchItemFailures`` on the queue (hidden for ``retry_after`` seconds, as AWS hides them
for the visibility timeout), until the queue is empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samvad_dev.local.names import REGION, queue_arn

Invoke = Callable[[str, dict], dict]


def sqs_record(message: dict, queue: str) -> dict:
    """One received message as a record of the Lambda SQS event."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn(queue),
        "awsRegion": REGION,
    }


@dataclass(frozen=True)
class QueueToFunction:
    """Deliver ``queue`` (by name, at ``url``) to ``function`` through ``invoke``."""

    sqs: Any
    queue: str
    url: str
    function: str
    invoke: Invoke
    batch_size: int = 10
    retry_after: int = 3600

    def batch(self) -> Counter:
        """Receives (ten messages at most each, as SQS allows) until ``batch_size`` messages
        or the queue has no more, then one invocation; counts ``delivered`` and ``failed``
        records."""
        messages: list[dict] = []
        while len(messages) < self.batch_size:
            received = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                AttributeNames=["All"],
            ).get("Messages", [])
            messages += received
            if not received:
                break
        counts: Counter = Counter()
        if not messages:
            return counts
        response = self.invoke(
            self.function, {"Records": [sqs_record(m, self.queue) for m in messages]}
        )
        failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                    for n, m in enumerate(done[start : start + 10])
                ],
            )
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=self.url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_after,
                )
        counts.update(delivered=len(done), failed=len(failed))
        return counts

    def drain(self, max_batches: int = 100_000) -> Counter:
        """Deliver batches until the queue has nothing visible; counts as ``batch``."""
        counts: Counter = Counter()
        for _ in range(max_batches):
            batch = self.batch()
            if not batch:
                break
            counts.update(batch)
        return counts
