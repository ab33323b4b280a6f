"""Reports: the tally rule → queue → function, the daily and monthly schedules, the topic."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import (
    events_to_function,
    on_failure_queue,
    work_queue,
)
from infra.constructs.schedules import SCHEDULED_TIME, Invocation, scheduled_invoke
from infra.constructs.statements import key_statement, object_statements
from infra.constructs.storage import DataStore
from samvad import resources
from samvad.reports.tally import tally_pattern

FUNCTION_TIMEOUT = cdk.Duration.minutes(5)
QUEUE_VISIBILITY = cdk.Duration.minutes(30)  # six times the function's timeout
SCHEDULE_RETRY_ATTEMPTS = 3
SCHEDULE_MAX_EVENT_AGE = cdk.Duration.hours(2)
TALLIES_ACTIONS = (
    "dynamodb:PutItem",  # markers (TransactWriteItems checks each item's own action)
    "dynamodb:UpdateItem",  # counters, the overdue list
    "dynamodb:Query",  # a period's rows, the overdue list
)
OBJECT_ACTIONS = {
    resources.SAMPLES_PREFIX: ("s3:GetObject",),  # the day's selection: "contacts sampled"
    **{prefix: ("s3:PutObject", "s3:GetObject") for prefix in resources.REPORT_PREFIXES},
}
"""GetObject on the report prefixes: the presigned dashboard link is signed by this role."""


class Reports(SamvadFunction):
    """The reports function and what feeds it.

    ``rule`` sends the tallied domain events (``tally_pattern``) from the bus to ``queue``
    (redriving to ``dead_letter_queue``; events EventBridge cannot deliver wait in
    ``rule_dead_letter_queue``), which triggers ``function`` in batches with partial failures.
    ``daily_schedule`` and ``monthly_schedule`` (EventBridge Scheduler, India time) invoke it
    with ``{"period": …, "scheduled_time": …}``; invocations Scheduler cannot make land in
    ``schedule_dead_letter_queue``, reports that fail after Lambda's asynchronous retries in
    ``async_failures``. Each report is announced on ``topic``.
    """

    def __init__(self, scope: Construct, id: str, **common: Unpack[FunctionArgs]) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="reports",
            description="Samvad reports: tally domain events; write daily and monthly reports",
            memory_size=1536,
            timeout=FUNCTION_TIMEOUT,
            **common,
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name="Samvad reports",
            master_key=store.key,
            enforce_ssl=True,
        )
        self.function.add_environment(resources.REPORTS_TOPIC_ENV, self.topic.topic_arn)
        self._queues(store)
        self.rule, self.rule_dead_letter_queue = events_to_function(
            self,
            "TallyRule",
            bus=store.bus,
            pattern=tally_pattern(),
            description="Samvad: domain events the reports tally",
            queue=self.queue,
            function=self.function,
            key=store.queue_key,
            name="tally",
            batch_size=resources.EVENTS_BATCH_SIZE,  # a batch's tallies share their writes
        )
        self.add_statements(*self._statements(store))
        self._schedules(store)
        self.async_failures = on_failure_queue(
            self, self.function, self.role, key=store.queue_key, invoked_by="the report schedules"
        )
        self.acknowledge_object_prefixes(
            OBJECT_ACTIONS,
            reason="one object per run date or report period, not known in advance.",
        )

    def _queues(self, store: DataStore) -> None:
        self.queue, self.dead_letter_queue = work_queue(
            self,
            "",
            key=store.queue_key,
            visibility_timeout=QUEUE_VISIBILITY,
            max_receives=resources.REPORTS_MAX_RECEIVES,
        )

    def _statements(self, store: DataStore) -> list[iam.PolicyStatement]:
        tables = store.tables
        return [
            iam.PolicyStatement(
                sid="Tallies",
                actions=list(TALLIES_ACTIONS),
                resources=[tables[resources.TALLIES.logical_id].table_arn],
            ),
            iam.PolicyStatement(
                sid="OverdueCitizenPhones",
                actions=["dynamodb:BatchGetItem"],
                resources=[tables[resources.VISITS.logical_id].table_arn],
            ),
            iam.PolicyStatement(
                sid="ReportSettings",
                actions=["dynamodb:GetItem"],
                resources=[tables[resources.CONFIG.logical_id].table_arn],
            ),
            *object_statements(store, OBJECT_ACTIONS),
            iam.PolicyStatement(
                sid="AnnounceReports", actions=["sns:Publish"], resources=[self.topic.topic_arn]
            ),
            key_statement("UseDataKey", store.key),
        ]

    def _schedules(self, store: DataStore) -> None:
        scheduled = scheduled_invoke(
            self,
            self.function,
            [
                Invocation(
                    "DailySchedule",
                    resources.REPORTS_DAILY_SCHEDULE,
                    {"period": "day", "scheduled_time": SCHEDULED_TIME},
                    "the previous day's report",
                ),
                Invocation(
                    "MonthlySchedule",
                    resources.REPORTS_MONTHLY_SCHEDULE,
                    {"period": "month", "scheduled_time": SCHEDULED_TIME},
                    "the previous month's report",
                ),
            ],
            key=store.queue_key,
            name="reports",
            time_zone=resources.REPORTS_TIMEZONE,
            retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
            max_event_age=SCHEDULE_MAX_EVENT_AGE,
        )
        self.schedule_role = scheduled.role
        self.schedule_dead_letter_queue = scheduled.dead_letter_queue
        self.daily_schedule = scheduled.schedules["DailySchedule"]
        self.monthly_schedule = scheduled.schedules["MonthlySchedule"]
