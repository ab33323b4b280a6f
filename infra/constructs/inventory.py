"""The stack's inventory for monitoring: what a walk of the finished construct tree finds.

``watch(stack)`` returns every Lambda function (CDK's own handlers too), function URL,
dead-letter queue, state machine, HTTP API and schedule group, by CloudFormation logical id.
A queue is a dead-letter queue when a redrive policy, an SNS subscription, a schedule, a rule
target or an on-failure destination names it as one, or when ``queues.dead_letter_queue`` made
it (runtime schedules name some that no resource of the template does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct

from samvad import resources

LAMBDA_FUNCTION = "AWS::Lambda::Function"
# Where a queue is named as a dead-letter queue, by L1 type: the property holding it.
DEAD_LETTER_PROPERTIES: dict[type, str] = {
    sqs.CfnQueue: "redrive_policy",
    sns.CfnSubscription: "redrive_policy",
    scheduler.CfnSchedule: "target",
    events.CfnRule: "targets",
    lambda_.CfnEventInvokeConfig: "destination_config",
    lambda_.CfnEventSourceMapping: "destination_config",
}
DEAD_LETTER_KEYS = {
    ("", "deadlettertargetarn"),
    ("deadletterconfig", "arn"),
    ("onfailure", "destination"),
}
"""(parent key, key), lower-cased: where a dead-letter ARN sits in those properties."""


@dataclass(frozen=True)
class Watched:
    """What the tree walk found, by CloudFormation logical id."""

    functions: dict[str, cdk.CfnResource]  # CDK's own handlers too (plain CfnResources)
    urls: dict[str, cdk.CfnResource]  # function URL logical id → its function
    dead_letter_queues: dict[str, sqs.CfnQueue]
    state_machines: dict[str, sfn.CfnStateMachine]
    http_apis: dict[str, apigwv2.CfnApi]
    schedule_groups: dict[str, str]  # a readable id → the group's name


def watch(stack: cdk.Stack) -> Watched:
    """Everything of ``stack`` that gets alarms, found by walking its construct tree."""
    nodes = [c for c in stack.node.find_all() if isinstance(c, cdk.CfnResource)]
    functions = {_id(stack, c): c for c in nodes if c.cfn_resource_type == LAMBDA_FUNCTION}
    queues = {_id(stack, c): c for c in nodes if isinstance(c, sqs.CfnQueue)}
    marked = {
        logical_id
        for logical_id, queue in queues.items()
        if any(m.type == resources.DEAD_LETTER_TAG for m in queue.node.scope.node.metadata)
    }  # made by queues.dead_letter_queue: some (runtime schedules') are named by no resource
    dead = marked | {
        target
        for c in nodes
        for kind, attribute in DEAD_LETTER_PROPERTIES.items()
        if isinstance(c, kind)
        for target in _dead_letter_targets(stack.resolve(getattr(c, attribute)))
    }
    urls = {}
    for c in nodes:
        if isinstance(c, lambda_.CfnUrl):
            target = _get_att(stack.resolve(c.target_function_arn))
            if target in functions:
                urls[_id(stack, c)] = functions[target]
    groups = {"Default": "default"}
    for c in nodes:
        if isinstance(c, scheduler.CfnScheduleGroup) and c.name:
            groups[_id(stack, c)] = c.name
        if isinstance(c, scheduler.CfnSchedule) and c.group_name:
            groups.setdefault(_id(stack, c), c.group_name)
    return Watched(
        functions=functions,
        urls=urls,
        dead_letter_queues={k: queues[k] for k in sorted(dead) if k in queues},
        state_machines={_id(stack, c): c for c in nodes if isinstance(c, sfn.CfnStateMachine)},
        http_apis={
            _id(stack, c): c
            for c in nodes
            if isinstance(c, apigwv2.CfnApi) and c.protocol_type == "HTTP"
        },
        schedule_groups=_unique_groups(groups),
    )


def _id(stack: cdk.Stack, resource: IConstruct) -> str:
    return stack.get_logical_id(resource)  # type: ignore[arg-type]


def _unique_groups(groups: dict[str, str]) -> dict[str, str]:
    """One entry per group name (tokens compare as their string form)."""
    seen: dict[str, str] = {}
    for name_id, group in groups.items():
        if group not in seen.values():
            seen[name_id] = group
    return seen


def _get_att(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def _dead_letter_targets(value: Any, parent: str = "") -> Iterator[str]:
    """Logical ids of the ARNs under a dead-letter key anywhere in a resolved property."""
    if isinstance(value, list):
        for item in value:
            yield from _dead_letter_targets(item, parent)
    elif isinstance(value, dict):
        for key, item in value.items():
            lowered = key.lower()
            if (parent, lowered) in DEAD_LETTER_KEYS or ("", lowered) in DEAD_LETTER_KEYS:
                target = _get_att(item)
                if target:
                    yield target
            yield from _dead_letter_targets(item, lowered)
