"""The event bus's resource policy: only the stack's own roles may put events on it.

In one account an identity policy with ``events:PutEvents`` would be enough to publish, say,
``CaseConfirmation {resolved: true}`` and close a grievance. The bus therefore denies
``PutEvents`` to every principal that is not one of the stack's roles granted it (intake,
sampler, notify, feedback, the escalation state machine …), found by walking the construct
tree once the stack is complete, like the monitoring construct. Operators' commands that
publish (``samvad sample run`` outside Lambda) need their role listed in the
``bus_publishers`` context (comma-separated ARNs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

PUT_EVENTS = "events:PutEvents"


def restrict_publishers(
    scope: Construct, id: str, bus: events.EventBus, extra: Sequence[str] = ()
) -> events.CfnEventBusPolicy:
    """Deny ``PutEvents`` on ``bus`` to any principal but the roles the stack grants it and
    the ``extra`` principal ARNs (an operators' role that runs ``samvad sample run``)."""
    stack = cdk.Stack.of(scope)
    publishers = sorted(
        (role for role in stack.node.find_all() if isinstance(role, iam.Role)),
        key=lambda role: role.node.path,
    )
    arns = [role.role_arn for role in publishers if _may_put_events(stack, role)]
    arns += list(extra)
    if not arns:
        raise ValueError("no role of the stack may put events on the bus")
    return events.CfnEventBusPolicy(
        scope,
        id,
        event_bus_name=bus.event_bus_name,
        statement_id="OnlyStackRolesPutEvents",
        statement={
            "Sid": "OnlyStackRolesPutEvents",
            "Effect": "Deny",
            "Principal": "*",
            "Action": PUT_EVENTS,
            "Resource": bus.event_bus_arn,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arns}},
        },
    )


def _may_put_events(stack: cdk.Stack, role: iam.Role) -> bool:
    for policy in role.node.find_all():
        if isinstance(policy, iam.Policy):
            document: Any = stack.resolve(policy.document.to_json())
            for statement in document.get("Statement", []):
                allowed = statement.get("Action", [])
                allowed = allowed if isinstance(allowed, list) else [allowed]
                if statement.get("Effect") == "Allow" and PUT_EVENTS in allowed:
                    return True
    return False
