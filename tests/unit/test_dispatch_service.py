"""Dispatch domain on fakes: idempotency, calling hours, pacing, retries, fallback, opt-out."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad import resources
from samvad.dispatch.policy import NotifyPolicy, Rate
from samvad.dispatch.service import (
    ChannelOutcomeUnknown,
    ChannelRejected,
    MessageError,
    call_ended,
    call_outcome,
    check_call,
    dispatch,
)
from tests.dispatch_fakes import IST, PHONE, DispatchWorld, visit


def survey(key: str = "v1", channel: str = "ivr_call", **extra) -> dict:
    return {
        "visit_key": key,
        "run_date": "2026-11-23",
        "caller": "contact-centre",
        "channel": channel,
        "language": "",
        **extra,
    }


def world_with(*keys: str, **kwargs) -> DispatchWorld:
    world = DispatchWorld(**kwargs)
    for key in keys or ("v1",):
        world.visits.visits[key] = visit(key, phone=f"+9198765{abs(hash(key)) % 100000:05d}")
    return world


def ended(world: DispatchWorld, contact_id: str, answered: bool, reason: str = "") -> dict:
    detail = {
        "eventType": "DISCONNECTED",
        "contactId": contact_id,
        "disconnectTimestamp": world.clock().isoformat(),
    }
    if answered:
        detail["connectedToSystemTimestamp"] = world.clock().isoformat()
    if reason:
        detail["disconnectReason"] = reason
    return detail


def test_a_survey_call_is_placed_once_however_often_the_message_is_delivered():
    """Given a sampled visit in calling hours, When its dispatch message is delivered three
    times, Then exactly one call is placed, with the visit's attributes and an idempotency
    token, and the two replays are reported as duplicates."""
    world = world_with("v1")
    results = [dispatch(survey(), world.ports()) for _ in range(3)]

    assert [r.status for r in results] == ["call_placed", "duplicate", "duplicate"]
    [(phone, attributes, token)] = world.telephony.calls
    assert phone == world.visits.visits["v1"]["phone"]
    assert attributes["visit_key"] == "v1" and attributes["language"] == "or"
    assert attributes["service_name"] == "OPD" and attributes["office_name"] == "Capital Hospital"
    assert len(token) == 64
    # the watchdog for a lost contact event is scheduled once
    assert [m for m, _ in world.deferrer.deferred] == [
        {"check_call": True, "key": "v1", "attempt": 1}
    ]


@pytest.mark.parametrize(
    ("local", "opens"),
    [
        (dt.datetime(2026, 11, 23, 21, 0, tzinfo=IST), dt.datetime(2026, 11, 24, 9, 0, tzinfo=IST)),
        (
            dt.datetime(2026, 11, 23, 23, 59, tzinfo=IST),
            dt.datetime(2026, 11, 24, 9, 0, tzinfo=IST),
        ),
        (dt.datetime(2026, 11, 24, 6, 30, tzinfo=IST), dt.datetime(2026, 11, 24, 9, 0, tzinfo=IST)),
    ],
)
def test_outside_calling_hours_the_contact_waits_for_the_morning(local, opens):
    """Given a time outside 09:00–21:00 IST, When a message arrives, Then nothing is placed
    or claimed and the message is deferred to the next opening (spread over 20 minutes)."""
    world = world_with("v1")
    world.clock.now = local
    result = dispatch(survey(), world.ports())

    assert result.status == "deferred" and result.detail == "calling_hours"
    assert world.telephony.calls == [] and world.ledger.items == {}
    [(message, until)] = world.deferrer.deferred
    assert message["visit_key"] == "v1" and message["attempt"] == 1
    assert opens <= until < opens + dt.timedelta(minutes=20)


def test_calling_hours_are_configurable():
    """Given notify settings with hours 10:00–18:00, When it is 09:30 IST, Then the contact
    waits for 10:00."""
    policy = NotifyPolicy.from_document({"calling_hours": {"start": "10:00", "end": "18:00"}})
    world = world_with("v1", policy=policy)
    world.clock.now = dt.datetime(2026, 11, 23, 9, 30, tzinfo=IST)
    result = dispatch(survey(), world.ports())
    assert result.status == "deferred"
    assert dt.datetime.fromisoformat(result.until) >= dt.datetime(2026, 11, 23, 10, 0, tzinfo=IST)


def test_an_opted_out_citizen_is_never_contacted():
    """Given a citizen who replied STOP, When a dispatch message for them arrives, Then no
    call or SMS goes out and a final ``opted_out`` outcome is published once."""
    world = world_with("v1")
    world.contacts.opt_out("h-v1", "2026-11-20T10:00:00")
    results = [dispatch(survey(), world.ports()) for _ in range(2)]

    assert [r.status for r in results] == ["opted_out", "duplicate"]
    assert world.telephony.calls == [] and world.sms.sent == []
    [outcome] = world.events.of(resources.CONTACT_OUTCOME)
    assert outcome["outcome"] == "opted_out" and outcome["final"] is True


def test_an_answered_call_ends_the_contact_and_a_replayed_event_changes_nothing():
    """Given a placed call, When Connect's DISCONNECTED event (answered) arrives twice, Then
    the contact is ``contacted`` and one final ``answered`` outcome is published."""
    world = world_with("v1")
    dispatch(survey(), world.ports())
    event = ended(world, "contact-1", answered=True)
    first, second = call_ended(event, world.ports()), call_ended(event, world.ports())

    assert (first.status, second.status) == ("answered", "duplicate")
    assert world.ledger.state("v1")["status"] == "contacted"
    outcomes = world.events.of(resources.CONTACT_OUTCOME)
    assert [(o["outcome"], o["final"]) for o in outcomes] == [("answered", True)]
    assert outcomes[0]["office_code"] == "HLT-KHU-001" and "phone" not in outcomes[0]


def test_no_answer_retries_twice_at_spaced_hours_then_falls_back_to_sms():
    """Given a citizen who never answers, When each call ends unanswered, Then call 2 is
    scheduled 2 h later, call 3 4 h after that, and then one SMS goes out; every attempt is
    recorded with its outcome and the contact ends ``contacted`` by SMS."""
    world = world_with("v1")
    message = survey()
    for attempt in (1, 2, 3):
        result = dispatch(message, world.ports())
        assert result.status == "call_placed" and result.attempt == attempt
        placed_at = world.clock()
        after = call_ended(
            ended(world, f"contact-{attempt}", False, "TELECOM_TIMEOUT"), world.ports()
        )
        message, until = world.deferrer.deferred[-1]
        if attempt < 3:
            assert after.status == "retry_scheduled"
            hours = {1: 2, 2: 4}[attempt]
            assert until == placed_at + dt.timedelta(hours=hours)
        else:
            assert after.status == "sms_fallback" and message["channel"] == "sms"
        world.clock.now = until

    final = dispatch(message, world.ports())
    assert final.status == "sms_sent" and final.attempt == 4
    assert len(world.telephony.calls) == 3 and len(world.sms.sent) == 1
    outcomes = [
        (o["attempt"], o["outcome"], o["final"]) for o in world.events.of(resources.CONTACT_OUTCOME)
    ]
    assert outcomes == [
        (1, "no_answer", False),
        (2, "no_answer", False),
        (3, "no_answer", False),
        (4, "sms_sent", True),
    ]
    attempts = {n: world.ledger.attempt("v1", n)["outcome"] for n in (1, 2, 3, 4)}
    assert attempts == {1: "no_answer", 2: "no_answer", 3: "no_answer", 4: "sms_sent"}
    assert world.ledger.state("v1")["status"] == "contacted"


def test_a_retry_that_would_fall_at_night_waits_for_the_morning():
    """Given a call unanswered at 20:00 IST, When the retry is scheduled (+2 h = 22:00), Then
    it is moved to 09:00 the next day."""
    world = world_with("v1")
    world.clock.now = dt.datetime(2026, 11, 23, 20, 0, tzinfo=IST)
    dispatch(survey(), world.ports())
    call_ended(ended(world, "contact-1", False), world.ports())
    _, until = world.deferrer.deferred[-1]
    assert until == dt.datetime(2026, 11, 24, 9, 0, tzinfo=IST)


def test_busy_retries_sooner_and_classification_of_disconnects():
    """Given a busy line, When the call ends, Then the retry comes 30 minutes later; and the
    DISCONNECTED details classify as answered / busy / failed / no answer."""
    world = world_with("v1")
    dispatch(survey(), world.ports())
    placed_at = world.clock()
    call_ended(ended(world, "contact-1", False, "TELECOM_BUSY"), world.ports())
    assert world.deferrer.deferred[-1][1] == placed_at + dt.timedelta(minutes=30)

    assert call_outcome({"connectedToSystemTimestamp": "t"}) == "answered"
    assert call_outcome({"disconnectReason": "TELECOM_BUSY"}) == "busy"
    assert call_outcome({"disconnectReason": "TELECOM_NUMBER_INVALID"}) == "failed"
    assert call_outcome({"disconnectReason": "TELECOM_TIMEOUT"}) == "no_answer"
    assert call_outcome({}) == "no_answer"


def test_pacing_keeps_every_second_within_the_channel_rate():
    """Given 30 contacts due at once and the voice quota 2/s (burst 5), When they are
    dispatched one after another (waits under 2 s sleep, longer ones re-queue), Then all 30
    calls are placed eventually and no one-second window ever holds more than burst + rate
    calls (the pace is 90% of the quota, burst 4)."""
    keys = [f"v{i}" for i in range(30)]
    world = world_with(*keys)
    pending = [survey(k) for k in keys]
    placed_at: list[dt.datetime] = []
    while pending:
        message = pending.pop(0)
        result = dispatch(message, world.ports())
        if result.status == "call_placed":
            placed_at.append(world.clock())
        else:
            assert result.status == "deferred" and result.detail == "paced"
            world.clock.now = max(world.clock.now, dt.datetime.fromisoformat(result.until))
            pending.append(message)
    assert len(placed_at) == 30
    for start in placed_at:
        in_window = [t for t in placed_at if start <= t < start + dt.timedelta(seconds=1)]
        assert len(in_window) <= 5 + 2
    span = (placed_at[-1] - placed_at[0]).total_seconds()
    assert span >= (30 - 4) / 1.8 - 0.01  # the sustained pace holds over the run


def test_a_throttled_call_is_deferred_and_the_retry_reclaims_the_same_attempt():
    """Given Connect answering ThrottlingException once, When the message is dispatched,
    Then the attempt is released and deferred by seconds; the deferred message places the
    call as the same attempt."""
    world = world_with("v1")
    world.telephony.throttle_next = 1
    first = dispatch(survey(), world.ports())
    assert first.status == "deferred" and first.detail == "throttled"
    assert world.ledger.attempt("v1", 1)["outcome"] == "unplaced"
    again = dispatch(world.deferrer.deferred[-1][0], world.ports())
    assert again.status == "call_placed" and again.attempt == 1
    assert len(world.telephony.calls) == 1


def test_a_claim_left_by_a_dead_invocation_is_taken_over_once_stale():
    """Given an attempt claimed by an invocation that died before placing the call, When the
    message is redelivered at once, Then it is a duplicate; once the claim is stale (after
    SQS's visibility timeout), the redelivery places the call."""
    world = world_with("v1")
    from samvad.dispatch.service import Contact

    contact = Contact.from_message(survey())
    world.ledger.claim(contact, world.clock(), world.clock() - dt.timedelta(minutes=5))
    assert dispatch(survey(), world.ports()).status == "duplicate"
    world.clock.advance(minutes=6)
    assert dispatch(survey(), world.ports()).status == "call_placed"


def test_an_sms_contact_carries_a_link_and_survives_a_crash_before_settling():
    """Given an SMS contact, When the invocation dies after the SMS was sent but before the
    outcome was published, Then the redelivery publishes the outcome without sending again."""
    world = world_with("v1")
    world.events.publish = _fail_once(world.events.publish)
    with pytest.raises(RuntimeError):
        dispatch(survey(channel="sms"), world.ports())
    assert len(world.sms.sent) == 1
    again = dispatch(survey(channel="sms"), world.ports())
    assert again.status == "sms_sent" and len(world.sms.sent) == 1
    [outcome] = world.events.of(resources.CONTACT_OUTCOME)
    assert outcome["outcome"] == "sms_sent"
    assert world.links.issued == [("v1", "or")]
    assert world.contacts.last_sms("h-v1")["visit_key"] == "v1"


REDELIVERY = dt.timedelta(seconds=resources.DISPATCH_VISIBILITY_SECONDS + 1)
"""When SQS hands a crashed invocation's message to another: after the visibility timeout."""


def test_a_crash_between_publish_and_recording_never_sends_the_sms_twice():
    """Given an SMS contact whose invocation dies after SNS accepted the SMS but before the
    ledger recorded it, When SQS redelivers the message after its visibility timeout, and again
    half an hour later, Then no second SMS goes out: the attempt is recorded unconfirmed, the
    contact finished, the outcome published (``confirmed: false``) and the reply matchable."""
    world = world_with("v1")
    placed = world.ledger.placed

    def crash_on_record(contact, outcome, reference, now):
        world.ledger.placed = placed  # the next invocation records normally
        raise RuntimeError("Task timed out after 60.00 seconds")

    world.ledger.placed = crash_on_record
    with pytest.raises(RuntimeError):
        dispatch(survey(channel="sms"), world.ports())
    assert len(world.sms.sent) == 1

    world.clock.now += REDELIVERY
    again = dispatch(survey(channel="sms"), world.ports())
    world.clock.advance(minutes=30)
    late = dispatch(survey(channel="sms"), world.ports())

    assert (again.status, late.status) == ("sms_unconfirmed", "duplicate")
    assert len(world.sms.sent) == 1
    assert world.ledger.attempt("v1", 1)["outcome"] == "sms_unconfirmed"
    assert world.ledger.state("v1")["status"] == "contacted"
    [outcome] = world.events.of(resources.CONTACT_OUTCOME)
    assert (outcome["outcome"], outcome["confirmed"]) == ("sms_sent", False)
    assert world.contacts.last_sms("h-v1")["visit_key"] == "v1"


def test_a_concurrent_delivery_of_a_fresh_sms_claim_is_a_duplicate():
    """Given an SMS attempt claimed a moment ago (its invocation still running), When a copy
    of the message arrives, Then it does nothing: the live invocation finishes the job."""
    world = world_with("v1")
    from samvad.dispatch.service import Contact

    contact = Contact.from_message(survey(channel="sms"))
    world.ledger.claim(contact, world.clock(), world.clock() - dt.timedelta(minutes=5))
    world.clock.advance(seconds=10)
    assert dispatch(survey(channel="sms"), world.ports()).status == "duplicate"
    assert world.sms.sent == [] and world.ledger.attempt("v1", 1)["outcome"] == "claimed"


def test_an_sms_publish_whose_answer_timed_out_is_not_sent_again():
    """Given SNS accepting an SMS whose response never arrives (a read timeout), When the
    message is handled and then redelivered, Then one SMS went out, the attempt is recorded
    unconfirmed and the contact finished: the redelivery is a duplicate."""
    world = world_with("v1")
    send = world.sms.send

    def accepted_then_timed_out(phone, text, policy):
        send(phone, text, policy)
        raise ChannelOutcomeUnknown("ReadTimeoutError")

    world.sms.send = accepted_then_timed_out
    first = dispatch(survey(channel="sms"), world.ports())
    world.clock.now += REDELIVERY
    again = dispatch(survey(channel="sms"), world.ports())

    assert (first.status, again.status) == ("sms_unconfirmed", "duplicate")
    assert len(world.sms.sent) == 1
    assert world.ledger.state("v1")["status"] == "contacted"


def test_the_claim_window_outlasts_the_dispatch_queue_visibility_timeout():
    """The stale-claim window and the queue's visibility timeout come from one constant."""
    from samvad.dispatch.service import INVOCATION_LIMIT, STALE_CLAIM

    visibility = dt.timedelta(seconds=resources.DISPATCH_VISIBILITY_SECONDS)
    assert INVOCATION_LIMIT < visibility < STALE_CLAIM


def test_without_telephony_voice_contacts_go_by_sms():
    """Given no Connect instance configured, When an IVR contact is dispatched, Then an SMS
    goes out instead of nothing."""
    world = world_with("v1", telephony=None)
    assert dispatch(survey(), world.ports()).status == "sms_sent"
    assert len(world.sms.sent) == 1


def test_an_unroutable_number_falls_back_to_sms_at_once():
    """Given Connect refusing the destination, When the call is placed, Then the attempt is
    recorded failed and an SMS attempt is queued for the opening hours (now)."""
    world = world_with("v1")

    def refuse(*args):
        raise ChannelRejected("DestinationNotAllowedException")

    world.telephony.start_call = refuse
    result = dispatch(survey(), world.ports())
    assert result.status == "sms_fallback"
    message, until = world.deferrer.deferred[-1]
    assert message["channel"] == "sms" and message["attempt"] == 2 and until == world.clock()


def test_the_watchdog_asks_connect_when_the_contact_event_is_lost():
    """Given a placed call whose DISCONNECTED event never arrived, When the check message
    fires, Then Connect's record of the call decides the outcome (here: not answered → retry)."""
    world = world_with("v1")
    dispatch(survey(), world.ports())
    world.clock.advance(minutes=20)
    world.telephony.describe = lambda contact_id: {
        "contactId": contact_id,
        "disconnectTimestamp": world.clock().isoformat(),
    }
    check = world.deferrer.deferred[0][0]
    assert check_call(check, world.ports()).status == "retry_scheduled"
    assert check_call(check, world.ports()).status == "checked"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"channel": "sms"}, "visit_key"),
        ({"visit_key": "v1", "channel": "fax"}, "channel"),
        ({"visit_key": "v1", "kind": "letter"}, "kind"),
        ({"visit_key": "v1", "kind": "confirmation"}, "case_id"),
        ({"visit_key": "v1", "attempt": "x"}, "attempt"),
        ([1, 2], "object"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(body, problem):
    """Given a malformed dispatch message, When it is dispatched, Then MessageError names what
    is wrong (the message then goes to the DLQ after the queue's receive limit)."""
    with pytest.raises(MessageError, match=problem):
        dispatch(body, world_with("v1").ports())


def test_confirmations_are_keyed_per_case_and_round():
    """Given two confirmation rounds of one case, When both are dispatched by SMS, Then both
    go out (one per round) and a replay of either does nothing."""
    world = world_with("v1")
    for round_ in (1, 2, 1, 2):
        message = {
            "kind": "confirmation",
            "visit_key": "v1",
            "case_id": "case-v1",
            "channel": "sms",
            "round": round_,
        }
        dispatch(message, world.ports())
    assert len(world.sms.sent) == 2
    assert world.ledger.state("confirm#case-v1#1")["status"] == "contacted"
    assert world.ledger.state("confirm#case-v1#2")["status"] == "contacted"


def test_policy_documents_are_validated():
    """Given notify settings documents, When parsed, Then bad ones name the field."""
    policy = NotifyPolicy.from_document({"rates": {"voice": {"per_second": 1, "burst": 2}}})
    assert policy.rates["voice"] == Rate(1.0, 2)
    for document, field in [
        ({"calling_hours": {"start": "21:00", "end": "09:00"}}, "calling_hours"),
        ({"calling_hours": {"time_zone": "Mars/Olympus"}}, "calling_hours"),
        ({"rates": {"fax": {"per_second": 1, "burst": 1}}}, "rates.fax"),
        ({"rates": {"sms": {"per_second": 0, "burst": 1}}}, "rates.sms"),
        ({"call_attempts": 4, "retry_after_hours": [1]}, "retry_after_hours"),
        ({"colour": "blue"}, "unknown"),
    ]:
        with pytest.raises(ValueError, match=field):
            NotifyPolicy.from_document(document)


def _fail_once(publish):
    state = {"failed": False}

    def wrapper(detail_type, detail):
        if not state["failed"]:
            state["failed"] = True
            raise RuntimeError("EventBridge unavailable")
        publish(detail_type, detail)

    return wrapper


def test_phone_numbers_never_reach_events():
    """Given a full contact cycle, When every event is inspected, Then no phone number is in
    any of them."""
    world = world_with("v1")
    dispatch(survey(), world.ports())
    call_ended(ended(world, "contact-1", True), world.ports())
    text = repr(world.events.published)
    assert PHONE[3:] not in text and world.visits.visits["v1"]["phone"][3:] not in text
