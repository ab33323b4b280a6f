"""Grievance escalation on the local stack: real executions of the synthesised state machine
on moto's Step Functions engine, the real escalation handler pumped from its queues.

Days are compressed to seconds through the execution's time factor (tests/escalation_support).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from samvad import resources
from samvad.escalation import cases
from samvad.escalation.model import CaseError
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.escalation import local_ports, topic_arn, topic_name
from samvad_dev.local.names import queue_arn
from tests.escalation_support import (
    CITIZEN_PHONE,
    HOLDERS,
    feedback_poor,
    publish,
    put_visit,
    setup_stage,
    sla,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("escalation")]
MASKED = "+91 94•••••345"


@pytest.fixture(scope="module")
def cloud():
    with LocalCloud(stage="esc") as local:
        local.escalation  # noqa: B018 - create the state machine once for the module
        yield local


@pytest.fixture
def ports(cloud):
    return local_ports(cloud)


def _case(ports, case_id):
    return ports.cases.get(case_id) or {}


def _waiting(ports, case_id, kind="atr", level=None):
    def done():
        case = _case(ports, case_id)
        wait = case.get("waits", {}).get(kind) or {}
        return wait.get("round") == case.get("round") and (
            level is None or case.get("level") == level
        )

    return done


def _open(cloud, ports, visit_key, sla_document):
    setup_stage(cloud, sla_document)
    put_visit(cloud, visit_key)
    publish(cloud, resources.FEEDBACK_POOR, feedback_poor(visit_key))
    case_id = "case-" + visit_key
    assert cloud.escalation.run_until(_waiting(ports, case_id), timeout=120)
    return case_id


LIFECYCLE = {
    resources.CASE_OPENED,
    resources.CASE_ESCALATED,
    resources.CASE_RESOLVED,
    resources.CASE_OVERDUE,
}
SEEN: list[dict] = []  # the observer queue is drained on reading: keep what was read


def _events(cloud, case_id) -> list[tuple[str, dict]]:
    SEEN.extend(cloud.domain_events())
    return [
        (e["detail-type"], e["detail"])
        for e in SEEN
        if e["detail"].get("case_id") == case_id and e["detail-type"] in LIFECYCLE
    ]


def _status(cloud, case_id) -> str:
    arn = cloud.escalation.arn.replace(":stateMachine:", ":execution:") + ":" + case_id
    return cloud.client("stepfunctions").describe_execution(executionArn=arn)["status"]


def _entered_per_round(history: list[dict]) -> list[int]:
    """States entered per assignment round (each round starts when Assign is entered)."""
    rounds: list[int] = []
    for event in history:
        details = event.get("stateEnteredEventDetails")
        if not details:
            continue
        if details["name"] == "Assign":
            rounds.append(0)
        rounds[-1] += 1
    return rounds


def _officials_inbox(cloud, official_id: str) -> str:
    """A queue subscribed to the notices topic as ``samvad directory load`` subscribes an
    official's SMS (``samvad.adapters.topics``)."""
    sqs, sns = cloud.client("sqs"), cloud.client("sns")
    url = sqs.create_queue(QueueName=f"esc-inbox-{official_id}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic_arn(cloud.names), Protocol="sqs",
        Endpoint=arn["Attributes"]["QueueArn"],
        Attributes={"FilterPolicy": json.dumps({"official_id": [official_id],
                                                "task": ["await_atr"]})},
    )  # fmt: skip
    return url


def _received(cloud, url: str) -> list[dict]:
    return (
        cloud.client("sqs")
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        .get("Messages", [])
    )


def _answer(cloud, case_id, visit_key, resolved: bool):
    publish(
        cloud,
        resources.CASE_CONFIRMATION,
        {
            "case_id": case_id,
            "visit_key": visit_key,
            "resolved": resolved,
            "channel": "sms",
            "received_at": "2026-11-24T10:00:00Z",
        },
    )


