"""The push API: ``POST /intake/v1/visits`` for department systems, IAM-signed (SigV4)."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.http_stage import http_api, throttled_stage
from infra.constructs.intake import TABLE_ACTIONS  # the push API writes what intake writes
from infra.constructs.statements import (
    KMS_USE,
    key_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore

ROUTE = "/intake/v1/visits"
FUNCTION_TIMEOUT = cdk.Duration.seconds(29)
"""Under the HTTP API's 30-second integration limit: 1,000 records take about a second."""
THROTTLE_RATE = 20
"""Batches per second for the whole stage: 29 departments' systems, 1,000 visits a batch."""
THROTTLE_BURST = 40


class IntakeApi(SamvadFunction):
    """``api`` (HTTP API) with one route, ``POST /intake/v1/visits``, behind IAM authorisation,
    and the ``intake_api`` function behind it.

    IAM (SigV4) rather than API keys: API Gateway's API keys identify a usage plan, not a
    caller, and AWS advises against them for authorisation. A department's system signs with
    its department's push role (``infra.constructs.push_roles.PushRoles``: created by the
    stack, allowed only this route, and mapped to its department in the
    ``intake/push-callers`` config document), which the handler reads from the verified
    request context. A role made elsewhere needs ``grant_push`` and an entry published by hand.

    The ``$default`` stage throttles and writes JSON access logs (encrypted with the data key).
    """

    def __init__(self, scope: Construct, id: str, **common: Unpack[FunctionArgs]) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="intake_api",
            description="Samvad push API: department systems post visits (IAM-signed)",
            memory_size=1024,
            timeout=FUNCTION_TIMEOUT,
            **common,
        )
        self.api = http_api(self, "intake", description="Samvad push API for department systems")
        handler = self.http_integration()
        [self.route] = self.api.add_routes(
            path=ROUTE,
            methods=[apigwv2.HttpMethod.POST],
            integration=handler,
            authorizer=authorizers.HttpIamAuthorizer(),
        )
        self.stage, self.access_logs = throttled_stage(
            self,
            self.api,
            store=store,
            rate=THROTTLE_RATE,
            burst=THROTTLE_BURST,
            caller_field={"caller": "$context.identity.userArn"},  # which role pushed
        )
        self.route_arn = self.api.arn_for_execute_api(method="POST", path=ROUTE, stage="*")
        self.add_statements(*self._statements(store))

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a department's system role call the route (map it in ``intake/push-callers``)."""
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["execute-api:Invoke"], resource_arns=[self.route_arn]
        )

    @staticmethod
    def _statements(store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *table_statements(store, TABLE_ACTIONS),
            read_secrets_statement(
                "ReadPhoneHashAndSamplingKeys", store.phone_hash_secret, store.sampling_secret
            ),
            key_statement("UseDataKey", store.key, actions=(*KMS_USE, "kms:DescribeKey")),
        ]
