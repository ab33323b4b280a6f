"""The chunked intake on moto: the real adapters, the three step handlers, the starter."""

import json

import boto3
import pytest

from samvad import resources
from samvad.adapters.state_machine import StepFunctionsChunks
from samvad.adapters.uploads import DynamoLedger as DynamoChunkLedger
from samvad.intake.chunking import Chunking
from samvad.intake.service import Upload
from samvad.intake.wiring import chunk_ports
from tests.adapters.test_intake_handler import (
    Context,
    count_visits,
    put,
    s3_message,
    sqs_event,
)
from tests.conftest import load_handler

ROWS = "".join(f"94370{n:05d},21/11/2026,HLT-KHU-{n % 3:03d},OPD,Name {n}\n" for n in range(40))
CSV = (
    "Mobile No,Date of Visit,Office Code,Service,Patient Name\n"
    + ROWS
    + "9437 123,21/11/2026,X,OPD,Short\n"
)


@pytest.fixture
def chunked_stack(stack):
    chunk_ports.cache_clear()
    yield stack
    chunk_ports.cache_clear()


def _report(stack, key):
    s3 = boto3.client("s3")
    body = s3.get_object(Bucket=stack.bucket, Key=f"reports/intake/{key[8:]}.json")["Body"]
    return json.loads(body.read())


def test_the_intake_handler_runs_a_large_upload_in_chunks_in_process(chunked_stack, monkeypatch):
    """Given INTAKE_CHUNK_ROWS=5 and no state machine (as locally), When a 41-row upload's
    event reaches the intake handler, Then it is split, ingested chunk by chunk and reduced:
    the report counts every row, the rejects file is in place, the ledger shows every chunk
    done."""
    stack = chunked_stack
    monkeypatch.setenv(resources.INTAKE_CHUNK_ROWS_ENV, "5")
    key = "uploads/health/big.csv"
    etag, version = put(stack, key, CSV)
    message = json.loads(s3_message(stack.bucket, key, etag, version))
    message["Records"][0]["s3"]["object"]["size"] = len(CSV)

    response = load_handler("intake").lambda_handler(sqs_event(json.dumps(message)), Context())

    assert response == {"batchItemFailures": []}
    report = _report(stack, key)
    assert (report["rows"], report["accepted"], report["rejected"]) == (41, 40, 1)
    assert report["rejects_key"] == "rejects/health/big.csv.csv"
    assert count_visits(stack) == 40
    ledger = DynamoChunkLedger(stack.table(resources.UPLOADS))
    done, chunks = ledger.progress(report["upload_id"])
    assert done == chunks == Chunking.for_rows(5).chunks_for(len(CSV)) > 1


def test_the_step_handlers_split_chunk_twice_and_reduce(chunked_stack):
    """Given an upload, When the split, chunk (each run twice, as a retried map item) and
    reduce handlers run as the state machine would call them, Then the report is complete,
    visits are written once, and a failure marks the upload FAILED."""
    stack = chunked_stack
    key = "uploads/health/steps.csv"
    etag, _ = put(stack, key, CSV)
    upload = Upload(stack.bucket, key, etag=etag, size=len(CSV))
    reference = load_handler("intake_split").lambda_handler(
        {"upload": upload.__dict__, "chunking": Chunking(chunks=3).as_dict()}, Context()
    )
    items = json.loads(
        boto3.client("s3")
        .get_object(Bucket=stack.bucket, Key=reference["items_key"])["Body"]
        .read()
    )
    chunk = load_handler("intake_chunk")

    first = [chunk.lambda_handler(item, Context()) for item in items]
    again = [chunk.lambda_handler(item, Context()) for item in items]
    report = load_handler("intake_reduce").lambda_handler(reference, Context())

    assert first == again and sum(r["accepted"] for r in first) == 40
    assert (report["rows"], report["accepted"], report["rejected"], report["duplicates"]) == (
        41, 40, 1, 0,
    )  # fmt: skip
    assert count_visits(stack) == 40
    failure = {**reference, "error": {"Error": "States.TaskFailed", "Cause": "boom"}}
    other = Upload(stack.bucket, "uploads/health/other.csv", etag="x")
    failed = load_handler("intake_reduce").lambda_handler(
        {**failure, "upload": other.__dict__}, Context()
    )
    assert failed["failed"] is True
    item = boto3.client("dynamodb").get_item(
        TableName=stack.table(resources.UPLOADS), Key={"upload_id": {"S": other.upload_id}}
    )["Item"]
    assert (item["status"]["S"], item["failure"]["S"]) == ("FAILED", "States.TaskFailed: boom")


def test_starting_the_state_machine_twice_for_one_upload_starts_one_execution(aws):
    """Given the chunked-intake state machine, When the same upload is started twice (a
    redelivered S3 event), Then both receipts name the one execution."""
    sfn = boto3.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="chunks",
        definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
        ),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    starter = StepFunctionsChunks(arn, sfn)
    upload = Upload("b", "uploads/health/big.csv", etag="e", size=10**9)

    first = starter.start(upload, Chunking())
    second = starter.start(upload, Chunking())

    assert first == second
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_the_ledger_counts_a_retried_chunk_once_and_never_fails_a_finished_upload(stack):
    """Given the Uploads table, When chunk 1 of 3 is reported done twice and chunk 0 once,
    Then the progress is 2 of 3; When a finished upload is then marked failed, Then it stays
    COMPLETED with its report."""
    ledger = DynamoChunkLedger(stack.table(resources.UPLOADS))
    ledger.started("u1", {"key": "uploads/health/a.csv"})

    for chunk in (1, 1, 0):
        ledger.chunk_done("u1", chunk, 3)
    ledger.finished("u1", {"rows": 3})
    ledger.failed("u1", "States.Timeout")

    assert ledger.progress("u1") == (2, 3)
    assert ledger.finished_report("u1") == {"rows": 3}
