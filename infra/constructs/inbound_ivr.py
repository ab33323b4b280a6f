"""The inbound IVR: its function and, in the Connect instance, the inbound flow citizens reach.

Built only when the stack is given a Connect instance (``connect_instance_arn``; see
``infra.constructs.connect``): nothing else invokes the function. The flow's claimed number
is associated with it outside CloudFormation (``AssociatePhoneNumberContactFlow`` has no
resource type; ``docs/inbound.md``), with the ``InboundFlowId`` output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.connect import (
    ConnectSettings,
    connect_may_invoke,
    contact_flow,
    flow_content,
)
from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.grievance_voice import GrievanceVoice
from infra.constructs.statements import (
    key_statement,
    publish_events_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from samvad import resources

FLOW_FILE = Path(__file__).resolve().parents[1] / "connect" / "inbound_flow.json"
FLOW_ARN_PARAMETER = "InboundIvrFunctionArn"
CONCURRENCY = 20
"""Reserved: Connect waits at most 8 s per invocation, whatever else the account runs."""
TIMEOUT = cdk.Duration.seconds(10)
RECORDINGS = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$")
TABLE_ACTIONS = {
    "Config": ("dynamodb:GetItem",),
    # the grievance domain: ref#/fold#/once# records, the candidates of a keyed reference
    "Grievances": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                   "dynamodb:BatchGetItem"),
    "Visits": ("dynamodb:GetItem", "dynamodb:PutItem"),  # the citizen's grv-<reference> item
    "Cases": ("dynamodb:GetItem",),
    "RateLimits": ("dynamodb:GetItem", "dynamodb:PutItem"),
    "Directory": ("dynamodb:BatchGetItem",),
}  # fmt: skip


def recordings_setting(value: object) -> str:
    """The ``connect_recordings`` context value: ``s3://<bucket>/<prefix>/CallRecordings``
    (the instance's recordings location), or empty."""
    if value in (None, ""):
        return ""
    if not RECORDINGS.match(str(value)):
        raise ValueError(
            "connect_recordings: expected s3://<bucket>/<prefix>/CallRecordings, the Connect "
            f"instance's call-recordings location, got {value!r}"
        )
    return str(value)


class InboundIvr(SamvadFunction):
    """``function``: ``functions/inbound_ivr``; ``flow``: ``samvad-inbound-<stage>`` with
    ``${InboundIvrFunctionArn}`` substituted; ``integration`` and ``permission`` let this
    instance (only) invoke the function; ``flow_id`` for the number's association."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: ConnectSettings,
        stage: str,
        recordings: str = "",
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="inbound_ivr",
            description="Samvad inbound IVR: menus, grievances, status and schemes for callers",
            memory_size=512,
            timeout=TIMEOUT,
            environment={resources.CONNECT_RECORDINGS_ENV: recordings} if recordings else None,
            reserved_concurrent_executions=CONCURRENCY,
            **common,
        )
        self.add_statements(*self._statements(store))
        self.allow_sms("a scheme notice the caller asked for, a grievance's reference")
        self._flow(settings, stage)
        # voice messages copied into their cases (``connect_recordings_key``: the KMS key
        # Connect encrypts recordings with, when it is not the AWS-managed one)
        self.voice = (
            GrievanceVoice(
                self, "Voice", recordings=recordings,
                recordings_key_arn=str(self.node.try_get_context("connect_recordings_key") or ""),
                **(common | {"code_dir": common["code_dir"].parent / "grievance_voice"}),
            )
            if recordings
            else None
        )  # fmt: skip

    def _flow(self, settings: ConnectSettings, stage: str) -> None:
        arn = self.function.function_arn
        content = flow_content(FLOW_FILE, FLOW_ARN_PARAMETER, arn)
        self.permission, self.integration = connect_may_invoke(
            self, settings, arn, permission_id="InvokeByConnect", integration_id="Integration"
        )
        self.flow, self.flow_id = contact_flow(
            self,
            settings,
            name=f"samvad-inbound-{stage}",
            description="Samvad: citizens call in (grievances, status, schemes)",
            content=content,
        )
        self.flow.node.add_dependency(self.permission, self.integration)
        cdk.CfnOutput(
            self,
            "InboundFlowId",
            value=self.flow_id,
            description="Associate the claimed inbound number with this flow (docs/inbound.md)",
        )

    @staticmethod
    def _statements(store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *table_statements(store, TABLE_ACTIONS),
            publish_events_statement(store),
            read_secrets_statement("ReadPhoneHashKey", store.phone_hash_secret),
            key_statement("UseDataKey", store.key),
        ]
