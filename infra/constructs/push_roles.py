"""The departments' push roles: one IAM role per department that may only call the push
route, and the ``intake/push-callers`` config document filled with them (a custom resource),
so a request signed by a role is the department that role was made for."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.function import SamvadFunction, arn_ref, retained_logs
from infra.constructs.intake_api import ROUTE, IntakeApi
from infra.constructs.nag import acknowledge
from infra.constructs.statements import key_statement, table_statements
from infra.constructs.storage import DataStore

CONFIG_ACTIONS = {"Config": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")}
"""``DynamoConfig.publish``: read the head, then one transaction of Put (and Update)."""
_ACCOUNT = re.compile(r"\d{12}")
_PRINCIPAL_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")


@dataclass(frozen=True)
class PushPrincipal:
    """Who may assume a department's push role: an account id or an IAM role/user ARN, with
    the ``sts:ExternalId`` it must present."""

    principal: str
    external_id: str


def push_principals_setting(value: Any, departments: Sequence[str]) -> dict[str, PushPrincipal]:
    """The ``push_principals`` context: ``{department: {"principal": <account id or role
    ARN>, "external_id": "..."}}`` (an object or its JSON text). A department not listed keeps
    the default: its role is assumable in this account only, by principals an administrator
    allows (``sts:AssumeRole`` in their identity policy). A listed principal must come with an
    external id (another account's system presents it when assuming the role)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"push_principals: expected an object by department, got {value!r}")
    result: dict[str, PushPrincipal] = {}
    for department, entry in value.items():
        where = f"push_principals[{department!r}]"
        if department not in departments:
            raise ValueError(f"{where}: not one of the stack's departments {list(departments)}")
        if not isinstance(entry, dict):
            raise ValueError(f'{where}: expected {{"principal": ..., "external_id": ...}}')
        principal, external_id = entry.get("principal"), entry.get("external_id")
        if not isinstance(principal, str) or not (
            _ACCOUNT.fullmatch(principal) or _PRINCIPAL_ARN.fullmatch(principal)
        ):
            raise ValueError(f"{where}.principal: an account id or an IAM role/user ARN")
        if not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id):
            raise ValueError(
                f"{where}.external_id: 2-1224 letters, digits or +=,.@:/-_ (required with a "
                "principal: the department's system presents it when assuming the role)"
            )
        result[department] = PushPrincipal(principal, external_id)
    return result


class PushRoles(Construct):
    """``roles[d]`` for each department ``d``: assumable by ``principals[d]`` (with its
    external id) or, by default, by this account's principals an administrator allows; it may
    only ``execute-api:Invoke`` the push route (``POST /intake/v1/visits`` on the ``$default``
    stage). The ``Callers`` custom resource publishes ``{role ARN: d}`` into the
    ``intake/push-callers`` config document through the ``push_callers`` function (keeping
    entries published by hand), so the push function maps the signing role to ``d``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api: IntakeApi,
        store: DataStore,
        layer: lambda_.ILayerVersion,
        code_dir: Path,
        retention_days: int,
        departments: Sequence[str],
        principals: Mapping[str, PushPrincipal],
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.route_arn = api.api.arn_for_execute_api(
            method="POST", path=ROUTE, stage=api.stage.stage_name
        )
        self.roles: dict[str, iam.Role] = {}
        for department in departments:
            principal = principals.get(department)
            role = iam.Role(
                self,
                f"Push-{department}",
                assumed_by=_principal(principal),
                external_ids=[principal.external_id] if principal else None,
                max_session_duration=cdk.Duration.hours(1),
                description=f"Samvad {stack.stack_name}: {department}'s system pushes visits",
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="PushVisits", actions=["execute-api:Invoke"], resources=[self.route_arn]
                )
            )
            self.roles[department] = role
        self.function = SamvadFunction(
            self,
            "Mapper",
            name="push_callers",
            description="Samvad: the stack's push roles into the intake/push-callers config",
            store=store,
            layer=layer,
            code_dir=code_dir,
            retention_days=retention_days,
            memory_size=256,
            timeout=cdk.Duration.seconds(60),
        )
        self.function.add_statements(
            *table_statements(store, CONFIG_ACTIONS),
            key_statement("UseDataKey", store.key),  # the Config table is encrypted with it
        )
        provider_logs = retained_logs(self, "ProviderLogs", store.key)
        self.provider = cr.Provider(
            self, "Provider", on_event_handler=self.function.function, log_group=provider_logs
        )
        self.callers = cdk.CustomResource(
            self,
            "Callers",
            service_token=self.provider.service_token,
            resource_type="Custom::SamvadPushCallers",
            properties={
                "Callers": [
                    {"Role": role.role_arn, "Department": department}
                    for department, role in self.roles.items()
                ]
            },
        )
        self._acknowledge_provider()

    def _acknowledge_provider(self) -> None:
        """cdk-nag's findings on CDK's provider framework function (its code and role are
        CDK's; its runtime is already the latest, so no L1)."""
        framework = self.provider.node.find_child("framework-onEvent")
        role = framework.node.find_child("ServiceRole")
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            reason="CDK's custom-resource provider framework: its role's basic-execution "
            "policy is set by CDK and only allows writing the framework's own logs.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_ref(self.function.function)}:*]",
            reason="CDK's provider framework invokes the push_callers function (any of its "
            "versions): the one function, nothing else.",
        )


def _principal(principal: PushPrincipal | None) -> iam.IPrincipal:
    if principal is None:
        return iam.AccountRootPrincipal()
    if _ACCOUNT.fullmatch(principal.principal):
        return iam.AccountPrincipal(principal.principal)
    return iam.ArnPrincipal(principal.principal)
