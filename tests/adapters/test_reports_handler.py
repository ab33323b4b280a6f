"""The reports handler on moto: tallies from SQS batches (replayed), reports to S3 and SNS."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse

import boto3
import pytest

from samvad import resources
from samvad_dev.demo import report_events as ev
from samvad_dev.local.cloud import REGION, LambdaContext, queue_arn
from tests.conftest import load_handler

DAY = dt.date(2026, 11, 23)
PHONE = "+919812345678"


@pytest.fixture
def handler(stack):
    from samvad.reports.wiring import _ports

    _ports.cache_clear()  # clients from an earlier test point at a closed mock
    yield load_handler("reports")
    _ports.cache_clear()


def _batch(events: list[dict], names) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": json.dumps(event),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn(names.reports_queue),
                "awsRegion": REGION,
            }
            for i, event in enumerate(events)
        ]
    }


def _items(names) -> list[dict]:
    table = names.table(resources.TALLIES)
    return sorted(
        boto3.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"],
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )


def _day_events(offices, n=12) -> list[dict]:
    events = []
    for office in offices:
        for i in range(n):
            key = ev.visit_key(office, DAY, i)
            events.append(
                ev.envelope(resources.FEEDBACK_RECORDED, ev.feedback(office, key, DAY, 4, True))
            )
    return events


def test_a_replayed_batch_counts_once(handler, stack) -> None:
    """Given a batch of feedback events tallied through the handler, when the same batch is
    delivered again, then no record fails and the Tallies table is unchanged (the transaction's
    marker refused every repeat)."""
    events = _day_events(ev.offices(1, 2), n=5)
    assert handler.lambda_handler(_batch(events, stack), LambdaContext("reports")) == {
        "batchItemFailures": []
    }
    before = _items(stack)
    day_items = [i for i in before if i["pk"]["S"] == "day#2026-11-23"]
    assert [int(i["responses"]["N"]) for i in day_items] == [5, 5]
    rollups = {i["sk"]["S"]: int(i["responses"]["N"]) for i in before
               if i["pk"]["S"] == "rollup#2026-11-23"}  # fmt: skip
    assert sorted(rollups.values()) == [5, 5, 10]  # two offices, their department
    assert handler.lambda_handler(_batch(events, stack), LambdaContext("reports")) == {
        "batchItemFailures": []
    }
    assert _items(stack) == before


def test_a_bad_event_fails_alone(handler, stack) -> None:
    """Given a batch with one malformed event among good ones, then only that record is
    reported failed (it stays on the queue for its DLQ) and the others are tallied."""
    events = _day_events(ev.offices(1, 1), n=3)
    events[1]["detail"]["rating"] = 11
    response = handler.lambda_handler(_batch(events, stack), LambdaContext("reports"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    [day] = [i for i in _items(stack) if i["pk"]["S"] == "day#2026-11-23"]
    assert day["responses"]["N"] == "2"


def test_sample_drawn_reads_the_selection_from_s3(handler, stack) -> None:
    """Given the sampler's selection in S3 and its SampleDrawn event, when tallied (twice),
    then each stratum's day item holds its sampled count once."""
    selection = {
        "selected": [
            {"stratum": "health#opd#HLT-KHU-001", "district": "Khordha"},
            {"stratum": "health#opd#HLT-KHU-001", "district": "Khordha"},
        ]
    }
    key = "samples/2026-11-23/selection.json"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=stack.bucket, Key=key, Body=json.dumps(selection).encode()
    )
    event = ev.envelope(resources.SAMPLE_DRAWN, {"run_date": "2026-11-23", "selection_key": key})
    for _ in range(2):
        handler.lambda_handler(_batch([event], stack), LambdaContext("reports"))
    items = {(i["pk"]["S"], i["sk"]["S"]): i for i in _items(stack)}
    assert items["day#2026-11-23", "health#opd#HLT-KHU-001#"]["sampled"]["N"] == "2"
    assert items["month#2026-11", "health#opd#HLT-KHU-001#"]["sampled"]["N"] == "2"


def test_report_request_writes_outputs_and_announces_a_presigned_link(handler, stack) -> None:
    """Given a day tallied with an overdue case, when the handler gets the daily schedule's
    event, then summary, CSVs and dashboard are in S3, the overdue citizen appears masked, and
    the topic receives one message with a presigned link to the dashboard."""
    offices = ev.offices(1, 2)
    events = _day_events(offices)
    office = offices[0]
    key = ev.visit_key(office, DAY, 0)
    since = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    events.append(ev.envelope(resources.CASE_OVERDUE, ev.case_overdue(office, key, since)))
    handler.lambda_handler(_batch(events[:10], stack), LambdaContext("reports"))
    handler.lambda_handler(_batch(events[10:], stack), LambdaContext("reports"))
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=stack.table(resources.VISITS),
        Item={"visit_key": {"S": key}, "phone": {"S": PHONE}},
    )
    sqs = boto3.client("sqs", region_name=REGION)
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    [topic] = [
        t["TopicArn"]
        for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]
        if t["TopicArn"].endswith(f":{stack.reports_topic}")
    ]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn("inbox")
    )

    scheduled = {"period": "day", "scheduled_time": "2026-11-24T00:30:00Z"}
    result = handler.lambda_handler(scheduled, LambdaContext("reports"))

    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix="reports/day/2026-11-23/")
    names = sorted(o["Key"].removeprefix("reports/day/2026-11-23/") for o in listed["Contents"])
    pages = [key.removeprefix("reports/day/2026-11-23/") for key in result["keys"]["pages"]]
    assert pages and all(page.startswith("pages/") for page in pages)
    assert names == sorted(
        ["summary.json", "dashboard.html", *pages] + [f"{n}.csv" for n in result["keys"]["csv"]]
    )
    summary = json.loads(
        s3.get_object(Bucket=stack.bucket, Key=result["keys"]["summary"])["Body"].read()
    )
    assert summary["totals"]["responses"] == 24
    assert [c["citizen_phone"] for c in summary["overdue"]] == ["+91 98•••••678"]
    for listed_object in listed["Contents"]:
        body = s3.get_object(Bucket=stack.bucket, Key=listed_object["Key"])["Body"].read()
        assert b"9812345678" not in body
    [message] = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10)["Messages"]
    text = json.loads(message["Body"])["Message"]
    link = text.splitlines()[-1]
    parsed = urllib.parse.urlparse(link)
    assert parsed.path.endswith("/reports/day/2026-11-23/dashboard.html")
    assert "X-Amz-Signature" in parsed.query and "X-Amz-Expires=604800" in parsed.query
    assert "9812345678" not in text