def test_resolved_at_l1_after_atr_and_citizen_confirmation(cloud, ports):
    """Given poor feedback and an L1 office head who files an ATR in time, When the citizen
    confirms it is resolved, Then the case closes as resolved at L1, the execution succeeds,
    the confirmation went on the dispatch queue, the notice showed only the masked phone and
    CaseOpened/CaseResolved were published."""
    inbox = _officials_inbox(cloud, HOLDERS[1])
    case_id = _open(cloud, ports, "v-resolved", sla())
    case = _case(ports, case_id)
    assert case["holder"]["official_id"] == HOLDERS[1]
    notice = case["assignment"]["notice"]
    assert MASKED in notice["sms"] and CITIZEN_PHONE not in json.dumps(case["assignment"])
    # the clerk sent the holder that notice (their subscription filters on official_id)
    [delivered] = _received(cloud, inbox)
    assert json.loads(delivered["Body"])["Message"] == notice["default"]

    with pytest.raises(CaseError, match="not dc-khurda"):
        cases.file_atr(case_id, "done", "dc-khurda", ports)
    cases.file_atr(case_id, "Refunded the money; clerk suspended", HOLDERS[1], ports)
    assert cloud.escalation.run_until(_waiting(ports, case_id, "confirmation"), timeout=120)
    _answer(cloud, case_id, "v-resolved", True)
    assert cloud.escalation.run_until(lambda: _status(cloud, case_id) == "SUCCEEDED", 120)

    case = _case(ports, case_id)
    assert (case["status"], case["level"]) == ("resolved", 1)
    assert [e["what"] for e in case["audit"]] == [
        "opened",
        "atr_filed",
        "citizen_confirmed_resolved",
        "resolved",
    ]
    events = _events(cloud, case_id)
    assert [t for t, _ in events] == [resources.CASE_OPENED, resources.CASE_RESOLVED]
    opened, resolved = events[0][1], events[1][1]
    assert opened["level"] == 1 and opened["deadline"] and opened["department"] == "health"
    assert resolved["level"] == 1 and resolved["resolved_at"] == "2026-11-24T10:00:00Z"
    dispatch = cloud.client("sqs").receive_message(
        QueueUrl=cloud.queue_urls[cloud.names.dispatch_queue], MaxNumberOfMessages=10
    )["Messages"]
    bodies = [json.loads(m["Body"]) for m in dispatch]
    assert {
        "kind": "confirmation",
        "visit_key": "v-resolved",
        "case_id": case_id,
        "channel": "sms",
        "language": "or",
        "level": 1,
        "round": 1,  # the dispatch key: one question per round (L4 asks every round)
    } in bodies
    scheduled = [
        json.loads(e["taskScheduledEventDetails"]["parameters"])
        for e in cloud.escalation.history(case_id)
        if e["type"] == "TaskScheduled"
    ]
    scheduled = [p for p in scheduled if "notice" in p.get("MessageAttributes", {})]
    assert scheduled and all(CITIZEN_PHONE not in json.dumps(p) for p in scheduled)
    assert all(MASKED not in json.dumps(p, ensure_ascii=False) for p in scheduled)
    assert "official_id" not in scheduled[0]["MessageAttributes"]  # no official receives it
    with pytest.raises(CaseError, match="already resolved"):
        cases.file_atr(case_id, "again", HOLDERS[1], ports)


def test_l1_timeout_escalates_to_l2_after_a_reminder(cloud, ports):
    """Given an L1 SLA of 4 (compressed) days and no ATR, When it passes, Then a reminder went
    out at 75%, the case is at L2 with the district collector and a new deadline, the audit
    says why, and CaseEscalated(sla_timeout, 1 → 2) was published. (On the simulated clock:
    a wall-clock deadline of seconds is a race the clerk loses on a loaded machine.)"""
    runtime, case_id = cloud.escalation, "case-v-timeout"
    runtime.on_clock(dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC))
    try:
        setup_stage(cloud, sla(l1=4) | {"time_factor": 1})
        put_visit(cloud, "v-timeout")
        publish(cloud, resources.FEEDBACK_POOR, feedback_poor("v-timeout"))
        runtime.settle()
        assert _waiting(ports, case_id)()
        for _ in range(4):  # its reminder, then its deadline
            runtime.advance(runtime.clock.next_deadline())
            runtime.settle()
            if _case(ports, case_id).get("level") == 2:
                break
    finally:
        runtime.off_clock()
    assert _waiting(ports, case_id, level=2)()
    case = _case(ports, case_id)
    assert case["holder"]["official_id"] == HOLDERS[2] and case["status"] == "open"
    escalated = case["audit"][-1]
    assert (
        escalated["what"],
        escalated["from_level"],
        escalated["to_level"],
        escalated["reason"],
    ) == ("escalated", 1, 2, "sla_timeout")
    names = [
        e["stateEnteredEventDetails"]["name"]
        for e in cloud.escalation.history(case_id)
        if "stateEnteredEventDetails" in e
    ]
    assert names.index("RemindOfficial") < names.index("SlaTimeout")
    types = [
        (t, d.get("reason"), d.get("from_level"), d.get("to_level"))
        for t, d in _events(cloud, case_id)
    ]
    assert types == [
        (resources.CASE_OPENED, None, None, None),
        (resources.CASE_ESCALATED, "sla_timeout", 1, 2),
    ]


