"""Feedback domain on fakes: once per visit, poor rule, events, Connect and SMS entries."""

from __future__ import annotations

import pytest

from samvad import resources
from samvad.feedback.answers import AnswerError, Answers
from samvad.feedback.connect import handle_connect
from samvad.feedback.service import record_confirmation, record_survey
from samvad.feedback.sms import handle_sms_reply
from tests.dispatch_fakes import DispatchWorld, visit


def world() -> DispatchWorld:
    w = DispatchWorld()
    w.visits.visits["v1"] = visit("v1")
    return w


@pytest.mark.parametrize(
    ("answers", "reasons"),
    [
        (Answers(rating=5, work_done=True, bribe_asked=False), []),
        (Answers(rating=3), []),
        (Answers(rating=2, work_done=True), ["low_rating"]),
        (Answers(rating=4, work_done=False), ["work_not_done"]),
        (Answers(rating=5, work_done=True, bribe_asked=True), ["money_asked"]),
        (
            Answers(rating=1, work_done=False, bribe_asked=True),
            ["low_rating", "work_not_done", "money_asked"],
        ),
        (Answers(), []),
    ],
)
def test_poor_feedback_rule(answers, reasons):
    """Given answers, When judged, Then rating ≤ 2, work not done or money asked make it
    poor, each reason named."""
    assert answers.poor_reasons() == reasons


def test_answers_out_of_range_are_refused():
    """Given a rating of 6 or over-long free text, When building answers, Then AnswerError."""
    with pytest.raises(AnswerError, match="rating"):
        Answers(rating=6)
    with pytest.raises(AnswerError, match="free text"):
        Answers(free_text="x" * 1001)


def test_feedback_is_recorded_once_and_poor_feedback_raises_an_event():
    """Given a visit, When poor answers arrive three times (replays, or a second channel),
    Then one item is stored, one FeedbackRecorded and one FeedbackPoor are published, with the
    visit's office, service and official, without phone or free text."""
    w = world()
    ports = w.feedback_ports()
    answers = Answers(rating=2, work_done=False, free_text="they sent me away")
    results = [record_survey("v1", answers, "ivr_call", "or", ports) for _ in range(3)]

    assert [r.status for r in results] == ["recorded", "duplicate", "duplicate"]
    assert all(r.poor for r in results)
    [recorded] = w.events.of(resources.FEEDBACK_RECORDED)
    [poor] = w.events.of(resources.FEEDBACK_POOR)
    assert poor["reasons"] == ["low_rating", "work_not_done"]
    assert (poor["office_code"], poor["official_id"], poor["service"]) == (
        "HLT-KHU-001",
        "OFF-7",
        "OPD",
    )
    for event in (recorded, poor):
        assert "free_text" not in event and "phone" not in event and "phone_hash" not in event
    assert ports.store.get("v1")["free_text"] == "they sent me away"


def test_a_crash_before_marking_published_is_finished_by_the_replay():
    """Given the store failing after the events went out, When the answer is replayed, Then
    the events are published again (at least once) and the item ends published."""
    w = world()
    ports = w.feedback_ports()
    ports.store.fail_mark_once = True
    with pytest.raises(RuntimeError):
        record_survey("v1", Answers(rating=5), "sms", "or", ports)
    assert record_survey("v1", Answers(rating=1), "sms", "or", ports).status == "recorded"
    assert ports.store.get("v1")["published"] is True
    assert ports.store.get("v1")["rating"] == 5  # the first answer is the one kept
    assert [e["rating"] for e in w.events.of(resources.FEEDBACK_RECORDED)] == [5, 5]


def test_feedback_for_an_unknown_visit_is_refused():
    """Given no such visit, When feedback arrives, Then nothing is stored or published."""
    w = world()
    assert record_survey("nope", Answers(rating=4), "web", "en", w.feedback_ports()).status == (
        "unknown_visit"
    )
    assert w.events.published == []


def test_a_confirmation_is_recorded_once_per_round():
    """Given a case, When the citizen confirms round 1 twice and round 2 once, Then two
    CaseConfirmation events, one per round."""
    w = world()
    ports = w.feedback_ports()
    record_confirmation("case-v1", 1, "v1", False, "sms", ports)
    record_confirmation("case-v1", 1, "v1", False, "sms", ports)
    record_confirmation("case-v1", 2, "v1", True, "web", ports)
    events = w.events.of(resources.CASE_CONFIRMATION)
    assert [(e["round"], e["resolved"]) for e in events] == [(1, False), (2, True)]


