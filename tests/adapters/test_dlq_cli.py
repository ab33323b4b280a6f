"""``samvad dlq list`` and ``samvad dlq redrive`` on moto: find, show, send back, once."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad import resources
from samvad.adapters import dead_letters
from samvad.cli import main

PHONE = "+919876543210"


@pytest.fixture
def queues(aws):
    """``work`` redriving to ``work-dlq``; ``reports-async-failures`` (tagged, no redrive);
    ``tally`` (a rule's target) and ``plain`` (neither)."""
    sqs = boto3.client("sqs")
    urls = {}
    urls["work-dlq"] = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = arn(urls["work-dlq"])
    urls["work"] = sqs.create_queue(
        QueueName="work",
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
        },
    )["QueueUrl"]
    urls["failures"] = sqs.create_queue(
        QueueName="reports-async-failures", tags={resources.DEAD_LETTER_TAG: "true"}
    )["QueueUrl"]
    urls["tally"] = sqs.create_queue(QueueName="tally")["QueueUrl"]
    urls["plain"] = sqs.create_queue(QueueName="plain")["QueueUrl"]
    return urls


def arn(url: str) -> str:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    return attributes["Attributes"]["QueueArn"]


def send(url: str, body: str, **attributes: str) -> None:
    boto3.client("sqs").send_message(
        QueueUrl=url,
        MessageBody=body,
        MessageAttributes={
            k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
        },
    )


def drain(url: str) -> list[str]:
    sqs, bodies = boto3.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in batch:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line]


def test_list_shows_every_dead_letter_queue_and_masks_phones(queues, capsys):
    """Given a redrive DLQ holding a failed SMS reply (with its phone number) and a tagged
    on-failure queue, When ``samvad dlq list --show 5`` runs, Then both are listed with their
    counts and sources, the plain queues are not, and the phone is masked."""
    send(queues["work-dlq"], json.dumps({"originationNumber": PHONE, "messageBody": "1 N"}))
    assert main(["dlq", "list", "--show", "5"]) == 0
    listed = {line["queue"]: line for line in lines(capsys.readouterr().out)}
    assert set(listed) == {"work-dlq", "reports-async-failures"}
    assert (listed["work-dlq"]["messages"], listed["work-dlq"]["sources"]) == (1, ["work"])
    [shown] = listed["work-dlq"]["shown"]
    assert "9876543210" not in json.dumps(listed) and "originationNumber" in shown["body"]
    assert listed["reports-async-failures"]["messages"] == 0


def test_redrive_sends_messages_back_to_their_source_once(queues, capsys):
    """Given three messages in ``work-dlq``, When it is redriven twice, Then the three are back
    on ``work`` once: the second run finds nothing to move."""
    for i in range(3):
        send(queues["work-dlq"], json.dumps({"visit_key": f"v{i}"}))
    assert main(["dlq", "redrive", "work-dlq"]) == 0
    assert main(["dlq", "redrive", "work-dlq"]) == 0
    first, second = lines(capsys.readouterr().out)
    assert (first["moved"], second["moved"]) == (3, 0)
    assert sorted(json.loads(b)["visit_key"] for b in drain(queues["work"])) == ["v0", "v1", "v2"]
    assert drain(queues["work-dlq"]) == []


def test_redrive_reinvokes_failed_async_invocations_and_routes_rule_dead_letters(
    queues, monkeypatch, capsys
):
    """Given an on-failure queue holding a Lambda failure record, an EventBridge dead letter
    for the tally queue and a message that names no target, When it is redriven, Then the
    function is invoked again (asynchronously, with the original payload), the event goes to
    the tally queue, the third message stays and the command exits 3 saying ``--to``."""
    invoked = []

    class RecordingLambda:
        def invoke(self, **request):
            invoked.append(request)

    real = dead_letters.SqsDeadLetters
    monkeypatch.setattr(
        dead_letters, "SqsDeadLetters", lambda: real(lambda_client=RecordingLambda())
    )
    function = "arn:aws:lambda:ap-south-1:123456789012:function:reports"
    record = {
        "requestContext": {"functionArn": f"{function}:$LATEST", "condition": "RetriesExhausted"},
        "requestPayload": {"period": "day", "scheduled_time": "2026-11-30T00:30:00Z"},
        "responsePayload": {"errorMessage": "boom"},
    }
    send(queues["failures"], json.dumps(record))
    event = {"source": "samvad", "detail-type": "CaseOpened", "detail": {"case_id": "c1"}}
    send(queues["failures"], json.dumps(event), TARGET_ARN=arn(queues["tally"]))
    send(queues["failures"], "no idea where this goes")

    assert main(["dlq", "redrive", "async-failures"]) == 3
    report = lines(capsys.readouterr().out)[0]
    assert (report["invoked"], report["moved"], report["left"]) == (1, 1, 1)
    assert invoked == [
        {
            "FunctionName": function,
            "InvocationType": "Event",
            "Payload": json.dumps(record["requestPayload"]).encode(),
        }
    ]
    assert [json.loads(b) for b in drain(queues["tally"])] == [event]
    assert drain(queues["failures"]) == ["no idea where this goes"]


def test_an_unknown_queue_is_a_clear_error(queues, capsys):
    """Given no dead-letter queue by that name, When redriven, Then exit 2 with a line naming
    the problem and the command that lists them (no traceback)."""
    assert main(["dlq", "redrive", "nope"]) == 2
    error = capsys.readouterr().err
    assert "'nope' names 0 dead-letter queues" in error and "samvad dlq list" in error