def test_atr_but_citizen_says_not_fixed_reopens_at_the_next_level(cloud, ports):
    """Given an ATR at L1, When the citizen says it is not resolved, Then the case is reopened
    at L2 (citizen_not_resolved), and an official can never have closed it alone; the level's
    path took at most 12 transitions."""
    case_id = _open(cloud, ports, "v-notfixed", sla())
    cases.file_atr(case_id, "Spoke to the doctor", HOLDERS[1], ports)
    assert cloud.escalation.run_until(_waiting(ports, case_id, "confirmation"), timeout=120)
    _answer(cloud, case_id, "v-notfixed", False)
    assert cloud.escalation.run_until(_waiting(ports, case_id, level=2), timeout=120)
    case = _case(ports, case_id)
    assert case["status"] == "open" and case["audit"][-1]["reason"] == "citizen_not_resolved"
    assert _events(cloud, case_id)[-1][1]["reason"] == "citizen_not_resolved"
    per_round = _entered_per_round(cloud.escalation.history(case_id))
    assert per_round[0] <= 12, per_round


def test_no_citizen_answer_reopens_at_the_next_level(cloud, ports):
    """Given an ATR at L1 and a confirmation window of 3 (compressed) days, When the citizen
    never answers, Then the case moves to L2 with reason citizen_no_answer, and a late answer
    afterwards changes nothing."""
    case_id = _open(cloud, ports, "v-noanswer", sla(confirm=3))
    cases.file_atr(case_id, "Issued the certificate", HOLDERS[1], ports)
    assert cloud.escalation.run_until(_waiting(ports, case_id, level=2), timeout=120)
    case = _case(ports, case_id)
    assert case["audit"][-1]["reason"] == "citizen_no_answer"
    result = cases.record_confirmation(
        {"case_id": case_id, "resolved": True, "channel": "sms"}, ports
    )
    assert result["result"] == "no_report_pending"
    assert _case(ports, case_id)["status"] == "open"


def test_after_l4_deadline_the_case_stays_open_flagged_overdue(cloud, ports):
    """Given nobody acts at any level, When L4's deadline passes, Then the case is flagged
    overdue at the CM office, still open (the execution keeps waiting), every step is in the
    audit, CaseOverdue(level 4) was published once, and no level took more than 12
    transitions."""
    case_id = _open(cloud, ports, "v-overdue", sla(l1=3, l2=2, l3=2, l4=2))
    assert cloud.escalation.run_until(
        lambda: _case(ports, case_id).get("status") == "overdue", timeout=120
    )
    overdue = [d for t, d in _events(cloud, case_id) if t == resources.CASE_OVERDUE]
    assert len(overdue) == 1 and overdue[0]["level"] == 4 and overdue[0]["since"]
    case = _case(ports, case_id)
    steps = [(e["what"], e["from_level"], e["to_level"]) for e in case["audit"]]
    assert steps == [
        ("opened", 0, 1),
        ("escalated", 1, 2),
        ("escalated", 2, 3),
        ("escalated", 3, 4),
        ("overdue_at_cm_office", 4, 4),
    ]
    assert _status(cloud, case_id) == "RUNNING"
    per_round = _entered_per_round(cloud.escalation.history(case_id))
    assert len(per_round) == 4 and max(per_round[:3]) <= 12, per_round


def test_the_same_feedback_poor_replayed_three_times_opens_one_case(cloud, ports):
    """Given one FeedbackPoor event delivered three times (at least once), When all are
    handled, Then there is one case, one execution and one CaseOpened."""
    setup_stage(cloud, sla())
    put_visit(cloud, "v-replay")
    for _ in range(3):
        publish(cloud, resources.FEEDBACK_POOR, feedback_poor("v-replay"))
    case_id = "case-v-replay"
    assert cloud.escalation.run_until(_waiting(ports, case_id), timeout=120)
    publish(cloud, resources.FEEDBACK_POOR, feedback_poor("v-replay"))
    cloud.escalation.pump()
    names = Counter(e["name"] for e in cloud.escalation.executions())
    assert names[case_id] == 1
    assert [e["what"] for e in _case(ports, case_id)["audit"]] == ["opened"]
    assert [t for t, _ in _events(cloud, case_id)] == [resources.CASE_OPENED]


