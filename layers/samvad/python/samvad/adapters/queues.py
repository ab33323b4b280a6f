"""SQS: the sampler's dispatch messages, and later deliveries (SQS delay or a schedule)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.aws import retry_partial

SQS_MAX_DELAY = 900


class SqsDispatcher:
    """One message per contact, sent in batches of 10; failures are retried, then raised."""

    def __init__(
        self,
        queue_url: str,
        client: Any = None,
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = queue_url
        self._client = make_client("sqs", client)
        self._attempts = attempts
        self._sleep = sleep

    def send(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(m)}
                for i, m in enumerate(messages[start : start + 10])
            ]
            left = retry_partial(self._refused, entries, attempts=self._attempts, sleep=self._sleep)
            if left:
                raise RuntimeError(f"{len(left)} dispatch messages refused by SQS")

    def _refused(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        """Send a batch; the entries SQS refused."""
        response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
        refused = {f["Id"] for f in response.get("Failed", [])}
        return [e for e in entries if e["Id"] in refused]


class Deferrer:
    """Put a message back on the dispatch queue later: SQS delay up to 15 minutes, beyond
    that a one-time EventBridge Scheduler schedule (deleted once it has fired)."""

    def __init__(
        self,
        queue_url: str,
        queue_arn: str,
        role_arn: str,
        sqs: Any = None,
        scheduler: Any = None,
        max_sqs_delay: int | None = None,
        dead_letter_arn: str = "",
    ) -> None:
        """``max_sqs_delay=0`` sends every later delivery through the Scheduler (the local
        runtime's simulated clock fires schedules; SQS delays would run on the real one)."""
        self._max_delay = SQS_MAX_DELAY if max_sqs_delay is None else max_sqs_delay
        self._url = queue_url
        self._arn = queue_arn
        self._role = role_arn
        self._sqs = make_client("sqs", sqs)
        self._scheduler = make_client("scheduler", scheduler)
        self._dead_letters = (
            {"DeadLetterConfig": {"Arn": dead_letter_arn}} if dead_letter_arn else {}
        )

    def defer(self, message: dict, until: dt.datetime, now: dt.datetime) -> None:
        delay = (until - now).total_seconds()
        body = json.dumps(message, sort_keys=True)
        if delay <= self._max_delay or delay <= 0:
            self._sqs.send_message(
                QueueUrl=self._url, MessageBody=body, DelaySeconds=max(0, math.ceil(delay))
            )
            return
        at = until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        name = "d-" + hashlib.sha256(f"{body}|{at}".encode()).hexdigest()[:48]
        target = {"Arn": self._arn, "RoleArn": self._role, "Input": body, **self._dead_letters}
        one_time_schedule(self._scheduler, name, until, target)


def one_time_schedule(scheduler: Any, name: str, at: dt.datetime, target: dict) -> None:
    """A schedule in the dispatch group that calls ``target`` once at ``at`` and deletes
    itself (retried for a day); a ``ConflictException`` is the same schedule made already (a
    replay), and is not an error."""
    try:
        scheduler.create_schedule(
            Name=name,
            GroupName=resources.DISPATCH_SCHEDULE_GROUP,
            ScheduleExpression=f"at({at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                **target,
                "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 10},
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConflictException":
            raise
