"""SignInAudit: Cognito's Post Authentication trigger, one thin function that appends each
hosted-UI sign-in to the workspace's ``Audit`` table (``functions/signin_audit``)."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.statements import KEY_WRITE_ONLY, key_statement
from samvad import resources

TIMEOUT = cdk.Duration.seconds(5)
"""Cognito waits at most 5 seconds for a trigger; a sign-in whose audit fails fails."""


class SignInAudit(SamvadFunction):
    """The function, allowed only ``PutItem`` (and ``ConditionCheckItem``, in the
    transaction that logs a retried trigger once) on the Audit table (append-only) and the data
    key to encrypt it, attached to ``user_pool`` as its Post Authentication trigger."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.UserPool,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="signin_audit",
            description="Samvad: audit each workspace sign-in (Cognito Post Authentication)",
            memory_size=256,
            timeout=TIMEOUT,
            **common,
        )
        self.add_statements(
            iam.PolicyStatement(
                sid="AppendAudit",
                actions=["dynamodb:PutItem", "dynamodb:ConditionCheckItem"],  # a replay: once
                resources=[store.tables[resources.AUDIT.logical_id].table_arn],
            ),
            key_statement("EncryptAudit", store.key, actions=KEY_WRITE_ONLY),
        )
        user_pool.add_trigger(cognito.UserPoolOperation.POST_AUTHENTICATION, self.function)
