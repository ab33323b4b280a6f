"""The push API's handler on moto: the signing role decides the department; replays are free."""

import json

import boto3

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.intake.push import PUSH_CALLERS_CONFIG
from tests.conftest import load_handler

HEALTH = "arn:aws:sts::123456789012:assumed-role/samvad-push-health/opd-system"


class Context:
    function_name = "intake_api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:intake_api"
    aws_request_id = "req-1"


def request(body: str, principal: str | None = HEALTH) -> dict:
    """An HTTP API (payload 2.0) request as API Gateway sends it after IAM authorisation."""
    context = {
        "http": {"method": "POST", "path": "/intake/v1/visits", "sourceIp": "10.0.0.1"},
        "requestId": "r1",
        "routeKey": "POST /intake/v1/visits",
        "stage": "$default",
    }
    if principal:
        context["authorizer"] = {"iam": {"userArn": principal, "accountId": "123456789012"}}
    return {
        "version": "2.0",
        "routeKey": "POST /intake/v1/visits",
        "rawPath": "/intake/v1/visits",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": context,
        "body": body,
        "isBase64Encoded": False,
    }


def batch(batch_id="opd-1", **extra) -> str:
    records = [
        {"Mobile No": "9876543210", "Date of Visit": "22/11/2026", "Office Code": "HLT-1",
         "Service": "OPD"},
        {"Mobile No": "12345", "Date of Visit": "22/11/2026", "Office Code": "HLT-1",
         "Service": "OPD"},
    ]  # fmt: skip
    return json.dumps({"batch_id": batch_id, "records": records, **extra})


def setup(stack):
    DynamoConfig(stack.table(resources.CONFIG)).publish(
        PUSH_CALLERS_CONFIG,
        {"callers": {"arn:aws:iam::123456789012:role/samvad-push-health": "health"}},
    )
    return load_handler("intake_api")


def visits(stack) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=stack.table(resources.VISITS))["Items"]


def test_a_batch_is_answered_and_a_replay_gets_the_same_answer(stack):
    """Given health's signed batch of a good and a bad record, When posted twice, Then both
    answers are 200 with the same counts (the second marked a replay), the bad record is named
    by index, and one visit is stored, for health."""
    handler = setup(stack)
    first = handler.lambda_handler(request(batch()), Context())
    again = handler.lambda_handler(request(batch()), Context())

    assert first["statusCode"] == again["statusCode"] == 200
    answer = json.loads(first["body"])
    assert json.loads(again["body"]) == answer
    assert (answer["accepted"], answer["rejected"], answer["department"]) == (1, 1, "health")
    assert answer["rejections"][0]["index"] == 1
    assert again["headers"]["Idempotent-Replayed"] == "true"
    stored = visits(stack)
    assert [(v["department"]["S"], v["source_upload"]["S"]) for v in stored] == [
        ("health", "push:health:opd-1")
    ]
    assert "9876543210" not in first["body"]


def test_another_departments_batch_is_refused_naming_the_field(stack):
    """Given health's credential, When the body says police, Then 403 names department."""
    handler = setup(stack)
    response = handler.lambda_handler(request(batch(department="police")), Context())
    assert response["statusCode"] == 403
    assert json.loads(response["body"])["field"] == "department"
    assert visits(stack) == []


def test_unsigned_or_unmapped_callers_are_refused(stack):
    """Given no IAM principal, or a role no department owns, Then 401 and 403."""
    handler = setup(stack)
    unsigned = handler.lambda_handler(request(batch(), principal=None), Context())
    stranger = "arn:aws:sts::123456789012:assumed-role/someone-else/x"
    unmapped = handler.lambda_handler(request(batch(), principal=stranger), Context())
    assert (unsigned["statusCode"], unmapped["statusCode"]) == (401, 403)
    assert json.loads(unmapped["body"])["field"] == "credential"


def test_bad_json_and_oversized_batches_are_refused(stack):
    """Given a body cut short and one of 1,001 records, Then 400 and 413 say what to fix."""
    handler = setup(stack)
    bad = handler.lambda_handler(request('{"batch_id": "b", "records": ['), Context())
    big = json.dumps({"batch_id": "b", "records": [{}] * 1_001})
    oversized = handler.lambda_handler(request(big), Context())
    assert bad["statusCode"] == 400 and "not JSON" in json.loads(bad["body"])["message"]
    assert oversized["statusCode"] == 413
    assert json.loads(oversized["body"])["field"] == "records"
