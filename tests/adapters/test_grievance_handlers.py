"""The inbound SMS keywords through the real feedback handler on moto, and the escalation
stage's clerk turning the event into one case (issue 11)."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad import resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.config import DynamoConfig
from samvad.adapters.grievances import DynamoGrievances
from samvad.adapters.visits import DynamoVisits
from samvad.escalation.cases import EscalationPorts
from samvad.escalation.wiring import handle_message
from samvad_dev.local.citizens import sns_event
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler
from tests.grievance_fakes import PHONE, RecordingTasks

BODY = "GRV KHU-PHC-07 the clerk asked for 200 rupees"


@pytest.fixture
def office(stack):
    boto3.client("dynamodb").put_item(
        TableName=stack.table(resources.DIRECTORY),
        Item={
            "department": {"S": "health"},
            "entry": {"S": "office#KHU-PHC-07"},
            "office_name": {"S": "PHC Khurda"},
            "district": {"S": "Khurda"},
        },
    )
    return stack


def inbox(names) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=names.inbox_queue)["QueueUrl"]
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        found.extend(json.loads(m["Body"]) for m in batch)


def test_a_grv_sms_replayed_three_times_opens_exactly_one_anonymous_case(office):
    feedback = load_handler("feedback")
    inbound = {"originationNumber": PHONE, "messageBody": BODY, "inboundMessageId": "in-7"}
    results = [feedback.lambda_handler(sns_event(inbound), Context()) for _ in range(3)]
    assert results == [["grievance_registered"]] * 3
    events = [e for e in inbox(office) if e["detail-type"] == resources.GRIEVANCE_REGISTERED]
    assert len(events) == 1  # published once; a replay finds the registration complete
    flat = json.dumps(events)
    assert PHONE[-10:] not in flat and "200 rupees" not in flat
    grievances = DynamoGrievances(office.table(resources.GRIEVANCES))
    tasks = RecordingTasks()
    ports = EscalationPorts(
        cases=DynamoCases(office.table(resources.CASES)),
        tasks=tasks,
        phone_of=DynamoVisits(office.table(resources.VISITS)).phone,
        config=DynamoConfig(office.table(resources.CONFIG)),
        grievance_of=lambda ref: grievances.get(f"ref#{ref}"),
    )
    body = json.dumps(events[0])
    outcomes = [handle_message(body, ports) for _ in range(3)]
    assert [o["created"] for o in outcomes] == [True, False, False]
    case = DynamoCases(office.table(resources.CASES)).get(outcomes[0]["case_id"])
    assert case is not None and case["case_type"] == "grievance"
    assert (case["district"], case["office_code"]) == ("Khurda", "KHU-PHC-07")
    assert "200 rupees" in case["text"] and PHONE[-10:] not in json.dumps(case)
    [payload] = tasks.started.values()
    assert PHONE[-10:] not in json.dumps(payload) and "200 rupees" not in json.dumps(payload)


def test_status_by_sms_through_the_handler(office):
    feedback = load_handler("feedback")
    feedback.lambda_handler(
        sns_event({"originationNumber": PHONE, "messageBody": BODY, "inboundMessageId": "a"}),
        Context(),
    )
    [event] = [e for e in inbox(office) if e["detail-type"] == resources.GRIEVANCE_REGISTERED]
    reference = event["detail"]["reference"]
    status = {"originationNumber": PHONE, "messageBody": f"status {reference.lower()}"}
    assert feedback.lambda_handler(sns_event(status), Context()) == ["status_sent"]
    other = {**status, "originationNumber": "+919812345678", "inboundMessageId": "b"}
    assert feedback.lambda_handler(sns_event(other), Context()) == ["status_no_match"]
