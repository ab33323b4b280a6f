"""Sampler: the daily schedule, the sampler function and the dispatch queue it feeds."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.function import SamvadFunction, table_statements
from infra.constructs.queues import on_failure_queue, work_queue
from infra.constructs.schedules import SCHEDULED_TIME, Invocation, scheduled_invoke
from infra.constructs.storage import DataStore
from samvad import resources

FUNCTION_TIMEOUT = cdk.Duration.minutes(15)
DISPATCH_VISIBILITY_TIMEOUT = cdk.Duration.seconds(resources.DISPATCH_VISIBILITY_SECONDS)
"""Six times the notify function's timeout, as AWS advises for SQS; the dispatcher's claim
window is derived from the same constant."""
SCHEDULE_RETRY_ATTEMPTS = 3
SCHEDULE_MAX_EVENT_AGE = cdk.Duration.hours(1)
KMS_USE = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
# Table actions per logical id (the table ARN itself): what the sampler does, nothing more.
TABLE_ACTIONS = {
    "Config": ("dynamodb:GetItem",),
    "Strata": ("dynamodb:Query", "dynamodb:BatchWriteItem"),
    "Visits": ("dynamodb:UpdateItem", "dynamodb:BatchGetItem"),
    "Contacts": ("dynamodb:BatchGetItem", "dynamodb:UpdateItem"),
    "CallLists": ("dynamodb:BatchWriteItem", "dynamodb:Query"),
    "SamplingRuns": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
}
# Index queries, by (table logical id, index name): named index ARNs, no wildcard.
INDEX_QUERIES = (
    (resources.VISITS.logical_id, resources.UNSAMPLED_INDEX.name),
    (resources.VISITS.logical_id, resources.BY_VISIT_DATE_INDEX.name),
)
# Object actions per data-bucket prefix.
OBJECT_ACTIONS = {
    resources.SAMPLES_PREFIX: ("s3:PutObject", "s3:GetObject"),
    resources.AUDIT_PREFIX: ("s3:PutObject",),
}


class Sampler(SamvadFunction):
    """The daily sampling run and its outputs.

    ``schedule`` (EventBridge Scheduler, default group) invokes ``function`` once a day at
    ``schedule_expression`` in ``time_zone`` with ``{"scheduled_time": …}``; invocations that
    Scheduler cannot make land in ``schedule_dead_letter_queue``, runs that fail after Lambda's
    asynchronous retries in ``async_failures`` (its on-failure destination). ``function`` (one
    run at a time) draws the day's sample, writes call lists and the selection, and queues one
    message per contact on ``dispatch_queue`` (redriving to ``dispatch_dead_letter_queue``)
    for the notify function to consume. The function, its role and log group come from
    ``SamvadFunction``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        store: DataStore,
        layer: lambda_.ILayerVersion,
        code_dir: Path,
        retention_days: int,
        schedule_expression: str = resources.SAMPLER_SCHEDULE,
        time_zone: str = resources.SAMPLER_TIMEZONE,
    ) -> None:
        super().__init__(
            scope,
            id,
            name="sampling",
            description="Samvad sampler: draw the day's sample and queue the contacts",
            store=store,
            layer=layer,
            code_dir=code_dir,
            retention_days=retention_days,
            memory_size=1024,
            timeout=FUNCTION_TIMEOUT,
            reserved_concurrent_executions=1,  # one sampling run at a time
        )
        self._queues(store)
        self.function.add_environment(resources.DISPATCH_QUEUE_ENV, self.dispatch_queue.queue_url)
        self.add_statements(*self._statements(store))
        self._schedule(store, schedule_expression, time_zone)
        self.async_failures = on_failure_queue(
            self, self.function, self.role, key=store.queue_key, invoked_by="the sampler schedule"
        )
        self._acknowledge()

    def _queues(self, store: DataStore) -> None:
        self.dispatch_queue, self.dispatch_dead_letter_queue = work_queue(
            self,
            "Dispatch",
            key=store.queue_key,
            visibility_timeout=DISPATCH_VISIBILITY_TIMEOUT,
            max_receives=resources.DISPATCH_MAX_RECEIVES,
        )

    def _statements(self, store: DataStore) -> list[iam.PolicyStatement]:
        tables = store.tables
        return [
            *table_statements(store, TABLE_ACTIONS),
            iam.PolicyStatement(
                sid="QueryVisitIndexes",
                actions=["dynamodb:Query"],
                resources=[
                    f"{tables[logical_id].table_arn}/index/{index}"
                    for logical_id, index in INDEX_QUERIES
                ],
            ),
            *(
                iam.PolicyStatement(
                    sid="Objects" + "".join(part.title() for part in prefix.split("/")),
                    actions=list(actions),
                    resources=[store.bucket.arn_for_objects(f"{prefix}*")],
                )
                for prefix, actions in OBJECT_ACTIONS.items()
            ),
            iam.PolicyStatement(
                sid="ReadSamplingAndPhoneHashKeys",
                actions=["secretsmanager:GetSecretValue"],
                resources=[store.sampling_secret.secret_arn, store.phone_hash_secret.secret_arn],
            ),
            iam.PolicyStatement(
                sid="QueueDispatches",
                actions=["sqs:SendMessage"],
                resources=[self.dispatch_queue.queue_arn],
            ),
            iam.PolicyStatement(
                sid="PublishEvents",
                actions=["events:PutEvents"],
                resources=[store.bus.event_bus_arn],
            ),
            iam.PolicyStatement(
                sid="UseDataAndQueueKeys",
                actions=list(KMS_USE),
                resources=[store.key.key_arn, store.queue_key.key_arn],
            ),
        ]

    def _schedule(self, store: DataStore, expression: str, time_zone: str) -> None:
        scheduled = scheduled_invoke(
            self,
            self.function,
            [
                Invocation(
                    "Schedule",
                    expression,
                    {"scheduled_time": SCHEDULED_TIME},
                    "the daily sampling run",
                )
            ],
            key=store.queue_key,
            name="sampler",
            time_zone=time_zone,
            retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
            max_event_age=SCHEDULE_MAX_EVENT_AGE,
        )
        self.schedule_role = scheduled.role
        self.schedule_dead_letter_queue = scheduled.dead_letter_queue
        self.schedule = scheduled.schedules["Schedule"]

    def _acknowledge(self) -> None:
        self.acknowledge_object_prefixes(
            OBJECT_ACTIONS,
            reason="the sampler writes one object per run date, not known in advance.",
        )
