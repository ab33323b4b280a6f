"""IVR voice messages on moto: the real ``grievance_voice`` handler finds Connect's recording
under the grievance's prefix and copies it into the case, encrypted with the data key, once;
until the recording exists the record fails and is retried (issue 11)."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad import resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.grievances import DynamoGrievances
from samvad.adapters.recordings import S3Recordings
from samvad.grievances.voice import voice_object_key
from samvad_dev.local.pump import sqs_record
from samvad_dev.local.voice_messages import silent_wav
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler

REFERENCE = "OD-7K3M9Q"
CASE_ID = f"case-grv-{REFERENCE}"


@pytest.fixture
def voice(stack, monkeypatch):
    """A grievance whose voice message Connect will record, its case opened, the data key."""
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    monkeypatch.setenv(resources.DATA_KEY_ENV, key)
    location = f"s3://{stack.recordings_bucket}/connect/samvad-test/CallRecordings"
    DynamoGrievances(stack.table(resources.GRIEVANCES)).put(
        f"ref#{REFERENCE}",
        {"reference": REFERENCE, "case_id": CASE_ID, "voice_key": f"{location}/2026/11/30/c-9_"},
    )
    DynamoCases(stack.table(resources.CASES)).create(
        {"case_id": CASE_ID, "case_type": "grievance", "round": 0, "audit": []}
    )
    return {"key": key, "location": location}


def event(has_voice: bool = True) -> dict:
    detail = {"reference": REFERENCE, "case_id": CASE_ID, "channel": "ivr", "has_voice": has_voice}
    body = json.dumps({"detail-type": resources.GRIEVANCE_REGISTERED, "detail": detail})
    message = {"MessageId": "m-1", "ReceiptHandle": "r", "Body": body, "MD5OfBody": ""}
    return {"Records": [sqs_record(message, "voice")]}


def test_the_recording_is_copied_into_the_case_encrypted_once(stack, voice):
    """Given no recording yet, When the event is delivered, Then the record fails (retried);
    Given Connect's recording, When delivered three times, Then one object under the case,
    SSE-KMS with the data key, named on the case; the prefix's other contacts untouched."""
    handler = load_handler("grievance_voice")
    assert handler.lambda_handler(event(), Context()) == {
        "batchItemFailures": [{"itemIdentifier": "m-1"}]
    }
    s3 = boto3.client("s3")
    recording = "connect/samvad-test/CallRecordings/2026/11/30/c-9_20261130T06:31_UTC.wav"
    s3.put_object(Bucket=stack.recordings_bucket, Key=recording, Body=silent_wav())
    for _ in range(3):
        assert handler.lambda_handler(event(), Context()) == {"batchItemFailures": []}
    key = voice_object_key(CASE_ID)
    head = s3.head_object(Bucket=stack.bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == voice["key"]
    versions = s3.list_object_versions(Bucket=stack.bucket, Prefix="cases/")["Versions"]
    assert [v["Key"] for v in versions] == [key]
    case = DynamoCases(stack.table(resources.CASES)).get(CASE_ID)
    assert case is not None and case["voice_object"] == key


def test_without_a_voice_message_or_outside_the_location_nothing_is_copied(stack, voice):
    handler = load_handler("grievance_voice")
    assert handler.lambda_handler(event(has_voice=False), Context()) == {"batchItemFailures": []}
    DynamoGrievances(stack.table(resources.GRIEVANCES)).put(
        f"ref#{REFERENCE}",
        {"reference": REFERENCE, "case_id": CASE_ID, "voice_key": "s3://other-bucket/x/c-9_"},
    )
    assert handler.lambda_handler(event(), Context())["batchItemFailures"]  # to the DLQ
    assert "Contents" not in boto3.client("s3").list_objects_v2(
        Bucket=stack.bucket, Prefix="cases/"
    )


def test_find_takes_the_audio_under_the_prefix_only(stack):
    s3 = boto3.client("s3")
    bucket = stack.recordings_bucket
    for key in ("r/2026/c-1_a.wav", "r/2026/c-1_a.json", "r/2026/c-2_b.wav"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    recordings = S3Recordings(stack.bucket)
    assert recordings.find(f"s3://{bucket}/r/2026/c-1_") == f"s3://{bucket}/r/2026/c-1_a.wav"
    assert recordings.find(f"s3://{bucket}/r/2026/c-3_") is None
