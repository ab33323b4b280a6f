"""Dead-letter queues on SQS: find them, count them, and send their messages back.

A queue is a dead-letter queue when another queue's redrive policy names it, or when it is
tagged ``samvad:dead-letter`` (the stack tags every queue it uses as a dead-letter or
on-failure destination, including those of SNS, EventBridge, Scheduler and Lambda, which no
redrive policy names).

Redrive sends each message to where it failed to go:

- a queue's redrive source: SQS ``StartMessageMoveTask`` on AWS (one task per queue at a time:
  a second call reports the running task), else receive → send → delete;
- a Lambda on-failure record (``requestContext.functionArn``, ``requestPayload``): the payload
  is invoked again, asynchronously;
- an EventBridge or Scheduler dead letter (message attribute ``TARGET_ARN``): the body goes to
  that queue, or is invoked on that function;
- anything else only with an explicit ``to`` queue; otherwise it stays, counted as ``left``.

A message is deleted only once it was handed on, so nothing is lost; a crash between the two
hands it on again, which every consumer absorbs (each step is idempotent).
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client

DEAD_LETTER_TAG = resources.DEAD_LETTER_TAG
RECEIVE_VISIBILITY_SECONDS = 120
UNSUPPORTED = (
    "InvalidAction",
    "UnsupportedOperation",
    "NotImplemented",
    "AWS.SimpleQueueService.UnsupportedOperation",
)


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    url: str
    arn: str
    visible: int
    in_flight: int
    sources: tuple[str, ...] = ()
    """ARNs of the queues whose redrive policy names this one."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.name,
            "messages": self.visible,
            "in_flight": self.in_flight,
            "sources": [arn.rsplit(":", 1)[-1] for arn in self.sources],
            "url": self.url,
        }


@dataclass
class Redrive:
    """What one redrive did."""

    queue: str
    moved: int = 0
    invoked: int = 0
    left: int = 0
    task: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "queue": self.queue,
            "moved": self.moved,
            "invoked": self.invoked,
            "left": self.left,
        }
        if self.task:
            out["task"] = self.task
        return out


class UnknownQueue(LookupError):
    """No dead-letter queue by that name or URL."""


