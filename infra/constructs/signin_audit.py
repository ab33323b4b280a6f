"""SignInAudit: Cognito's Post Authentication trigger, one thin function that appends each
hosted-UI sign-in to the workspace's ``Audit`` table (``functions/signin_audit``)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.function import SamvadFunction
from infra.constructs.storage import DataStore
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
        store: DataStore,
        layer: lambda_.ILayerVersion,
        code_dir: Path,
        retention_days: int,
        user_pool: cognito.UserPool,
    ) -> None:
        super().__init__(
            scope,
            id,
            name="signin_audit",
            description="Samvad: audit each workspace sign-in (Cognito Post Authentication)",
            store=store,
            layer=layer,
            code_dir=code_dir,
            retention_days=retention_days,
            memory_size=256,
            timeout=TIMEOUT,
        )
        self.add_statements(
            iam.PolicyStatement(
                sid="AppendAudit",
                actions=["dynamodb:PutItem", "dynamodb:ConditionCheckItem"],  # a replay: once
                resources=[store.tables[resources.AUDIT.logical_id].table_arn],
            ),
            iam.PolicyStatement(
                sid="EncryptAudit",
                actions=["kms:Encrypt", "kms:GenerateDataKey"],
                resources=[store.key.key_arn],
            ),
        )
        user_pool.add_trigger(cognito.UserPoolOperation.POST_AUTHENTICATION, self.function)
