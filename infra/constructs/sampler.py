"""Sampler: the daily schedule, the sampler function and the dispatch queue it feeds."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import on_failure_queue, work_queue
from infra.constructs.schedules import SCHEDULED_TIME, Invocation, scheduled_invoke
from infra.constructs.statements import (
    index_query_statement,
    key_statement,
    object_statements,
    publish_events_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from samvad import resources

FUNCTION_TIMEOUT = cdk.Duration.minutes(15)
DISPATCH_VISIBILITY_TIMEOUT = cdk.Duration.seconds(resources.DISPATCH_VISIBILITY_SECONDS)
"""Six times the notify function's timeout, as AWS advises for SQS; the dispatcher's claim
window is derived from the same constant."""
SCHEDULE_RETRY_ATTEMPTS = 3
SCHEDULE_MAX_EVENT_AGE = cdk.Duration.hours(1)
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
        schedule_expression: str = resources.SAMPLER_SCHEDULE,
        time_zone: str = resources.SAMPLER_TIMEZONE,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="sampling",
            description="Samvad sampler: draw the day's sample and queue the contacts",
            memory_size=1024,
            timeout=FUNCTION_TIMEOUT,
            reserved_concurrent_executions=1,  # one sampling run at a time
            **common,
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
        return [
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(store, "QueryVisitIndexes", INDEX_QUERIES),
            *object_statements(store, OBJECT_ACTIONS),
            read_secrets_statement(
                "ReadSamplingAndPhoneHashKeys", store.sampling_secret, store.phone_hash_secret
            ),
            iam.PolicyStatement(
                sid="QueueDispatches",
                actions=["sqs:SendMessage"],
                resources=[self.dispatch_queue.queue_arn],
            ),
            publish_events_statement(store),
            key_statement("UseDataAndQueueKeys", store.key, store.queue_key),
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
