"""The call desk's last unanswered attempt falls back to the SMS survey, handed to the
dispatcher (which owns pacing, DLT, opt-outs, calling hours and its ledger) once per visit."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad.dispatch.service import Contact
from samvad.workspace import calls
from samvad.workspace.errors import Conflict
from tests.workspace_fakes import NOW, TODAY, official, world

CMO_LIST = f"{TODAY}#cmo"


def _last_attempt_world(**changes):
    """The CMO's list with c1's first two calls made on it (no answer, handed back and
    returned): the next outcome recorded is the third and last attempt."""
    ports = world()
    ports.call_attempts.items[CMO_LIST] = {
        "c1": [
            {"outcome": "no_answer", "at": "2026-11-30T01:00:00Z", "retry_at": "x"},
            {"outcome": "busy", "at": "2026-11-30T03:00:00Z", "retry_at": "y"},
        ]
    }
    for name, value in changes.items():
        setattr(ports, name, value)
    return ports


def _no_answer(ports, visit="c1"):
    return calls.record_outcome(official("cmo"), visit, {"outcome": "no_answer"}, ports)


def test_the_last_unanswered_call_hands_the_sms_survey_to_the_dispatcher():
    """Given a visit whose third (last) call the CMO makes, When it is not answered, Then the
    dispatcher is handed one ``sms`` survey message for that visit, as the contact's attempt
    4 (after the desk's 3 calls, as its own fallback numbers it), attributed to the CMO's
    list, due a minute later (in calling hours); no call is handed back, and the desk shows
    the entry as ``sms_sent``, done."""
    ports = _last_attempt_world()

    result = _no_answer(ports)

    assert result == {"visit_key": "c1", "status": "no_answer", "attempt": 3, "retry_at": "",
                      "sms_fallback": True}  # fmt: skip
    [(name, (message, at))] = ports.dispatch.scheduled.items()
    assert name == "calldesk-sms#c1"
    assert message == {"kind": "survey", "visit_key": "c1", "channel": "sms", "attempt": 4,
                       "run_date": TODAY, "caller": "cmo", "language": "or"}  # fmt: skip
    contact = Contact.from_message(message)  # the dispatcher reads it as a survey SMS
    assert (contact.key, contact.channel, contact.attempt) == ("c1", "sms", 4)
    assert at == NOW + dt.timedelta(minutes=1)
    assert ports.requeue.scheduled == {}
    listing = calls.list_calls(official("cmo"), ports)
    assert {c["visit_key"]: c["status"] for c in listing["calls"]}["c1"] == "sms_sent"
    assert listing["done"] == 1
    [audited] = [e for e in ports.audit.entries if e["what"] == "call_outcome"]
    assert audited["sms_fallback"] is True and "+91" not in str(audited)
    [(kind, reach)] = ports.feedback.events.published  # not final: the dispatcher's SMS is
    assert (kind, reach["outcome"], reach["attempt"], reach["final"]) == (
        "ContactOutcome", "no_answer", 3, False)  # fmt: skip


def test_a_repeated_last_attempt_hands_over_one_sms_only():
    """Given the last attempt recorded (and its SMS handed over), When the official sends the
    same outcome again, Then it is refused (no attempt left) and nothing more is handed over:
    one SMS dispatch message."""
    ports = _last_attempt_world()
    _no_answer(ports)

    with pytest.raises(Conflict, match="no attempt left"):
        _no_answer(ports)

    assert ports.dispatch.handed == 1 and len(ports.dispatch.scheduled) == 1
    assert len(ports.call_attempts.for_list(CMO_LIST)["c1"]) == 3


def test_a_repeat_after_a_failed_write_hands_over_the_same_sms_under_the_same_name():
    """Given the SMS handed over but the attempt's write failing, When the official sends
    the outcome again, Then the same message is handed over under the same schedule name
    (Scheduler keeps one; the dispatcher's ledger claims attempt 4 once) and one attempt is
    stored: the SMS is neither lost nor doubled."""
    ports = _last_attempt_world()
    ports.call_attempts.fail_next_record = "DynamoDB timed out"
    with pytest.raises(RuntimeError):
        _no_answer(ports)
    first = dict(ports.dispatch.scheduled)

    _no_answer(ports)

    assert ports.dispatch.handed == 2  # handed over twice, scheduled once
    assert ports.dispatch.scheduled == first and list(first) == ["calldesk-sms#c1"]
    assert len(ports.call_attempts.for_list(CMO_LIST)["c1"]) == 3


def test_without_sms_fallback_in_the_policy_the_desk_shows_unreachable():
    """Given a dispatch policy with ``sms_fallback`` off, When the last call is not answered,
    Then nothing is handed to the dispatcher and the desk shows the entry as unreachable."""
    ports = _last_attempt_world(sms_fallback=False)

    result = _no_answer(ports)

    assert "sms_fallback" not in result and ports.dispatch.scheduled == {}
    [(_, reach)] = ports.feedback.events.published
    assert (reach["outcome"], reach["attempt"], reach["final"]) == ("gave_up", 3, True)
    listing = calls.list_calls(official("cmo"), ports)
    assert {c["visit_key"]: c["status"] for c in listing["calls"]}["c1"] == "unreachable"


def test_earlier_attempts_and_closing_outcomes_send_no_sms():
    """Given the first call of one visit and the last of another, When the first is not
    answered and the last is a wrong number, Then neither hands anything to the dispatcher
    (the first is handed back to the desk; a wrong number closes the entry)."""
    ports = _last_attempt_world()

    _no_answer(ports, "c2")
    calls.record_outcome(official("cmo"), "c1", {"outcome": "wrong_number"}, ports)

    assert ports.dispatch.scheduled == {}
    assert list(ports.requeue.scheduled) == ["calldesk#c2#2"]


def test_a_fallback_after_calling_hours_is_due_at_the_next_opening():
    """Given the last call not answered at 20:59:30 India time, When the SMS is handed over,
    Then it is due at 09:00 the next morning (the policy's calling hours)."""
    evening = dt.datetime(2026, 11, 30, 15, 29, 30, tzinfo=dt.UTC)  # 20:59:30 IST
    ports = _last_attempt_world(clock=lambda: evening)

    _no_answer(ports)

    [(_, at)] = ports.dispatch.scheduled.values()
    assert at.astimezone(dt.UTC) == dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC)