def test_a_failed_sns_publish_is_retried_and_the_case_is_not_lost(cloud, ports):
    """Given the notices topic is missing when a case opens (SNS publish fails), When it comes
    back, Then the state machine's retry publishes again and the case proceeds to L1."""
    sns = cloud.client("sns")
    sns.delete_topic(TopicArn=topic_arn(cloud.names))
    setup_stage(cloud, sla())
    put_visit(cloud, "v-snsfail")
    publish(cloud, resources.FEEDBACK_POOR, feedback_poor("v-snsfail"))
    case_id = "case-v-snsfail"

    def failed_once():
        return any(e["type"] == "TaskFailed" for e in cloud.escalation.history(case_id))

    assert cloud.escalation.run_until(lambda: _case(ports, case_id) and failed_once(), timeout=120)
    sns.create_topic(Name=topic_name(cloud.names))
    sns.subscribe(
        TopicArn=topic_arn(cloud.names),
        Protocol="sqs",
        Endpoint=queue_arn(cloud.names.tasks_queue, cloud.account),
    )
    assert cloud.escalation.run_until(_waiting(ports, case_id), timeout=120)
    assert _case(ports, case_id)["level"] == 1 and _status(cloud, case_id) == "RUNNING"


def test_a_malformed_message_is_kept_for_the_dead_letter_queue(cloud):
    """Given a body that is neither a Samvad event nor a state machine task, When the handler
    gets it, Then it reports the record as failed (it stays on the queue, then the DLQ)."""
    from samvad_dev.local.escalation import inbox_queue

    sqs = cloud.client("sqs")
    url = cloud.escalation.queue_urls[inbox_queue(cloud.names)]
    sqs.send_message(QueueUrl=url, MessageBody='{"source": "elsewhere"}')
    assert cloud.escalation.pump()["failed"] == 1


def _confirmations(cloud, case_id) -> list[dict]:
    """The confirmation contacts queued for ``case_id`` so far (taken off the queue)."""
    sqs, url = cloud.client("sqs"), cloud.queue_urls[cloud.names.dispatch_queue]
    found = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            body = json.loads(message["Body"])
            if body.get("kind") == "confirmation" and body.get("case_id") == case_id:
                found.append(body)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_at_l4_the_citizen_is_asked_again_every_round(cloud, ports):
    """Given a case escalated to the CM's office (L4) with an ATR there, When the citizen says
    "not resolved", Then the case stays at L4 in a new round, the next ATR brings a new
    question keyed by that round (it used to be the L4 key again, so no question went out and
    the case cycled), and the answer to it resolves the case."""
    case_id = _open(cloud, ports, "v-cmoffice", sla(l1=2, l2=2, l3=2, l4=600, confirm=600))
    assert cloud.escalation.run_until(_waiting(ports, case_id, level=4), timeout=120)
    asked = []
    for answer in (False, True):
        case = _case(ports, case_id)
        cases.file_atr(
            case_id, f"Action at the CM office, round {case['round']}", HOLDERS[4], ports
        )
        assert cloud.escalation.run_until(_waiting(ports, case_id, "confirmation"), timeout=120)
        [question] = _confirmations(cloud, case_id)
        asked.append((question["level"], question["round"]))
        publish(
            cloud,
            resources.CASE_CONFIRMATION,
            {
                "case_id": case_id,
                "visit_key": "v-cmoffice",
                "resolved": answer,
                "round": question["round"],
                "channel": "sms",
                "received_at": "2026-11-24T10:00:00Z",
            },
        )
        if not answer:
            assert cloud.escalation.run_until(
                lambda r=question["round"]: (
                    _case(ports, case_id).get("round") == r + 1
                    and _waiting(ports, case_id, level=4)()
                ),
                timeout=120,
            )
    assert cloud.escalation.run_until(
        lambda: _case(ports, case_id).get("status") == "resolved", timeout=120
    )
    (level_a, round_a), (level_b, round_b) = asked
    assert (level_a, level_b) == (4, 4) and round_b == round_a + 1


