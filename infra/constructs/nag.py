"""cdk-nag: acknowledging a finding with its reason, and how cdk-nag spells a resource (tokens
resolved) in a finding's id."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from constructs import Construct


def nag_spelling(scope: Construct, value: str) -> str:
    """``value`` (a string with tokens) as cdk-nag writes it: ``Ref`` → ``<Id>``, ``GetAtt`` →
    ``<Id.Attribute>``, ``Fn::Join`` joined; e.g. ``arn:aws:s3:::<Bucket>/x/*``."""

    def render(node: Any) -> str:
        if isinstance(node, str):
            return node
        if isinstance(node, dict) and "Ref" in node:
            return f"<{node['Ref']}>"
        if isinstance(node, dict) and "Fn::GetAtt" in node:
            return "<{}.{}>".format(*node["Fn::GetAtt"])
        if isinstance(node, dict) and "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            return separator.join(render(part) for part in parts)
        raise ValueError(f"cannot spell {json.dumps(node)} as cdk-nag does")

    return render(cdk.Stack.of(scope).resolve(value))


def acknowledge_wildcard(scope: Construct, resource: str, *, reason: str) -> None:
    """Acknowledge cdk-nag's IAM5 for the wildcard ``resource`` granted by ``scope``'s policy."""
    acknowledge(
        scope, f"AwsSolutions-IAM5[Resource::{nag_spelling(scope, resource)}]", reason=reason
    )


def acknowledge(scope: Construct, rule: str, *, reason: str) -> None:
    """Acknowledge cdk-nag's finding ``rule`` (e.g. ``AwsSolutions-L1``) on ``scope``: why."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
