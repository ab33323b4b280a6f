"""The monitoring construct watches whatever a stack holds, whoever added it."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Match, Template

from infra.constructs.monitoring import Monitoring

pytestmark = pytest.mark.infra


def _alarm_on(template: Template, namespace: str, metric: str, dimension: dict) -> None:
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [dimension],
            "AlarmActions": Match.any_value(),
        },
    )


def test_a_function_api_queue_and_state_machine_added_by_anyone_are_watched():
    """Given a stack another construct filled with a function behind an HTTP API, a queue
    redriving to a dead-letter queue and a state machine, When the monitoring construct is
    made last, Then each has its alarms: Errors and Throttles, the API's 5xx, the DLQ's
    visible messages, the machine's failures; the work queue itself has none."""
    stack = cdk.Stack(cdk.App(), "Other", env=cdk.Environment(region="ap-south-1"))
    function = lambda_.Function(
        stack,
        "Workspace",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c): return {}"),
    )
    api = apigwv2.HttpApi(
        stack,
        "Api",
        default_integration=integrations.HttpLambdaIntegration("Workspace", function),
    )
    dead = sqs.Queue(stack, "Dead")
    work = sqs.Queue(
        stack, "Work", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dead)
    )
    machine = sfn.StateMachine(
        stack, "Machine", definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "P"))
    )

    monitoring = Monitoring(stack, "Monitoring", stage="test")
    template = Template.from_stack(stack)

    ref = {"Ref": stack.get_logical_id(function.node.default_child)}
    _alarm_on(template, "AWS/Lambda", "Errors", {"Name": "FunctionName", "Value": ref})
    _alarm_on(template, "AWS/Lambda", "Throttles", {"Name": "FunctionName", "Value": ref})
    api_id = {"Ref": stack.get_logical_id(api.node.default_child)}
    _alarm_on(template, "AWS/ApiGateway", "5xx", {"Name": "ApiId", "Value": api_id})
    machine_ref = {"Ref": stack.get_logical_id(machine.node.default_child)}
    _alarm_on(
        template,
        "AWS/States",
        "ExecutionsFailed",
        {"Name": "StateMachineArn", "Value": machine_ref},
    )
    dead_id = stack.get_logical_id(dead.node.default_child)
    work_id = stack.get_logical_id(work.node.default_child)
    assert list(monitoring.watched.dead_letter_queues) == [dead_id]
    assert f"DeadLetters{dead_id}" in monitoring.alarms
    assert f"DeadLetters{work_id}" not in monitoring.alarms


def test_the_bus_admits_the_roles_granted_put_events_and_the_named_operators():
    """Given a bus, a role granted events:PutEvents on it, a role that only reads, and an
    operators' role named in the context, Then the bus policy denies PutEvents to every
    principal but the first and the operators."""
    from aws_cdk import aws_events as events
    from aws_cdk import aws_iam as iam

    from infra.constructs.bus_policy import restrict_publishers

    stack = cdk.Stack(cdk.App(), "Bus", env=cdk.Environment(region="ap-south-1"))
    bus = events.EventBus(stack, "Bus")
    publisher = iam.Role(
        stack, "Publisher", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    bus.grant_put_events_to(publisher)
    reader = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    reader.add_to_policy(iam.PolicyStatement(actions=["events:DescribeEventBus"], resources=["*"]))
    operators = "arn:aws:iam::123456789012:role/samvad-operators"

    restrict_publishers(stack, "BusPolicy", bus, [operators])
    [policy] = Template.from_stack(stack).find_resources("AWS::Events::EventBusPolicy").values()
    statement = policy["Properties"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Action"] == "events:PutEvents"
    assert statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] == [
        {"Fn::GetAtt": [stack.get_logical_id(publisher.node.default_child), "Arn"]},
        operators,
    ]
