"""Scheme broadcasts run by the stack: a scheduled function, paced like dispatch.

Every half hour within calling hours (India time), EventBridge Scheduler invokes
``functions/scheme_broadcast``: every current notice published with ``broadcast: true`` goes
to the subscribers not reached yet (``samvad.schemes.service.scheduled_broadcasts``), through
dispatch's SMS token bucket, only with a DLT template when DLT is configured, never to the
opted out, at most once per notice and subscriber. One run at a time (reserved concurrency 1);
a run stops a minute before its timeout and the next one goes on.
"""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import on_failure_queue
from infra.constructs.schedules import SCHEDULED_TIME, Invocation, scheduled_invoke
from infra.constructs.statements import index_query_statement, key_statement, table_statements
from samvad import resources

SCHEDULE = "cron(0/30 9-20 * * ? *)"
"""Every half hour from 09:00 to 20:30 India time: inside dispatch's calling hours."""
TIMEOUT = cdk.Duration.minutes(15)
TABLE_ACTIONS = {
    "Config": ("dynamodb:GetItem",),  # the notices, the notify settings
    # subscribers (their index, granted apart), opt-outs, claims and progress
    "Contacts": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "RateLimits": ("dynamodb:GetItem", "dynamodb:PutItem"),  # dispatch's SMS token bucket
}


class SchemeBroadcast(SamvadFunction):
    """``function`` (reserved concurrency 1), ``schedule``, ``schedule_dead_letter_queue``,
    ``async_failures`` (runs that still fail after Lambda's retries)."""

    def __init__(self, scope: Construct, id: str, **common: Unpack[FunctionArgs]) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="scheme_broadcast",
            description="Samvad: scheme notices broadcast to subscribers, paced, in hours",
            memory_size=256,
            timeout=TIMEOUT,
            reserved_concurrent_executions=1,
            **common,
        )
        self.add_statements(
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(
                store,
                "QuerySubscribers",
                [(resources.CONTACTS.logical_id, resources.SCHEME_NEWS_INDEX.name)],
            ),
            key_statement("UseDataKey", store.key),
        )
        self.allow_sms("scheme notices to the citizens who asked for scheme news")
        scheduled = scheduled_invoke(
            self,
            self.function,
            [
                Invocation(
                    "Schedule",
                    SCHEDULE,
                    {"scheduled_time": SCHEDULED_TIME},
                    "scheme broadcasts, every half hour in calling hours",
                )
            ],
            key=store.queue_key,
            name="scheme broadcast",
            time_zone=resources.SAMPLER_TIMEZONE,
            retry_attempts=0,  # the next half-hour run goes on instead
            max_event_age=cdk.Duration.minutes(30),
        )
        self.schedule = scheduled.schedules["Schedule"]
        self.schedule_dead_letter_queue = scheduled.dead_letter_queue
        self.async_failures = on_failure_queue(
            self, self.function, self.role, key=store.queue_key, invoked_by="the broadcast schedule"
        )
