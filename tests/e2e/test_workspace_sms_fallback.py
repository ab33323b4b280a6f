"""The call desk's SMS fallback on the local stack: a sampled day's CMO list (real sampler),
worked through the workspace function (real handler, real adapters on moto); after the third
unanswered call the function schedules the SMS survey onto the dispatch queue, the serve
loop (``WorkspaceFront.pump_once``) fires it when due and delivers it to notify (real
handler), which sends one SMS, however often the request or the message is repeated."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from moto.sns.models import sns_backends

from samvad import resources
from samvad_dev.local.cloud import REGION, LocalCloud
from samvad_dev.local.dispatching import pending_schedules, pump_dispatch
from samvad_dev.local.flows import ingest_files, sample_day
from samvad_dev.local.serve import WorkspaceFront
from tests.e2e.test_local_dispatch import visits_file
from tests.e2e.test_workspace_hand_back import _call, _event

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("workspace-sms-fallback")]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
VISIT_DAY = dt.date(2026, 11, 29)
DAY = VISIT_DAY + dt.timedelta(days=1)


def _sms_to(cloud: LocalCloud, phone: str) -> list[str]:
    sent = sns_backends[cloud.account][REGION].sms_messages.values()
    return [text for number, text in sent if number == phone]


def _status(cloud: LocalCloud, visit: str) -> str:
    calls = _call(cloud, "GET", "/api/calls")["calls"]
    return {c["visit_key"]: c["status"] for c in calls}[visit]


def test_the_third_unanswered_call_sends_the_sms_survey_once(tmp_path):
    """Given today's sample on the local stack (the CMO's list of 10; none of it on the
    dispatch queue), When the CMO's three calls to one citizen go unanswered (each handed
    back and returned when due), Then the third hands the SMS survey to the dispatcher: the
    serve loop fires its schedule and notify sends one SMS (the dispatch ledger: contacted by
    sms), and the desk shows ``sms_sent``; a repeated request is refused and a repeated
    dispatch message sends nothing more."""
    with LocalCloud(stage="smsfallback") as cloud:
        list(ingest_files(cloud, [visits_file(tmp_path, VISIT_DAY, 30, "97", ("or",))], "health"))
        cloud.simulated_now = dt.datetime.combine(DAY, dt.time(9, 0), IST)
        run = sample_day(cloud, DAY)
        assert (
            run["by_caller"]["cmo"] == 10
            and run["dispatched"] == run["sampled"] - run["by_channel"]["official_call"]
        )
        queued = [json.loads(m) for m in _queued(cloud)]
        assert len(queued) == run["dispatched"]
        assert {m["channel"] for m in queued} == {"ivr_call", "sms"}
        _drain(cloud)  # the IVR's and SMS contacts: not what this test is about
        visit = _call(cloud, "GET", "/api/calls")["calls"][0]["visit_key"]
        phone = _phone(cloud, visit)
        front = WorkspaceFront(cloud, authorizer=None)  # type: ignore[arg-type]
        now = dt.datetime.combine(DAY, dt.time(10, 0), IST)
        for attempt in (1, 2, 3):
            cloud.simulated_now = now
            front.clock = lambda at=now: at
            front.pump_once()  # the hand-back due by now: the call is back on the list
            result = _call(cloud, "POST", f"/api/calls/{visit}/outcome", {"outcome": "no_answer"})
            assert result["attempt"] == attempt
            if attempt < 3:
                now = dt.datetime.fromisoformat(result["retry_at"]) + dt.timedelta(minutes=1)
        assert result["sms_fallback"] is True and result["retry_at"] == ""
        [(due, _)] = pending_schedules(cloud)
        assert _sms_to(cloud, phone) == []
        later = due + dt.timedelta(minutes=1)
        cloud.simulated_now = later
        front.clock = lambda: later
        front.pump_once()  # fires the schedule, then delivers the dispatch queue to notify
        [text] = _sms_to(cloud, phone)
        assert "/f/" in text  # the survey's link
        assert _ledger(cloud, visit)["status"] == "contacted"
        assert _status(cloud, visit) == "sms_sent"
        again = cloud.invoke(
            "workspace", _event("POST", f"/api/calls/{visit}/outcome", {"outcome": "no_answer"})
        )
        assert again["statusCode"] == 409
        message = {"kind": "survey", "visit_key": visit, "channel": "sms", "attempt": 4,
                   "run_date": DAY.isoformat(), "caller": "cmo", "language": "or"}  # fmt: skip
        sqs = cloud.client("sqs")
        url = cloud.queue_urls[cloud.names.dispatch_queue]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))
        pump_dispatch(cloud)
        assert len(_sms_to(cloud, phone)) == 1 and pending_schedules(cloud) == []


def _queued(cloud: LocalCloud) -> list[str]:
    """Every message on the dispatch queue (received, so hidden until purged)."""
    sqs = cloud.client("sqs")
    url = cloud.queue_urls[cloud.names.dispatch_queue]
    found: list[str] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [m["Body"] for m in batch]
    return found


def _drain(cloud: LocalCloud) -> None:
    cloud.client("sqs").purge_queue(QueueUrl=cloud.queue_urls[cloud.names.dispatch_queue])


def _phone(cloud: LocalCloud, visit: str) -> str:
    item = cloud.client("dynamodb").get_item(
        TableName=cloud.env[resources.VISITS.env_var], Key={"visit_key": {"S": visit}}
    )["Item"]
    return item["phone"]["S"]


def _ledger(cloud: LocalCloud, visit: str) -> dict:
    from samvad.adapters.dispatches import DynamoDispatchLedger

    ledger = DynamoDispatchLedger(cloud.env[resources.DISPATCHES.env_var], cloud.client("dynamodb"))
    return ledger.state(visit) or {}
