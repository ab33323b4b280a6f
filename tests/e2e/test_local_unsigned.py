"""An in-process LocalCloud's SigV4 calls carry their credential scope without a signature
(``samvad_dev.local.unsigned``); S3's calls, presigned URLs and calls after the cloud has
stopped are signed; the calls land in the cloud's account and region."""

from __future__ import annotations

import boto3

from samvad import resources
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.names import REGION


def _authorization(client, call) -> str:
    """The ``Authorization`` header ``call()`` sent ("" without one)."""
    seen: list[str] = []

    def record(request, **_):
        value = request.headers.get("Authorization", "")
        seen.append(value.decode() if isinstance(value, bytes) else str(value))

    client.meta.events.register("before-send", record, unique_id="record-authorization")
    try:
        call()
    finally:
        client.meta.events.unregister("before-send", unique_id="record-authorization")
    assert seen, "the call was not sent"
    return seen[-1]


def test_in_process_calls_carry_their_scope_unsigned_but_s3_and_presigned_urls_are_signed():
    """Given an in-process LocalCloud, When handler-style clients (boto3's default session)
    call DynamoDB, SQS and S3 and presign a URL, Then the DynamoDB and SQS calls carry the
    access key and region with no signature and find the cloud's table and queue (SQS
    takes its region from that scope), S3's call is signed and works, the URL carries a
    signature; and once the cloud has stopped, a new mock's call is signed again."""
    with LocalCloud(stage="unsigned", in_process=True) as cloud:
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        tables: list[str] = []
        header = _authorization(
            dynamodb, lambda: tables.extend(dynamodb.list_tables()["TableNames"])
        )
        assert f"/20260101/{REGION}/dynamodb/aws4_request" in header  # key/date/region/service
        assert header.endswith("Signature=none")
        assert cloud.names.table(resources.VISITS) in tables
        urls: list[str] = []
        header = _authorization(
            sqs, lambda: urls.append(sqs.get_queue_url(QueueName=cloud.names.intake_queue))
        )
        assert header.endswith("Signature=none") and urls
        header = _authorization(
            s3, lambda: s3.put_object(Bucket=cloud.names.bucket, Key="k", Body=b"x")
        )
        assert "Signature=" in header and not header.endswith("Signature=none")
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": cloud.names.bucket, "Key": "k"}
        )
        assert "X-Amz-Signature=" in url
        assert s3.get_object(Bucket=cloud.names.bucket, Key="k")["Body"].read() == b"x"

    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        header = _authorization(client, client.list_tables)
        assert "Signature=" in header and not header.endswith("Signature=none")