def connect_event(params: dict, **attributes) -> dict:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {
                    "visit_key": "v1",
                    "kind": "survey",
                    "language": "hi",
                    "caller": "cmo",
                    "service_name": "OPD",
                    "office_name": "Capital Hospital",
                    **attributes,
                },
                "Channel": "VOICE",
                "ContactId": "c-1",
                "CustomerEndpoint": {"Address": "+919876543210", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": params,
        },
    }


def test_connect_record_action_stores_the_keyed_answers():
    """Given the survey flow's record invocation, When the keys were 2 (work not done), 3, 1
    (money asked), 9, Then the feedback is stored as poor with wants_officer, in Hindi."""
    w = world()
    ports = w.feedback_ports()
    response = handle_connect(
        connect_event(
            {"action": "record", "work_done": "2", "rating": "3", "bribe": "1", "officer": "true"}
        ),
        ports,
    )
    assert (response["status"], response["poor"]) == ("recorded", "true")
    stored = ports.store.get("v1")
    assert (stored["rating"], stored["work_done"], stored["bribe_asked"]) == (3, False, True)
    assert stored["wants_officer"] is True and stored["language"] == "hi"
    assert all(isinstance(v, str) for v in response.values())


def test_connect_prompts_opt_out_and_confirm_actions():
    """Given the flow's other actions, When invoked, Then prompts come back as a flat map of
    strings, the opt-out key records STOP for the caller's number, and confirm publishes the
    case answer."""
    w = world()
    ports = w.feedback_ports()
    prompts = handle_connect(connect_event({"action": "prompts"}), ports)
    assert prompts and all(isinstance(k, str) and isinstance(v, str) for k, v in prompts.items())

    assert handle_connect(connect_event({"action": "opt_out"}), ports)["status"] == "opted_out"
    assert w.contacts.opted_out("h-v1")
    assert w.events.of(resources.CITIZEN_OPTED_OUT)[0]["channel"] == "ivr"

    reply = handle_connect(
        connect_event(
            {"action": "confirm", "resolved": "1"},
            kind="confirmation",
            case_id="case-v1",
            round="2",
        ),
        ports,
    )
    assert reply["status"] == "recorded" and reply["mode"] == prompts["mode"]
    [confirmation] = w.events.of(resources.CASE_CONFIRMATION)
    assert confirmation["resolved"] is True and confirmation["round"] == 2


def test_connect_record_without_any_answer_stores_nothing():
    """Given a citizen who keyed nothing, When the flow records, Then nothing is stored."""
    w = world()
    ports = w.feedback_ports()
    assert handle_connect(connect_event({"action": "record"}), ports)["status"] == "no_answers"
    assert ports.store.get("v1") is None


def sms_sent_to(w: DispatchWorld, message_id: str, kind: str = "survey", **extra) -> None:
    """As notify leaves it: the attempt with its SMS reference and message."""
    from samvad.dispatch.service import Contact

    contact = Contact.from_message({"visit_key": "v1", "channel": "sms", "kind": kind, **extra})
    w.ledger.claim(contact, w.clock(), w.clock())
    w.ledger.placed(contact, "sms_sent", message_id, w.clock())


def inbound(body: str, reference: str = "sms-9", phone: str = "+919876543210") -> dict:
    return {
        "originationNumber": phone,
        "destinationNumber": "+918000000000",
        "messageBody": body,
        "previousPublishedMessageId": reference,
    }


def test_an_sms_reply_is_recorded_against_the_contact_it_answers_and_thanked():
    """Given an SMS survey sent to the citizen, When they reply "4 Y" (twice), Then the
    feedback is stored once with rating 4 and work done, and one thank-you SMS goes back."""
    w = world()
    sms_sent_to(w, "sms-9")
    ports = w.feedback_ports()
    assert handle_sms_reply(inbound("4 Y"), ports) == "recorded"
    assert handle_sms_reply(inbound("4 Y"), ports) == "duplicate"
    stored = ports.store.get("v1")
    assert (stored["rating"], stored["work_done"], stored["channel"]) == (4, True, "sms")
    assert len(w.sms.sent) == 1


