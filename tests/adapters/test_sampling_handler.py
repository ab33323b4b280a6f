"""The sampler Lambda handler on moto: scheduled event, rerun, call lists, verification."""

import datetime as dt
import json
from dataclasses import replace

import boto3

from samvad import resources
from samvad.adapters.objects import S3Documents
from samvad.adapters.visits import DynamoVisits
from samvad.intake.service import Upload, ingest
from samvad.intake.wiring import intake_ports
from samvad.sampling.verify import verify
from samvad.settings import IntakeSettings, SamplingSettings
from tests.conftest import load_handler

RUN = dt.date(2026, 11, 23)


class Context:
    function_name = "sampling"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:sampler"
    aws_request_id = "req-s"

    @staticmethod
    def get_remaining_time_in_millis():
        return 900_000


def load_visits(stack, rows: int = 60):
    lines = ["Mobile No,Date of Visit,Office Code,Service,District"]
    for i in range(rows):
        lines.append(f"98{i:08d},22/11/2026,HLT-KHU-{i % 4:03d},OPD,Khordha")
    key = "uploads/health/day.csv"
    boto3.client("s3").put_object(Bucket=stack.bucket, Key=key, Body="\n".join(lines).encode())
    ports = replace(
        intake_ports(IntakeSettings.from_env()),
        clock=lambda: dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC),
    )
    return ingest(Upload(stack.bucket, key, etag="e1"), ports)


def dispatch_count(stack) -> int:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.dispatch_queue)["QueueUrl"]
    return int(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
    )


def test_scheduled_run_twice_draws_one_sample(stack):
    """Given a day of visits, When the 09:00 schedule's event reaches the sampler twice, Then
    one sample is drawn: the same summary, one dispatch message per sampled IVR or SMS
    contact (the human callers' are on their call lists only), and the sampled visits have
    left the unsampled index."""
    load_visits(stack)
    handler = load_handler("sampling")
    event = {"scheduled_time": "2026-11-23T03:30:00Z"}

    first = handler.lambda_handler(event, Context())
    second = handler.lambda_handler(event, Context())

    assert first == second
    assert first["run_date"] == "2026-11-23" and first["sampled"] > 0
    by_channel = first["by_channel"]
    assert (
        dispatch_count(stack) == first["dispatched"] == by_channel["ivr_call"] + by_channel["sms"]
    )
    assert first["dispatched"] < first["sampled"] == sum(by_channel.values())
    sampled = boto3.client("dynamodb").scan(
        TableName=stack.table(resources.VISITS), FilterExpression="attribute_exists(sampled_on)"
    )
    assert sampled["Count"] == first["sampled"]
    assert all("sample_pk" not in item for item in sampled["Items"])
    lists = boto3.client("dynamodb").scan(TableName=stack.table(resources.CALL_LISTS))["Items"]
    assert len(lists) == first["sampled"]
    assert {item["list_id"]["S"].split("#")[0] for item in lists} == {"2026-11-23"}


def test_verification_catches_a_tampered_score(stack):
    """Given a published and fully revealed sample, When a visit's stored score is altered,
    Then verification fails and names that visit; untouched, it passes."""
    load_visits(stack)
    handler = load_handler("sampling")
    for day in (RUN, RUN + dt.timedelta(days=1), RUN + dt.timedelta(days=2)):
        handler.lambda_handler({"run_date": day.isoformat()}, Context())
    visits = DynamoVisits(stack.table(resources.VISITS))
    documents = S3Documents(stack.bucket)
    assert verify(RUN, visits, documents)["ok"] is True

    victim = visits.visits_of("2026-11-22")[0]["visit_key"]
    boto3.client("dynamodb").update_item(
        TableName=stack.table(resources.VISITS),
        Key={"visit_key": {"S": victim}},
        UpdateExpression="SET sample_score = :s",
        ExpressionAttributeValues={":s": {"S": "0" * 16}},
    )
    result = verify(RUN, visits, documents)
    assert result["ok"] is False and result["score_mismatches"] == [victim]


def test_verification_waits_for_the_secrets(stack):
    """Given only today's run, When verified at once, Then it is not yet verifiable and says
    which secrets are still to be revealed (they would let offices game open days)."""
    load_visits(stack)
    load_handler("sampling").lambda_handler({"run_date": RUN.isoformat()}, Context())
    result = verify(RUN, DynamoVisits(stack.table(resources.VISITS)), S3Documents(stack.bucket))
    assert result["verifiable"] is False
    assert result["missing_secrets"] == ["visit-date/2026-11-21", "visit-date/2026-11-22"]
    published = json.loads(
        boto3.client("s3")
        .get_object(Bucket=stack.bucket, Key="audit/sampling/visit-date/2026-11-20.json")["Body"]
        .read()
    )
    assert len(bytes.fromhex(published["secret"])) == 32


def test_an_opted_out_citizen_is_never_sampled(stack):
    """Given a citizen who replied STOP (recorded in the contacts table), When the day is
    sampled with every visit of their stratum wanted, Then their visit is skipped as opted out
    and leaves the index; everyone else is sampled."""
    from samvad.adapters.contacts import DynamoContacts
    from samvad.pii import phone_hash

    load_visits(stack, rows=8)  # 2 per office: the default plan wants them all
    stopped = phone_hash(intake_ports(IntakeSettings.from_env()).hash_key, "+919800000005")
    contacts = DynamoContacts(SamplingSettings.from_env().contacts_table)
    contacts.opt_out(stopped, "2026-11-22T18:00:00Z")

    summary = load_handler("sampling").lambda_handler({"run_date": RUN.isoformat()}, Context())

    assert summary["skipped_by_reason"] == {"opted_out": 1}
    assert summary["sampled"] == 7
    skipped = boto3.client("dynamodb").scan(
        TableName=stack.table(resources.VISITS), FilterExpression="attribute_exists(sample_skip)"
    )["Items"]
    assert [(i["phone_hash"]["S"], i["sample_skip"]["S"]) for i in skipped] == [
        (stopped, "opted_out")
    ]
    assert all("sample_pk" not in i for i in skipped)
