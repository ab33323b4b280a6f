"""SMS the workspace may not send, requested by event and sent once by the feedback function
(``samvad.grievances.outbox``), and the relay link's host (issue 11)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from samvad import resources
from samvad.dispatch.policy import NotifyPolicy
from samvad.grievances import GrievanceError, register
from samvad.grievances.outbox import send_requested
from samvad.grievances.relay import ask
from samvad.messages.sms import SmsError
from tests.grievance_fakes import PHONE, GrievanceWorld, submission

FUNCTION_URL = "https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.ap-south-1.on.aws/"


def requests(world: GrievanceWorld) -> list[dict]:
    return [d for t, d in world.events.published if t == resources.GRIEVANCE_SMS_REQUESTED]


@pytest.fixture
def world() -> GrievanceWorld:
    """A workspace's ports (SMS by request) and a sender's (the feedback function's) over the
    same tables."""
    world = GrievanceWorld()
    world.workspace = replace(world.ports, sms=None, sms_by_request=True)  # type: ignore[attr-defined]
    world.sender = replace(world.ports, status_url="https://sv.local/g/status")  # type: ignore[attr-defined]
    return world


def agent_call(**changes):
    return submission(channel="agent", source_id="call-7", by="agent-1", **changes)


def test_a_grievance_the_caller_registers_three_times_is_texted_once(world):
    """Given the workspace's ports, When a caller's grievance is registered three times and
    each request is delivered twice, Then every request carries the same id and no phone or
    text, and the citizen gets exactly one SMS, with the reference."""
    results = [register(world.workspace, agent_call(), world.now) for _ in range(3)]
    sent = requests(world)
    assert len(sent) == 3 and len({r["message_id"] for r in sent}) == 1
    assert world.sms.sent == []  # the workspace itself sends nothing
    flat = json.dumps(sent)
    assert PHONE not in flat and PHONE[3:] not in flat and "200 rupees" not in flat
    outcomes = [send_requested(world.sender, r) for r in sent + sent]
    assert outcomes.count("sent") == 1 and outcomes.count("sent_already") == 5
    [(phone, text)] = world.sms.sent
    assert phone == PHONE and results[0].reference in text.body


def grievance_case(world: GrievanceWorld) -> dict:
    result = register(world.ports, submission(), world.now)
    world.sms.sent.clear()
    case = {"case_id": result.case_id, "case_type": "grievance", "reference": result.reference,
            "round": 1, "level": 1, "language": "en"}  # fmt: skip
    world.cases.cases[result.case_id] = dict(case)
    return case


def test_a_relayed_question_is_requested_and_its_sms_links_the_status_page(world):
    """Given an inbound case, When the holder asks from the workspace (and the request is
    replayed), Then one SMS reaches the citizen with a full https link to the status page,
    and the trail has the question once."""
    case = grievance_case(world)
    assert ask(world.workspace, case, "Which counter?", "head-k1")["sent"] is True
    assert ask(world.workspace, case, "Which counter?", "head-k1")["reason"] == "asked_already"
    sent = requests(world)
    assert len(sent) == 2 and sent[0] == sent[1]  # the replay re-requests the same message
    assert [send_requested(world.sender, r) for r in sent] == ["sent", "sent_already"]
    [(phone, text)] = world.sms.sent
    assert phone == PHONE and "https://sv.local/g/status" in text.body
    trail = world.cases.cases[case["case_id"]]["audit"]
    assert [e["what"] for e in trail] == ["question_sent"]


def test_the_short_link_host_wins_and_a_long_host_is_refused_before_anything_is_claimed(world):
    """Given the notify settings' short host, Then the link is https://<host>/g/status; Given
    only the function URL (too long for a DLT variable), Then the SMS is refused naming the
    link and nothing is claimed: the request is retried, then dead-lettered, not lost."""
    case = grievance_case(world)
    ask(world.workspace, case, "Which counter?", "head-k1")
    [request] = requests(world)
    short = replace(world.sender, policy=NotifyPolicy(link_host="sv.od.in"))
    long = replace(world.sender, status_url=f"{FUNCTION_URL.rstrip('/')}/g/status")
    with pytest.raises(SmsError, match="link"):
        send_requested(long, request)
    assert send_requested(short, request) == "sent"
    [(_phone, text)] = world.sms.sent
    assert "https://sv.od.in/g/status" in text.body


def test_a_request_for_an_erased_citizen_or_without_sms_sends_nothing(world):
    case = grievance_case(world)
    ask(world.workspace, case, "Which counter?", "head-k1")
    [request] = requests(world)
    world.citizens.visits.clear()  # erased
    assert send_requested(world.sender, request) == "no_phone"
    assert send_requested(replace(world.sender, sms=None), request) == "no_sms"
    assert world.sms.sent == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "survey"}, "template"),
        ({"reference": "nope"}, "reference"),
        ({"message_id": "a b"}, "message_id"),
    ],
)
def test_a_malformed_request_is_refused_naming_the_field(world, change, field):
    request = {"message_id": "abc", "template": "grievance_registered",
               "reference": "OD-7K3M9Q", "language": "or"}  # fmt: skip
    with pytest.raises(GrievanceError) as error:
        send_requested(world.sender, {**request, **change})
    assert error.value.field == field


def test_an_sms_refused_by_sns_is_sent_by_the_retry_and_only_once(world):
    """Given SNS throttling the first send, When the request is delivered, retried and
    replayed, Then the first delivery fails (the queue retries it) and the citizen gets one
    SMS in all."""
    from samvad.dispatch.service import ChannelThrottled

    case = grievance_case(world)
    ask(world.workspace, case, "Which counter?", "head-k1")
    [request] = requests(world)
    world.sms.throttle_next = 1
    with pytest.raises(ChannelThrottled):
        send_requested(world.sender, request)
    assert [send_requested(world.sender, request) for _ in "ab"] == ["sent", "sent_already"]
    assert len(world.sms.sent) == 1