def test_on_the_simulated_clock_real_slas_pass_deadline_by_deadline(cloud, ports):
    """Given a case opened on the simulated clock with real SLAs (7, 3, 2 and 2 days), When
    nobody acts and the clock jumps to each next deadline once everything has settled, Then
    the case climbs L1 → L4 and is overdue at the CM's office, each level's deadline exactly
    its SLA after the one before, in a handful of steps and no wall-clock wait."""
    start = dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)
    runtime = cloud.escalation
    runtime.on_clock(start)
    try:
        setup_stage(cloud, {"time_factor": 1, "default": {"1": 7, "2": 3, "3": 2, "4": 2}})
        put_visit(cloud, "v-clock")
        publish(cloud, resources.FEEDBACK_POOR, feedback_poor("v-clock"))
        deadlines, steps = {}, 0
        while steps < 20:
            runtime.settle()
            case = _case(ports, "case-v-clock")
            deadlines[case["level"]] = case["deadline"]
            if case["status"] == "overdue":
                break
            runtime.advance(runtime.clock.next_deadline())
            steps += 1
    finally:
        runtime.off_clock()
    assert cloud.simulated_now is None
    assert case["status"] == "overdue" and case["holder"]["official_id"] == HOLDERS[4]
    days = [(dt.datetime.fromisoformat(deadlines[k]) - start).days for k in (1, 2, 3, 4)]
    assert days == [7, 10, 12, 14]
    assert steps == 8  # each level: its reminder, then its deadline


def test_the_execution_history_holds_no_atr_text_names_or_numbers(cloud, ports):
    """Given a case escalated from L1 (the holder silent) to L2, whose holder files an ATR
    that the citizen confirms, When its execution's input, output and whole history are
    read, Then they hold neither the ATR's text, nor an official's name, phone or e-mail,
    nor the citizen's number in clear or masked, nor any notice text or case page URL (the
    clerk sends the notices from the case item); the Cases table keeps the ATR's text."""
    from tests.escalation_support import DIRECTORY

    case_id = _open(cloud, ports, "v-history", sla(l1=4, l2=60))
    assert cloud.escalation.run_until(_waiting(ports, case_id, level=2), timeout=120)
    text = "Ration card re-issued to the citizen"
    cases.file_atr(case_id, text, HOLDERS[2], ports)
    assert cloud.escalation.run_until(_waiting(ports, case_id, "confirmation"), timeout=120)
    _answer(cloud, case_id, "v-history", True)
    assert cloud.escalation.run_until(lambda: _status(cloud, case_id) == "SUCCEEDED", 120)

    arn = cloud.escalation.arn.replace(":stateMachine:", ":execution:") + ":" + case_id
    execution = cloud.client("stepfunctions").describe_execution(executionArn=arn)
    trail = json.dumps(
        [execution.get("input"), execution.get("output"), cloud.escalation.history(case_id)],
        default=str,
        ensure_ascii=False,
    )
    officials = DIRECTORY["officials"].values()
    private = [text, CITIZEN_PHONE, CITIZEN_PHONE[3:], MASKED, "/cases/", "Citizen feedback on"]
    kept = _case(ports, case_id)["assignment"]  # the last round's notices, kept in the table
    private += [kept[n][p] for n in ("notice", "reminder", "overdue") for p in ("sms", "email")]
    private += [o["name"] for o in officials]
    private += [o.get(k) for o in officials for k in ("phone", "email") if o.get(k)]
    assert [p for p in private if p in trail] == []
    assert HOLDERS[2] in trail and "TaskSucceeded" in trail  # ids, and the callbacks, are there
    assert _case(ports, case_id)["signals"]["atr"]["text"] == text


def test_the_runtime_sees_whether_a_queue_holds_a_message_to_receive(cloud):
    """Given a queue of the stage's cloud, When a message is sent to it, received (so in
    flight, invisible) and deleted, Then ``held`` (read in moto's state, without a call) is
    true only while the message can be received."""
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="samvad-esc-held-probe")["QueueUrl"]
    runtime = cloud.escalation

    assert not runtime.held("samvad-esc-held-probe")
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    assert runtime.held("samvad-esc-held-probe")
    (message,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)["Messages"]
    assert not runtime.held("samvad-esc-held-probe")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert not runtime.held("samvad-esc-held-probe")


def test_the_runtime_discards_what_a_queue_holds(cloud, monkeypatch):
    """Given 23 messages on a queue of the stage's cloud, When the runtime discards the
    queue (as the demo empties the observer queue after each step), Then it reports 23 and
    the queue holds none."""
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="samvad-esc-discard-probe")["QueueUrl"]
    monkeypatch.setitem(cloud.queue_urls, "samvad-esc-discard-probe", url)
    for n in range(23):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n}))

    assert cloud.escalation.discard("samvad-esc-discard-probe") == 23
    assert not cloud.escalation.held("samvad-esc-discard-probe")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
