"""The notify and feedback handlers on moto: real SQS/Connect-event/Function-URL events."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad import resources
from samvad.clock import SIMULATED_NOW_ENV
from samvad_dev.local.citizens import function_url_event, sns_event
from tests.adapters.test_sampling_handler import Context, load_visits
from tests.conftest import load_handler

DAYTIME = "2026-11-23T05:00:00+00:00"  # 10:30 IST


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:dispatch",
                "awsRegion": "ap-south-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def queued(stack, queue: str) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


@pytest.fixture
def sampled(stack, monkeypatch):
    """A sampled day: visits ingested, the sampler run, its dispatch messages taken."""
    monkeypatch.setenv(SIMULATED_NOW_ENV, DAYTIME)
    load_visits(stack)
    load_handler("sampling").lambda_handler({"scheduled_time": "2026-11-23T03:30:00Z"}, Context())
    return queued(stack, stack.dispatch_queue)


def test_a_dispatch_message_delivered_three_times_places_one_call(stack, sampled):
    """Given a sampled visit's IVR message, When SQS delivers it three times (one batch, then
    again), Then one call reaches the telephony port and no record fails."""
    notify = load_handler("dispatch")
    body = json.dumps(next(m for m in sampled if m["channel"] == "ivr_call"))
    first = notify.lambda_handler(sqs_event(body, body), Context())
    second = notify.lambda_handler(sqs_event(body), Context())
    assert first == {"batchItemFailures": []} and second == {"batchItemFailures": []}
    assert len(queued(stack, stack.calls_queue)) == 1


def test_a_poison_message_fails_alone_in_its_batch(stack, sampled):
    """Given a batch with a good SMS message and a malformed one, When notify handles it, Then
    only the malformed record is reported failed (SQS redrives it to the DLQ after 5 tries)
    and the SMS goes out."""
    notify = load_handler("dispatch")
    good = json.dumps(next(m for m in sampled if m["channel"] == "sms"))
    response = notify.lambda_handler(sqs_event(good, '{"channel": "sms"}'), Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    from moto.sns.models import sns_backends

    assert len(sns_backends["123456789012"]["ap-south-1"].sms_messages) == 1


def test_a_connect_contact_event_on_the_queue_ends_the_call(stack, sampled):
    """Given a placed call, When Connect's DISCONNECTED event (not answered) arrives on the
    dispatch queue, Then the retry is scheduled on EventBridge Scheduler, 2 h later."""
    notify = load_handler("dispatch")
    message = next(m for m in sampled if m["channel"] == "ivr_call")
    notify.lambda_handler(sqs_event(json.dumps(message)), Context())
    [call] = queued(stack, stack.calls_queue)
    event = {
        "version": "0",
        "source": "aws.connect",
        "detail-type": "Amazon Connect Contact Event",
        "detail": {
            "eventType": "DISCONNECTED",
            "contactId": call["contact_id"],
            "disconnectReason": "TELECOM_TIMEOUT",
        },
    }
    notify.lambda_handler(sqs_event(json.dumps(event)), Context())
    scheduler = boto3.client("scheduler")
    schedules = scheduler.list_schedules(GroupName=resources.DISPATCH_SCHEDULE_GROUP)["Schedules"]
    inputs = [
        json.loads(
            scheduler.get_schedule(Name=s["Name"], GroupName=resources.DISPATCH_SCHEDULE_GROUP)[
                "Target"
            ]["Input"]
        )
        for s in schedules
    ]
    retry = [i for i in inputs if i.get("attempt") == 2]
    assert len(retry) == 1 and retry[0]["visit_key"] == message["visit_key"]


def test_feedback_handler_routes_connect_sns_and_function_url_events(stack, sampled):
    """Given an IVR call in progress and an SMS sent, When the feedback function receives the
    flow's record invocation, an SMS reply and a GET of an unknown link, Then the IVR answers
    are stored, the SMS reply too, and the unknown link gets a 404 page."""
    notify = load_handler("dispatch")
    feedback = load_handler("feedback")
    ivr = next(m for m in sampled if m["channel"] == "ivr_call")
    sms = next(m for m in sampled if m["channel"] == "sms")
    notify.lambda_handler(sqs_event(json.dumps(ivr), json.dumps(sms)), Context())
    [call] = queued(stack, stack.calls_queue)
    connect = {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": call["attributes"],
                "ContactId": call["contact_id"],
                "CustomerEndpoint": {"Address": call["phone"]},
            },
            "Parameters": {"action": "record", "work_done": "1", "rating": "5", "bribe": "2"},
        },
    }
    response = feedback.lambda_handler(connect, Context())
    assert (response["status"], response["poor"]) == ("recorded", "false")

    from moto.sns.models import sns_backends

    [(message_id, (phone, _))] = sns_backends["123456789012"]["ap-south-1"].sms_messages.items()
    inbound = {
        "originationNumber": phone,
        "messageBody": "1 N",
        "previousPublishedMessageId": message_id,
    }
    assert feedback.lambda_handler(sns_event(inbound), Context()) == ["recorded"]

    table = boto3.resource("dynamodb").Table(stack.table(resources.FEEDBACK))
    assert table.get_item(Key={"visit_key": ivr["visit_key"]})["Item"]["rating"] == 5
    stored = table.get_item(Key={"visit_key": sms["visit_key"]})["Item"]
    assert (stored["rating"], stored["work_done"], stored["poor"]) == (1, False, True)

    page = feedback.lambda_handler(function_url_event("GET", "/f/forged-token"), Context())
    assert page["statusCode"] == 404
    assert page["headers"]["Referrer-Policy"] == "no-referrer"
