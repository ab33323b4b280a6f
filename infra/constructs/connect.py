"""Amazon Connect: the context that turns voice on, and the survey flow that calls feedback.

Voice is optional. Without ``connect_instance_arn`` in the CDK context the stack has no
Connect resource at all and notify sends an SMS for every contact. With it, the instance must
be in the stack's own region (and account): CloudFormation creates ``AWS::Connect::*``
resources only where the instance lives, and Connect publishes its contact events only to
that region's default bus. Amazon Connect is not offered in every region (not in ap-south-1),
so voice means deploying the stack to a Connect region; see ``docs/dispatch-deploy.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

FLOW_FILE = Path(__file__).resolve().parents[1] / "connect" / "survey_flow.json"
FLOW_ARN_PARAMETER = "FeedbackFunctionArn"
"""The flow file names the feedback function as ``${FeedbackFunctionArn}`` (``Fn::Sub``)."""
INSTANCE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"instance/(?P<instance_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class ConnectSettings:
    """The Amazon Connect instance notify calls through, parsed from the CDK context."""

    instance_arn: str
    instance_id: str
    region: str
    account: str
    source_phone: str


def connect_settings(
    instance_arn: Any, source_phone: Any, *, region: str, account: str | None = None
) -> ConnectSettings | None:
    """``ConnectSettings`` from the ``connect_instance_arn`` and ``connect_source_phone``
    context values, or None when the instance ARN is unset (no voice: SMS only).

    Raises ``ValueError`` for an ARN that is not a Connect instance's, an instance in another
    region or account than the stack's (``account`` None or a token: not checked), or a
    missing or non-E.164 source phone number.
    """
    if instance_arn in (None, ""):
        return None
    match = INSTANCE_ARN.match(str(instance_arn))
    if match is None:
        raise ValueError(
            "connect_instance_arn: expected arn:aws:connect:<region>:<account>:instance/<id>, "
            f"got {instance_arn!r}"
        )
    if cdk.Token.is_unresolved(region):
        raise ValueError("connect_instance_arn needs a stack with an explicit region")
    if match["region"] != region:
        raise ValueError(
            f"connect_instance_arn: the instance is in {match['region']} but the stack deploys "
            f"to {region}; Connect resources and contact events live in the instance's region, "
            f"so deploy with -c region={match['region']} (see docs/dispatch-deploy.md)"
        )
    if account and not cdk.Token.is_unresolved(account) and match["account"] != account:
        raise ValueError(
            f"connect_instance_arn: the instance belongs to account {match['account']}, "
            f"not the stack's {account}"
        )
    if source_phone in (None, "") or not E164.match(str(source_phone)):
        raise ValueError(
            "connect_source_phone: the instance's claimed number in E.164 (+<country><number>) "
            f"is required with connect_instance_arn, got {source_phone!r}"
        )
    return ConnectSettings(
        instance_arn=str(instance_arn),
        instance_id=match["instance_id"],
        region=match["region"],
        account=match["account"],
        source_phone=str(source_phone),
    )


class SurveyFlow(Construct):
    """The survey contact flow in the Connect instance, and its access to ``feedback``.

    - ``flow``: ``samvad-survey-<stage>``, type CONTACT_FLOW, content ``flow_file`` with
      ``${FeedbackFunctionArn}`` substituted by the feedback function's ARN.
    - ``integration``: the function is listed as one of the instance's Lambda functions.
    - ``permission``: connect.amazonaws.com may invoke the function, for this instance only.

    ``flow_id`` is the flow's id (the last part of its ARN), what StartOutboundVoiceContact
    takes as ``ContactFlowId``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: ConnectSettings,
        feedback: lambda_.IFunction,
        stage: str,
        flow_file: Path = FLOW_FILE,
    ) -> None:
        super().__init__(scope, id)
        content = flow_content(flow_file, FLOW_ARN_PARAMETER, feedback.function_arn)
        self.permission, self.integration = connect_may_invoke(
            self,
            settings,
            feedback.function_arn,
            permission_id="InvokeFeedback",
            integration_id="FeedbackIntegration",
        )
        self.flow, self.flow_id = contact_flow(
            self,
            settings,
            name=f"samvad-survey-{stage}",
            description="Samvad: the citizen survey; each answer goes to the feedback function",
            content=content,
        )
        # The flow invokes the function: create it once Connect may do so.
        self.flow.node.add_dependency(self.permission, self.integration)


def flow_content(flow_file: Path, parameter: str, value: str) -> str:
    """``flow_file`` with ``${parameter}`` substituted by ``value`` (``Fn::Sub``); a file
    without that placeholder is refused."""
    content = flow_file.read_text(encoding="utf-8")
    if f"${{{parameter}}}" not in content:
        raise ValueError(f"{flow_file}: no ${{{parameter}}} placeholder")
    return cdk.Fn.sub(content, {parameter: value})


def contact_flow(
    scope: Construct, settings: ConnectSettings, *, name: str, description: str, content: str
) -> tuple[connect.CfnContactFlow, str]:
    """The contact flow ``Flow`` (``name``, type CONTACT_FLOW) in the instance, and its id (the
    last part of its ARN: what StartOutboundVoiceContact and a number's association take)."""
    flow = connect.CfnContactFlow(
        scope,
        "Flow",
        instance_arn=settings.instance_arn,
        name=name,
        type="CONTACT_FLOW",
        description=description,
        content=content,
    )
    return flow, cdk.Fn.select(3, cdk.Fn.split("/", flow.attr_contact_flow_arn))


def connect_may_invoke(
    scope: Construct,
    settings: ConnectSettings,
    function_arn: str,
    *,
    permission_id: str,
    integration_id: str,
) -> tuple[lambda_.CfnPermission, connect.CfnIntegrationAssociation]:
    """Let the instance (only) invoke ``function_arn``: Lambda's permission for
    connect.amazonaws.com, and the function listed as one of the instance's."""
    permission = lambda_.CfnPermission(
        scope,
        permission_id,
        action="lambda:InvokeFunction",
        function_name=function_arn,
        principal="connect.amazonaws.com",
        source_arn=settings.instance_arn,
        source_account=cdk.Stack.of(scope).account,
    )
    integration = connect.CfnIntegrationAssociation(
        scope,
        integration_id,
        instance_id=settings.instance_arn,
        integration_type="LAMBDA_FUNCTION",
        integration_arn=function_arn,
    )
    return permission, integration


def start_outbound_voice_statement(settings: ConnectSettings) -> iam.PolicyStatement:
    """StartOutboundVoiceContact needs the ``contact`` resource type only (Service
    Authorization Reference): contacts of this instance, whose ids do not exist yet."""
    return iam.PolicyStatement(
        sid="StartSurveyCalls",
        actions=["connect:StartOutboundVoiceContact"],
        resources=[f"{settings.instance_arn}/contact/*"],
    )
