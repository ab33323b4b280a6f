"""The intake Lambda handler on moto: a real SQS-wrapped S3 event, replayed, logged safely."""

import json
import logging

import boto3

from samvad import resources
from tests.conftest import load_handler

CSV = (
    "Mobile No,Date of Visit,Office Code,Service,Patient Name\n"
    "9876543210,22/11/2026,HLT-KHU-001,OPD,Sasmita\n"
    "+91 99370 12345,21/11/2026,HLT-KHU-002,IPD,Prakash\n"
    "9437 123,21/11/2026,HLT-KHU-002,IPD,Short\n"
)


class Context:
    function_name = "intake"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:intake"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis():
        return 900_000


def s3_message(bucket, key, etag, version=None):
    obj = {"key": key.replace(" ", "+"), "size": len(CSV), "eTag": etag}
    if version:
        obj["versionId"] = version
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "ap-south-1",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": obj,
                    },
                }
            ]
        }
    )


def sqs_event(*bodies):
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:intake",
                "awsRegion": "ap-south-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def put(stack, key, body=CSV):
    s3 = boto3.client("s3")
    response = s3.put_object(Bucket=stack.bucket, Key=key, Body=body.encode())
    return response["ETag"].strip('"'), response.get("VersionId")


def count_visits(stack):
    return boto3.client("dynamodb").scan(TableName=stack.table(resources.VISITS), Select="COUNT")[
        "Count"
    ]


def test_replaying_an_s3_event_three_times_creates_no_duplicate(stack):
    """Given an uploaded file, When its S3 event reaches the handler 3 times (one batch with
    a duplicate, then again), Then the visits are stored once and no record fails."""
    handler = load_handler("intake")
    key = "uploads/health/visits 22 Nov.csv"
    etag, version = put(stack, key)
    message = s3_message(stack.bucket, key, etag, version)

    first = handler.lambda_handler(sqs_event(message, message), Context())
    second = handler.lambda_handler(sqs_event(message), Context())

    assert first == second == {"batchItemFailures": []}
    assert count_visits(stack) == 2
    report = json.loads(
        boto3.client("s3")
        .get_object(Bucket=stack.bucket, Key="reports/intake/health/visits 22 Nov.csv.json")["Body"]
        .read()
    )
    assert (report["accepted"], report["rejected"], report["duplicates"]) == (2, 1, 0)
    assert report["version_id"] == version


def test_the_s3_test_event_is_ignored(stack):
    """Given S3's test event (sent when a notification is configured), Then nothing fails."""
    handler = load_handler("intake")
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.bucket})
    assert handler.lambda_handler(sqs_event(body), Context()) == {"batchItemFailures": []}


def test_a_failing_record_is_reported_for_redelivery_not_swallowed(stack):
    """Given a message naming an object that does not exist, When handled, Then that record
    is reported as a batch item failure (SQS redelivers it, then the DLQ keeps it)."""
    handler = load_handler("intake")
    etag, _ = put(stack, "uploads/health/ok.csv")
    good = s3_message(stack.bucket, "uploads/health/ok.csv", etag)
    missing = s3_message(stack.bucket, "uploads/health/gone.csv", "x")
    response = handler.lambda_handler(sqs_event(good, missing), Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert count_visits(stack) == 2


def test_no_phone_number_appears_in_the_logs(stack, capsys):
    """Given debug logging and an upload full of phone numbers (one even in a name), When
    ingested, Then the logs never show a number in clear."""
    handler = load_handler("intake")
    for name in ("intake", "samvad"):  # Powertools keeps the first level set in this process
        logging.getLogger(name).setLevel("DEBUG")
    body = CSV + "9861 234567,21/11/2026,HLT-KHU-003,OPD,call 9861234567\n"
    etag, _ = put(stack, "uploads/health/pii.csv", body)
    handler.logger.debug("visit of %s", "+919861234567")  # even a careless log line
    handler.lambda_handler(
        sqs_event(s3_message(stack.bucket, "uploads/health/pii.csv", etag)), Context()
    )
    logs = capsys.readouterr()
    text = (logs.out + logs.err).replace(" ", "").replace("-", "")
    assert "upload ingested" in logs.err
    for digits in ("9876543210", "9937012345", "9861234567", "9437123"):
        assert digits not in text


def test_an_unconfigured_department_is_quarantined_and_unlisted_offices_rejected(stack):
    """Given a published directory listing health's offices (not HLT-KHU-002), When a file
    arrives under a misspelt department and the same file under health, Then the first is
    quarantined as unknown_department (moved out of uploads/), and the second's rows for the
    unlisted office are rejected as office_unknown in its rejects file."""
    from samvad.adapters.config import DynamoConfig

    DynamoConfig(stack.table(resources.CONFIG)).publish(
        resources.ESCALATION_DIRECTORY_CONFIG,
        {
            "officials": {"cmo": {"name": "CM's grievance cell", "email": "cmo@example.org"}},
            "cm_office": "cmo",
            "offices": {"health": ["HLT-KHU-001"]},
        },
    )
    handler = load_handler("intake")
    s3 = boto3.client("s3")
    messages = [s3_message(stack.bucket, key, put(stack, key)[0]) for key in (
        "uploads/helth/day.csv",
        "uploads/health/day.csv",
    )]  # fmt: skip

    assert handler.lambda_handler(sqs_event(*messages), Context()) == {"batchItemFailures": []}

    def stored(key):
        return s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read().decode("utf-8-sig")

    refused = json.loads(stored("reports/intake/helth/day.csv.json"))
    assert refused["quarantine_code"] == "unknown_department"
    assert "known departments: energy, food, health" in refused["quarantine_reason"]
    assert stored("quarantine/helth/day.csv") == CSV
    assert "uploads/helth/day.csv" not in [
        o["Key"] for o in s3.list_objects_v2(Bucket=stack.bucket).get("Contents", [])
    ]
    checked = json.loads(stored("reports/intake/health/day.csv.json"))
    assert (checked["accepted"], checked["rejected"], checked["offices_checked"]) == (1, 2, True)
    assert checked["rejected_by_reason"] == {"office_unknown": 1, "phone_wrong_length": 1}
    unknown_office = (
        "office_unknown,office code is not one of the department's offices in the directory: "
        "HLT-KHU-002"
    )
    assert unknown_office in stored(checked["rejects_key"])
    assert count_visits(stack) == 1
