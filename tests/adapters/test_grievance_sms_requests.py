"""The workspace's grievance SMS on moto: its ports publish ``GrievanceSmsRequested`` (ids
only), the bus's rule puts it on the SMS-requests queue, and the real feedback handler sends
each SMS once however often the record is delivered, the relay with the status page's full
link (issue 11)."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad.grievances import register
from samvad.grievances.relay import ask
from samvad_dev.local.pump import sqs_record
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler
from tests.grievance_fakes import PHONE, submission


def sms_sent() -> list[tuple[str, str]]:
    from moto.sns.models import sns_backends

    from samvad_dev.local.cloud import ACCOUNT, REGION

    return list(sns_backends[ACCOUNT][REGION].sms_messages.values())


def queued(names) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=names.sms_requests_queue)["QueueUrl"]
    found = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found.extend(sqs_record(m, names.sms_requests_queue) for m in batch)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)
            ],
        )
    return found


@pytest.fixture
def workspace(stack):
    """The workspace's grievance ports over the moto stack (SMS by request)."""
    from samvad.workspace.wiring import workspace_ports

    ports = workspace_ports().grievances
    assert ports is not None and ports.sms is None and ports.sms_by_request
    return ports


def test_the_callers_grievance_is_texted_once_by_the_feedback_function(stack, workspace):
    """Given a grievance the contact centre registers (replayed), When the requests on the
    queue are delivered to the feedback handler twice, Then the queue held ids only, and the
    citizen got one SMS with the reference."""
    before = len(sms_sent())
    result = [register(workspace, submission(channel="agent", source_id="call-9")) for _ in "ab"]
    records = queued(stack)
    assert len(records) == 2 and len(sms_sent()) == before  # the workspace sent nothing
    flat = json.dumps(records)
    assert PHONE[-10:] not in flat and "200 rupees" not in flat
    feedback = load_handler("feedback")
    for _ in range(2):
        answer = feedback.lambda_handler({"Records": records}, Context())
        assert answer == {"batchItemFailures": []}
    [(phone, text)] = sms_sent()[before:]
    assert phone == PHONE and result[0].reference in text


def test_a_relayed_question_links_the_status_page_with_its_host(stack, workspace):
    """Given an inbound case, When its holder's question is relayed from the workspace, Then
    the feedback function's SMS carries https://<the feedback URL's host>/g/status."""
    result = register(workspace, submission(channel="agent", source_id="call-10"))
    queued(stack)  # the registration's own SMS request
    case = {"case_id": result.case_id, "case_type": "grievance", "reference": result.reference,
            "round": 0, "level": 1, "language": "en"}  # fmt: skip
    assert ask(workspace, case, "Which counter?", "head-k1")["sent"] is True
    before = len(sms_sent())
    records = queued(stack)
    assert [json.loads(r["body"])["detail"]["template"] for r in records] == ["grievance_question"]
    load_handler("feedback").lambda_handler({"Records": records}, Context())
    [(_phone, text)] = sms_sent()[before:]
    assert "https://sv.local/g/status" in text  # FEEDBACK_URL, as the stack gives it


def test_a_request_that_is_not_one_is_left_for_the_dead_letter_queue(stack):
    record = {"messageId": "m-1", "body": json.dumps({"detail-type": "Other", "detail": {}}),
              "eventSource": "aws:sqs"}  # fmt: skip
    answer = load_handler("feedback").lambda_handler({"Records": [record]}, Context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