class SqsDeadLetters:
    def __init__(self, sqs: Any = None, lambda_client: Any = None) -> None:
        self._sqs = make_client("sqs", sqs)
        self._lambda = lambda_client

    # -- listing ------------------------------------------------------------------------------

    def _queue_urls(self, prefix: str) -> Iterator[str]:
        request: dict[str, Any] = {"MaxResults": 1000}
        if prefix:
            request["QueueNamePrefix"] = prefix
        while True:
            page = self._sqs.list_queues(**request)
            yield from page.get("QueueUrls", [])
            if not page.get("NextToken"):
                return
            request["NextToken"] = page["NextToken"]

    def list(self, prefix: str = "") -> list[DeadLetterQueue]:
        """Every dead-letter queue (whose name starts with ``prefix``), by name."""
        attributes = {
            url: self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for url in self._queue_urls(prefix)
        }
        sources: dict[str, list[str]] = {}
        for found in attributes.values():
            policy = found.get("RedrivePolicy")
            if policy:
                target = json.loads(policy)["deadLetterTargetArn"]
                sources.setdefault(target, []).append(found["QueueArn"])
        queues = []
        for url, found in attributes.items():
            arn = found["QueueArn"]
            if arn not in sources and not self._tagged(url):
                continue
            queues.append(
                DeadLetterQueue(
                    name=arn.rsplit(":", 1)[-1],
                    url=url,
                    arn=arn,
                    visible=int(found.get("ApproximateNumberOfMessages", 0)),
                    in_flight=int(found.get("ApproximateNumberOfMessagesNotVisible", 0)),
                    sources=tuple(sorted(sources.get(arn, ()))),
                )
            )
        return sorted(queues, key=lambda q: q.name)

    def _tagged(self, url: str) -> bool:
        tags = self._sqs.list_queue_tags(QueueUrl=url).get("Tags") or {}
        return DEAD_LETTER_TAG in tags

    def find(self, queue: str) -> DeadLetterQueue:
        """The dead-letter queue named ``queue`` (a name, a unique name fragment or a URL)."""
        found = self.list()
        exact = [q for q in found if queue in (q.name, q.url)]
        partial = [q for q in found if queue.casefold() in q.name.casefold()]
        matches = exact or partial
        if len(matches) != 1:
            names = ", ".join(q.name for q in matches) or "none"
            raise UnknownQueue(f"{queue!r} names {len(matches)} dead-letter queues ({names})")
        return matches[0]

    def peek(self, queue: DeadLetterQueue, count: int) -> builtins.list[dict[str, Any]]:
        """Up to ``count`` (≤ 10) messages, left visible: body and attributes (why it failed)."""
        messages = self._sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=max(1, min(count, 10)),
            VisibilityTimeout=0,
            MessageAttributeNames=["All"],
            AttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        ).get("Messages", [])
        return [
            {
                "id": m["MessageId"],
                "body": m["Body"],
                "attributes": {
                    name: value.get("StringValue", "")
                    for name, value in (m.get("MessageAttributes") or {}).items()
                },
                "sent_at_ms": int((m.get("Attributes") or {}).get("SentTimestamp", 0)),
            }
            for m in messages[:count]
        ]

    # -- redrive ------------------------------------------------------------------------------

    def redrive(self, queue: DeadLetterQueue, to: str | None = None) -> Redrive:
        """Send ``queue``'s messages back; safe to repeat (see the module's docstring)."""
        report = Redrive(queue.name)
        if len(queue.sources) == 1 and to is None:
            task = self._move_task(queue)
            if task is not None:
                report.task = task
                return report
        target_url = self._url_of(to) if to else None
        seen: set[str] = set()
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=queue.url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=RECEIVE_VISIBILITY_SECONDS,
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            fresh = [m for m in messages if m["MessageId"] not in seen]
            for message in messages:
                if message["MessageId"] in seen:  # left earlier in this run: visible again
                    self._release(queue, message)
            if not fresh:
                return report
            for message in fresh:
                seen.add(message["MessageId"])
                outcome = self._hand_on(message, queue, target_url)
                if outcome == "left":
                    report.left += 1
                    self._release(queue, message)
                    continue
                self._sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
                if outcome == "invoked":
                    report.invoked += 1
                else:
                    report.moved += 1

    def _release(self, queue: DeadLetterQueue, message: dict) -> None:
        self._sqs.change_message_visibility(
            QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )

    def _move_task(self, queue: DeadLetterQueue) -> dict[str, Any] | None:
        """The running move task, or a new one; None where SQS has none (an emulator)."""
        if os.environ.get("AWS_ENDPOINT_URL"):  # an emulator (the local runtime)
            return None
        try:
            tasks = self._sqs.list_message_move_tasks(SourceArn=queue.arn, MaxResults=10)
            running = [t for t in tasks.get("Results", []) if t.get("Status") == "RUNNING"]
            if running:
                return {"status": "already_running", "handle": running[0].get("TaskHandle")}
            started = self._sqs.start_message_move_task(SourceArn=queue.arn)
        except ClientError as error:
            if error.response["Error"]["Code"] in UNSUPPORTED:
                return None
            raise
        except NotImplementedError:  # moto in-process
            return None
        return {"status": "started", "handle": started["TaskHandle"]}

    def _hand_on(self, message: dict, queue: DeadLetterQueue, target_url: str | None) -> str:
        body = message["Body"]
        if target_url:
            self._send(target_url, body)
            return "moved"
        record = _json(body)
        context = record.get("requestContext") if isinstance(record, dict) else None
        if isinstance(context, dict) and context.get("functionArn") and "requestPayload" in record:
            self._invoke(context["functionArn"], json.dumps(record["requestPayload"]))
            return "invoked"
        target = (message.get("MessageAttributes") or {}).get("TARGET_ARN", {}).get("StringValue")
        if target and ":sqs:" in target:
            self._send(self._url_of_arn(target), body)
            return "moved"
        if target and ":lambda:" in target:
            self._invoke(target, body)
            return "invoked"
        if len(queue.sources) == 1:
            self._send(self._url_of_arn(queue.sources[0]), body)
            return "moved"
        return "left"

    def _send(self, url: str, body: str) -> None:
        self._sqs.send_message(QueueUrl=url, MessageBody=body)

    def _invoke(self, function_arn: str, payload: str) -> None:
        if self._lambda is None:
            self._lambda = make_client("lambda")
        name = function_arn.removesuffix(":$LATEST")
        self._lambda.invoke(FunctionName=name, InvocationType="Event", Payload=payload.encode())

    def _url_of(self, queue: str) -> str:
        if queue.startswith(("https://", "http://")):
            return queue
        return self._sqs.get_queue_url(QueueName=queue)["QueueUrl"]

    def _url_of_arn(self, arn: str) -> str:
        parts = arn.split(":")
        return self._sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])[
            "QueueUrl"
        ]


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
