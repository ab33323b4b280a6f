"""``SamvadFunction`` on its own: the scaffolding every Samvad function shares."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samvad import resources
from tests.infra.conftest import REPO_ROOT, as_list, cdk_context

pytestmark = pytest.mark.infra

LAYER_ARN = "arn:aws:lambda:ap-south-1:123456789012:layer:samvad:1"


def _acknowledged(construct: Any) -> dict[str, str]:
    return {
        rule.removeprefix("Annotation::"): reason
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
    }


def test_samvad_function_as_a_child_construct() -> None:
    """Given a SamvadFunction nested under another construct with an extra variable, a grant
    and an object-prefix acknowledgement, when the stack is built, then it has the shared
    function settings, a retained encrypted log group, a role without managed policies that
    holds only logs, X-Ray and the grant, and the expected cdk-nag acknowledgements."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template
    from constructs import Construct

    from infra.constructs.function import SamvadFunction, arn_ref
    from infra.constructs.storage import DataStore

    app = cdk.App(context=cdk_context())
    stack = cdk.Stack(app, "T")
    store = DataStore(stack, "Storage", stage="test", retention_days=30)
    layer = lambda_.LayerVersion.from_layer_version_arn(stack, "Layer", LAYER_ARN)
    probe = SamvadFunction(
        Construct(stack, "Capability"),
        "Probe",
        name="probe",
        description="probe",
        store=store,
        layer=layer,
        code_dir=REPO_ROOT / "functions" / "intake",
        retention_days=30,
        memory_size=256,
        timeout=cdk.Duration.seconds(60),
        environment={"EXTRA": "1"},
    )
    probe.add_statements(
        iam.PolicyStatement(
            sid="Probe", actions=["events:PutEvents"], resources=[store.bus.event_bus_arn]
        )
    )
    probe.acknowledge_object_prefixes(["probe/"], reason="keys vary.")

    assert probe.function.node.path == "T/Capability/Probe/Function"
    template = Template.from_stack(stack).to_json()["Resources"]

    def resource(construct: Any) -> dict[str, Any]:
        return template[stack.get_logical_id(construct.node.default_child)]

    def get_att(construct: Any) -> dict[str, Any]:
        return {"Fn::GetAtt": [stack.get_logical_id(construct.node.default_child), "Arn"]}

    function = resource(probe.function)["Properties"]
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    assert (function["Handler"], function["MemorySize"], function["Timeout"]) == (
        "handler.lambda_handler",
        256,
        60,
    )
    assert function["LoggingConfig"]["LogFormat"] == "JSON"
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["Layers"] == [LAYER_ARN]
    assert "ReservedConcurrentExecutions" not in function
    env = function["Environment"]["Variables"]
    assert set(env) == {spec.env_var for spec in resources.TABLES} | {
        resources.DATA_BUCKET_ENV,
        resources.EVENT_BUS_ENV,
        resources.PHONE_HASH_SECRET_ENV,
        resources.SAMPLING_SECRET_ENV,
        resources.RETENTION_DAYS_ENV,
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_LOG_LEVEL",
        "EXTRA",
    }
    assert (env["POWERTOOLS_SERVICE_NAME"], env[resources.RETENTION_DAYS_ENV]) == ("probe", "30")

    log_group = resource(probe.log_group)
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert log_group["DeletionPolicy"] == "Retain"
    role = resource(probe.role)["Properties"]
    assert "ManagedPolicyArns" not in role
    assert role["Description"] == "Samvad probe function: least privilege, no managed policies"
    role_ref = {"Ref": stack.get_logical_id(probe.role.node.default_child)}
    actions = {
        json.dumps(statement["Resource"], sort_keys=True): set(as_list(statement["Action"]))
        for policy in template.values()
        if policy["Type"] == "AWS::IAM::Policy" and role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    }
    assert actions == {
        json.dumps(get_att(probe.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        json.dumps("*"): {"xray:PutTraceSegments", "xray:PutTelemetryRecords"},
        json.dumps(get_att(store.bus)): {"events:PutEvents"},
    }

    prefix_rule = f"AwsSolutions-IAM5[Resource::{arn_ref(store.bucket)}/probe/*]"
    assert set(_acknowledged(probe.role)) == {"AwsSolutions-IAM5[Resource::*]", prefix_rule}
    assert _acknowledged(probe.role)[prefix_rule] == (
        "Object-level access limited to the probe/ prefix of the data bucket; keys vary."
    )
    assert set(_acknowledged(probe.function)) == {"AwsSolutions-L1"}
