"""The dispatch queue's sender: refused entries are retried with jittered backoff, then raised."""

import boto3
import pytest

from samvad.adapters.queues import SqsDispatcher


class Refusing:
    """Wraps a real SQS client: refuses entry "1" of each batch ``refusals`` times."""

    def __init__(self, client, refusals: int):
        self._client = client
        self._left = refusals

    def send_message_batch(self, QueueUrl, Entries):
        if self._left and any(e["Id"] == "1" for e in Entries):
            self._left -= 1
            sent = [e for e in Entries if e["Id"] != "1"]
            if sent:
                self._client.send_message_batch(QueueUrl=QueueUrl, Entries=sent)
            return {"Failed": [{"Id": "1", "Code": "InternalError", "SenderFault": False}]}
        return self._client.send_message_batch(QueueUrl=QueueUrl, Entries=Entries)


def _queue(stack):
    sqs = boto3.client("sqs")
    return sqs, sqs.get_queue_url(QueueName=stack.dispatch_queue)["QueueUrl"]


def _count(sqs, url) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_a_refused_message_is_sent_again_after_a_jittered_pause(stack):
    """Given SQS refusing one message twice, When 3 are sent, Then all 3 are queued once,
    after two pauses within the backoff's bounds."""
    sqs, url = _queue(stack)
    pauses = []
    dispatcher = SqsDispatcher(url, Refusing(sqs, refusals=2), sleep=pauses.append)
    dispatcher.send([{"visit_key": f"v{i}"} for i in range(3)])
    assert _count(sqs, url) == 3
    assert len(pauses) == 2 and 0 <= pauses[0] <= 0.1 and 0 <= pauses[1] <= 0.2


def test_a_message_refused_every_time_raises(stack):
    """Given SQS refusing one message on every attempt, When sent, Then the sender raises
    (the sampler's run is retried) instead of losing it."""
    sqs, url = _queue(stack)
    dispatcher = SqsDispatcher(url, Refusing(sqs, refusals=99), sleep=lambda s: None)
    with pytest.raises(RuntimeError, match="1 dispatch messages refused"):
        dispatcher.send([{"visit_key": f"v{i}"} for i in range(3)])
    assert _count(sqs, url) == 2
