"""Scheduled invocations of a function: EventBridge Scheduler, its role and its dead letters.

The sampler, the reports and the lake exporter are each run on a schedule the same way: a role
that Scheduler (the default group of this account) assumes and that may invoke exactly that
function and dead-letter to exactly one encrypted queue; schedules in India time, no flexible
window, bounded retries; the schedule created only once its role exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.queues import dead_letter_queue, send_statements
from samvad import resources

SCHEDULER_SERVICE = "scheduler.amazonaws.com"
SCHEDULED_TIME = scheduler.ContextAttribute.scheduled_time
"""Put in a schedule's input where the handler expects the invocation's scheduled time."""


@dataclass(frozen=True)
class Invocation:
    """One schedule: construct ``id``, cron/rate ``expression``, the event's ``input``."""

    id: str
    expression: str
    input: Mapping[str, Any]
    description: str


@dataclass(frozen=True)
class ScheduledInvoke:
    """What ``scheduled_invoke`` made."""

    role: iam.Role
    dead_letter_queue: sqs.Queue
    schedules: dict[str, scheduler.Schedule]


def scheduler_role(
    scope: Construct,
    id: str,
    *,
    group_arn: str,
    description: str,
    statements: Sequence[iam.PolicyStatement],
) -> iam.Role:
    """A role Scheduler assumes only for this account's schedules in ``group_arn``, holding
    ``statements`` and nothing else."""
    role = iam.Role(
        scope,
        id,
        assumed_by=iam.ServicePrincipal(
            SCHEDULER_SERVICE,
            conditions={
                "StringEquals": {
                    "aws:SourceAccount": cdk.Stack.of(scope).account,
                    "aws:SourceArn": group_arn,
                }
            },
        ),
        description=description,
    )
    for statement in statements:
        role.add_to_policy(statement)
    return role


def dispatch_schedules_arn(scope: Construct) -> str:
    """The ARN pattern of every schedule in the dispatch group (their names are made later)."""
    return cdk.Stack.of(scope).format_arn(
        service="scheduler",
        resource="schedule",
        resource_name=f"{resources.DISPATCH_SCHEDULE_GROUP}/*",
    )


def create_schedules_statements(
    create_sid: str, pass_sid: str, *, schedules_arn: str, role: iam.IRole
) -> list[iam.PolicyStatement]:
    """Create schedules matching ``schedules_arn``, run as ``role`` (passed to Scheduler only)."""
    return [
        iam.PolicyStatement(
            sid=create_sid, actions=["scheduler:CreateSchedule"], resources=[schedules_arn]
        ),
        iam.PolicyStatement(
            sid=pass_sid,
            actions=["iam:PassRole"],
            resources=[role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": SCHEDULER_SERVICE}},
        ),
    ]


def scheduled_invoke(
    scope: Construct,
    function: lambda_.IFunction,
    invocations: Sequence[Invocation],
    *,
    key: kms.IKey,
    name: str,
    time_zone: str,
    retry_attempts: int,
    max_event_age: cdk.Duration,
) -> ScheduledInvoke:
    """Invoke ``function`` on each of ``invocations`` (``name`` says what it is, e.g. "sampler",
    in the role's description and its statement ids).

    Made in ``scope``: ``ScheduleDeadLetterQueue`` (encrypted with ``key``), ``ScheduleRole``
    and one schedule per invocation. The L2 target's own grants (which add ``<function>:*``)
    are dropped by handing it the role without policy updates.
    """
    stack = cdk.Stack.of(scope)
    dead_letters = dead_letter_queue(
        scope,
        "ScheduleDeadLetterQueue",
        key=key,
        of=f"the {name} schedule's (EventBridge Scheduler DeadLetterConfig)",
    )
    role = scheduler_role(
        scope,
        "ScheduleRole",
        group_arn=stack.format_arn(
            service="scheduler", resource="schedule-group", resource_name="default"
        ),
        description=f"Samvad {name} schedule: invoke the {name} function, nothing else",
        statements=[
            iam.PolicyStatement(
                sid="Invoke" + name.title().replace(" ", ""),
                actions=["lambda:InvokeFunction"],
                resources=[function.function_arn],
            ),
            *send_statements({"DeadLetter": dead_letters}, key),
        ],
    )
    schedules = {}
    for invocation in invocations:
        schedule = scheduler.Schedule(
            scope,
            invocation.id,
            schedule=scheduler.ScheduleExpression.expression(
                invocation.expression, cdk.TimeZone.of(time_zone)
            ),
            target=targets.LambdaInvoke(
                function,
                role=role.without_policy_updates(),
                input=scheduler.ScheduleTargetInput.from_object(dict(invocation.input)),
                retry_attempts=retry_attempts,
                max_event_age=max_event_age,
                dead_letter_queue=dead_letters,
            ),
            time_window=scheduler.TimeWindow.off(),
            description=f"Samvad: {invocation.description}",
        )
        schedule.node.add_dependency(role)  # create it only once its role can invoke
        schedules[invocation.id] = schedule
    return ScheduledInvoke(role=role, dead_letter_queue=dead_letters, schedules=schedules)