def test_stop_by_sms_opts_out_for_good_and_is_acknowledged_once():
    """Given any citizen, When they reply STOP twice, Then the registry records the opt-out
    and one acknowledgement is sent."""
    w = world()
    ports = w.feedback_ports()
    assert handle_sms_reply(inbound("STOP", reference=""), ports) == "opted_out"
    assert handle_sms_reply(inbound("stop", reference=""), ports) == "already_opted_out"
    assert w.contacts.opted_out("h-v1") and len(w.sms.sent) == 1


def test_a_reply_from_another_number_is_not_attached_to_the_visit():
    """Given an SMS sent to the citizen, When a reply cites it from a different number, Then
    nothing is recorded."""
    w = world()
    w.visits.visits["v2"] = visit("v2", phone="+919000000002")
    sms_sent_to(w, "sms-9")
    ports = w.feedback_ports()
    assert handle_sms_reply(inbound("1 N", phone="+919000000002"), ports) == "no_contact"
    assert ports.store.get("v1") is None


def test_a_confirmation_reply_resolves_in_its_own_context():
    """Given a confirmation SMS, When the citizen replies "2", Then it is "not resolved" (not
    a rating of 2) and published as a CaseConfirmation."""
    w = world()
    sms_sent_to(w, "sms-9", kind="confirmation", case_id="case-v1", round=1)
    assert handle_sms_reply(inbound("2"), w.feedback_ports()) == "recorded"
    [confirmation] = w.events.of(resources.CASE_CONFIRMATION)
    assert confirmation["resolved"] is False
    assert w.events.of(resources.FEEDBACK_RECORDED) == []


def test_an_unintelligible_reply_is_answered_with_help():
    """Given an SMS survey, When the reply is junk, Then nothing is stored and the citizen
    gets the not-understood message."""
    w = world()
    sms_sent_to(w, "sms-9")
    ports = w.feedback_ports()
    assert handle_sms_reply(inbound("hello??"), ports) == "not_understood"
    assert ports.store.get("v1") is None and len(w.sms.sent) == 1


def test_garbage_replies_get_one_not_understood_sms_per_contact():
    """Given an SMS survey, When an auto-responder sends five garbage replies (and SNS
    redelivers one), Then one "not understood" SMS goes back, not six; a real answer after
    them is still recorded and thanked."""
    w = world()
    sms_sent_to(w, "sms-9")
    ports = w.feedback_ports()
    replies = [inbound(f"Auto-reply {n}: I am away") for n in range(5)]
    results = [handle_sms_reply(reply, ports) for reply in [*replies, replies[0]]]
    assert results == ["not_understood"] * 6
    assert len(w.sms.sent) == 1
    assert handle_sms_reply(inbound("4 Y"), ports) == "recorded"
    assert len(w.sms.sent) == 2


def test_acknowledgements_to_one_number_are_capped_per_day():
    """Given one number sent an SMS for each of several visits, When it answers each with
    garbage, Then at most the daily cap of acknowledgements go back that day; the next day a
    new contact is answered again, an old one still not."""
    from samvad.dispatch.service import Contact
    from samvad.feedback.acks import DAILY_LIMIT

    w = world()
    ports = w.feedback_ports()

    def sms_for(visit_key: str) -> str:
        w.visits.visits[visit_key] = visit("v1", visit_key=visit_key)
        contact = Contact.from_message({"visit_key": visit_key, "channel": "sms"})
        w.ledger.claim(contact, w.clock(), w.clock())
        w.ledger.placed(contact, "sms_sent", f"sms-{visit_key}", w.clock())
        return f"sms-{visit_key}"

    for n in range(DAILY_LIMIT + 2):
        reply = inbound("???", reference=sms_for(f"v{n}"))
        assert handle_sms_reply(reply, ports) == "not_understood"
    assert len(w.sms.sent) == DAILY_LIMIT
    w.clock.advance(days=1)
    handle_sms_reply(inbound("again?", reference="sms-v0"), ports)
    assert len(w.sms.sent) == DAILY_LIMIT
    handle_sms_reply(inbound("huh", reference=sms_for("v-next")), ports)
    assert len(w.sms.sent) == DAILY_LIMIT + 1


def test_a_confirmation_reply_not_understood_gets_the_confirmation_help():
    """Given a confirmation SMS, When the reply is junk, Then the help names 1 and 2."""
    w = world()
    sms_sent_to(w, "sms-9", kind="confirmation", case_id="case-v1", round=1)
    assert handle_sms_reply(inbound("hello??"), w.feedback_ports()) == "not_understood"
    [(_, text)] = w.sms.sent
    assert text.template == "not_understood_confirmation"
