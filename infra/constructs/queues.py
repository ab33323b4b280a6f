"""Dead-letter and on-failure queues: where failures wait for an operator, never vanish.

Every queue made here is encrypted with the stack's queue key, TLS-only and kept 14 days; the
monitoring construct alarms on each as soon as one message is visible, and ``samvad dlq``
lists and redrives them (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.nag import acknowledge
from infra.constructs.statements import MESSAGE_KEY_USE, key_statement
from samvad import resources

DEAD_LETTER_RETENTION = cdk.Duration.days(14)
ASYNC_RETRY_ATTEMPTS = 2
RULE_RETRY_ATTEMPTS = 20
RULE_MAX_EVENT_AGE = cdk.Duration.hours(24)
"""A rule target's retries before its event goes to the target's dead-letter queue."""
ASYNC_MAX_EVENT_AGE = cdk.Duration.hours(6)
WORK_RETENTION = cdk.Duration.days(4)


def _encrypted_queue(scope: Construct, id: str, *, key: kms.IKey, **props: Any) -> sqs.Queue:
    """An SQS queue ``id`` encrypted with ``key``, TLS only, with ``props``."""
    return sqs.Queue(
        scope,
        id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        **props,
    )


def work_queue(
    scope: Construct,
    prefix: str,
    *,
    key: kms.IKey,
    visibility_timeout: cdk.Duration,
    max_receives: int,
) -> tuple[sqs.Queue, sqs.Queue]:
    """A function's encrypted work queue ``<prefix>Queue`` (kept 4 days) and the dead-letter
    queue ``<prefix>DeadLetterQueue`` it redrives to after ``max_receives`` receives."""
    dead = _encrypted_queue(
        scope, f"{prefix}DeadLetterQueue", key=key, retention_period=DEAD_LETTER_RETENTION
    )
    queue = redriving_queue(
        scope,
        f"{prefix}Queue",
        key=key,
        dead_letters=dead,
        max_receives=max_receives,
        visibility_timeout=visibility_timeout,
    )
    return queue, dead


def redriving_queue(
    scope: Construct,
    id: str,
    *,
    key: kms.IKey,
    dead_letters: sqs.IQueue,
    max_receives: int,
    visibility_timeout: cdk.Duration,
    delivery_delay: cdk.Duration | None = None,
) -> sqs.Queue:
    """An encrypted, TLS-only work queue ``id`` (kept 4 days) that redrives to
    ``dead_letters`` after ``max_receives`` receives."""
    return _encrypted_queue(
        scope,
        id,
        key=key,
        delivery_delay=delivery_delay,
        visibility_timeout=visibility_timeout,
        retention_period=WORK_RETENTION,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receives, queue=dead_letters),
    )


def rule_target(queue: sqs.IQueue, dead_letters: sqs.IQueue) -> targets.SqsQueue:
    """A rule's target ``queue``, retried ``RULE_RETRY_ATTEMPTS`` times, then ``dead_letters``."""
    return targets.SqsQueue(
        queue,
        dead_letter_queue=dead_letters,
        retry_attempts=RULE_RETRY_ATTEMPTS,
        max_event_age=RULE_MAX_EVENT_AGE,
    )


def events_to_function(
    scope: Construct,
    id: str,
    *,
    bus: events.IEventBus,
    pattern: Mapping[str, Sequence[str]],
    description: str,
    queue: sqs.IQueue,
    function: lambda_.IFunction,
    key: kms.IKey,
    name: str,
    batch_size: int = 10,
) -> tuple[events.Rule, sqs.Queue]:
    """A rule ``id`` on ``bus`` sending the events of ``pattern`` (``source``, ``detail-type``)
    to ``queue`` (``rule_target``; undeliverable ones to a new ``<id>DeadLetterQueue``, encrypted
    with ``key``, "the ``name`` rule's"), which ``function`` takes in batches of ``batch_size``
    or five seconds, reporting item failures. Returns the rule and its dead-letter queue."""
    dead_letters = dead_letter_queue(
        scope,
        f"{id}DeadLetterQueue",
        key=key,
        of=f"the {name} rule's target (EventBridge DeadLetterConfig)",
    )
    rule = events.Rule(
        scope,
        id,
        event_bus=bus,
        event_pattern=events.EventPattern(
            source=list(pattern["source"]), detail_type=list(pattern["detail-type"])
        ),
        description=description,
        targets=[rule_target(queue, dead_letters)],
    )
    function.add_event_source(
        sources.SqsEventSource(
            queue,
            batch_size=batch_size,
            max_batching_window=cdk.Duration.seconds(5),
            report_batch_item_failures=True,
        )
    )
    return rule, dead_letters


def send_statements(
    queues: dict[str, sqs.IQueue], key: kms.IKey, *, key_sid: str = "UseQueueKey"
) -> list[iam.PolicyStatement]:
    """``sqs:SendMessage`` on each queue (``{sid: queue}``, one statement each) and, as
    ``key_sid``, the queue key's ``MESSAGE_KEY_USE``."""
    return [
        *(
            iam.PolicyStatement(sid=sid, actions=["sqs:SendMessage"], resources=[q.queue_arn])
            for sid, q in queues.items()
        ),
        key_statement(key_sid, key, actions=MESSAGE_KEY_USE),
    ]


def dead_letter_queue(scope: Construct, id: str, *, key: kms.IKey, of: str) -> sqs.Queue:
    """An encrypted dead-letter queue for ``of`` (what fails into it, for the cdk-nag note:
    a dead-letter queue has no dead-letter queue of its own)."""
    queue = _encrypted_queue(scope, id, key=key, retention_period=DEAD_LETTER_RETENTION)
    queue.node.add_metadata(resources.DEAD_LETTER_TAG, of)  # monitoring.watch finds it
    acknowledge(
        queue,
        "AwsSolutions-SQS3",
        reason=f"This queue is itself a dead-letter queue: {of}, which cdk-nag only "
        "recognises in SQS redrive policies.",
    )
    return queue


@jsii.implements(lambda_.IDestination)
class _QueueDestination:
    """An SQS on-failure destination that grants nothing (``on_failure_queue`` grants exactly
    what Lambda needs; CDK's ``SqsDestination`` would grant the key's ``*`` actions)."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, _scope: Construct, _fn: lambda_.IFunction, *, type: object = None
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=self._queue.queue_arn)


def on_failure_queue(
    scope: Construct,
    function: lambda_.Function,
    role: iam.IRole,
    *,
    key: kms.IKey,
    invoked_by: str,
) -> sqs.Queue:
    """Asynchronous invocations of ``function`` (by ``invoked_by``) that still fail after
    Lambda's retries land in a new encrypted queue ``AsyncFailures``, with the event and the
    error: Lambda sends them as the function's ``role``, which may send to that queue only."""
    queue = dead_letter_queue(
        scope, "AsyncFailures", key=key, of=f"the on-failure destination of {invoked_by}"
    )
    function.configure_async_invoke(
        on_failure=_QueueDestination(queue),
        retry_attempts=ASYNC_RETRY_ATTEMPTS,
        max_event_age=ASYNC_MAX_EVENT_AGE,
    )
    for statement in send_statements(
        {"AsyncFailuresToQueue": queue}, key, key_sid="AsyncFailuresUseQueueKey"
    ):
        role.add_to_principal_policy(statement)
    return queue
