"""The push_callers custom resource on moto: the stack's roles become departments' callers."""

from __future__ import annotations

import json

import boto3

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.intake.push import PUSH_CALLERS_CONFIG
from tests.adapters.test_intake_api_handler import Context, batch, request
from tests.conftest import load_handler

ACCOUNT = "123456789012"
HEALTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Samvad-dev-PushRolesPushhealth-AB12CD34"
POLICE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Samvad-dev-PushRolesPushpolice-EF56GH78"
HAND_MADE = "arn:aws:iam::111122223333:role/cctns-push"  # published by an operator


def event(request_type: str, callers: dict[str, str], old: dict[str, str] | None = None) -> dict:
    """What CDK's provider framework hands the function (a CloudFormation request)."""

    def listed(pairs: dict[str, str]) -> list[dict[str, str]]:
        return [{"Role": role, "Department": d} for role, d in pairs.items()]

    body = {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:ap-south-1:123456789012:function:framework",
        "ResponseURL": "https://cloudformation-custom-resource-response.example/",
        "StackId": f"arn:aws:cloudformation:ap-south-1:{ACCOUNT}:stack/Samvad-dev/1",
        "RequestId": "r-1",
        "LogicalResourceId": "PushRolesCallers",
        "ResourceType": "Custom::SamvadPushCallers",
        "ResourceProperties": {"ServiceToken": "x", "Callers": listed(callers)},
    }
    if request_type != "Create":
        body["PhysicalResourceId"] = PUSH_CALLERS_CONFIG
    if old is not None:
        body["OldResourceProperties"] = {"ServiceToken": "x", "Callers": listed(old)}
    return body


def callers(stack) -> dict[str, str]:
    document = DynamoConfig(stack.table(resources.CONFIG)).latest(PUSH_CALLERS_CONFIG) or {}
    return document.get("callers", {})


def versions(stack) -> int:
    """How many versions of the document were published (its head's counter)."""
    head = boto3.client("dynamodb").get_item(
        TableName=stack.table(resources.CONFIG),
        Key={"name": {"S": PUSH_CALLERS_CONFIG}, "version": {"N": "0"}},
    )["Item"]
    return int(head["latest"]["N"])


def test_the_stack_s_roles_become_callers_and_a_signed_push_gets_the_role_s_department(stack):
    """Given the stack creating health's and police's push roles, When the custom resource
    runs (twice: CloudFormation may replay it), Then intake/push-callers maps each role to its
    department in one version, and a batch signed by police's role is police's."""
    handler = load_handler("push_callers")
    roles = {HEALTH_ROLE: "health", POLICE_ROLE: "police"}

    answer = handler.lambda_handler(event("Create", roles), Context())
    handler.lambda_handler(event("Create", roles), Context())

    assert answer == {"PhysicalResourceId": PUSH_CALLERS_CONFIG, "Data": {"Callers": 2}}
    assert callers(stack) == roles and versions(stack) == 1
    signed = f"arn:aws:sts::{ACCOUNT}:assumed-role/Samvad-dev-PushRolesPushpolice-EF56GH78/cctns"
    pushed = load_handler("intake_api").lambda_handler(request(batch(), signed), Context())
    assert pushed["statusCode"] == 200, pushed
    assert json.loads(pushed["body"])["department"] == "police"


def test_an_update_and_a_delete_touch_only_the_stack_s_own_callers(stack):
    """Given the stack's two roles and a role an operator published by hand, When the stack
    replaces police's role and then is deleted, Then the update swaps police's role only, the
    delete removes the stack's roles only, and the hand-published role stays throughout."""
    handler = load_handler("push_callers")
    first = {HEALTH_ROLE: "health", POLICE_ROLE: "police"}
    handler.lambda_handler(event("Create", first), Context())
    config = DynamoConfig(stack.table(resources.CONFIG))
    config.publish(PUSH_CALLERS_CONFIG, {"callers": callers(stack) | {HAND_MADE: "police"}})
    renewed = POLICE_ROLE.replace("EF56GH78", "ZZ99YY88")
    second = {HEALTH_ROLE: "health", renewed: "police"}

    handler.lambda_handler(event("Update", second, old=first), Context())
    after_update = callers(stack)
    handler.lambda_handler(event("Delete", second), Context())

    assert after_update == {HEALTH_ROLE: "health", renewed: "police", HAND_MADE: "police"}
    assert callers(stack) == {HAND_MADE: "police"}
