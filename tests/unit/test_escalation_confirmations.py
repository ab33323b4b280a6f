"""Citizen confirmations are asked and answered once per case round, at L4 too."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from samvad import resources
from samvad.dispatch.service import dispatch
from samvad.escalation import cases
from samvad.feedback.service import record_confirmation
from tests.dispatch_fakes import DispatchWorld, visit

CASE = "case-v1"


class OneCase:
    """The Cases table holding one case, with the store's once-per-round signal rule."""

    def __init__(self, case: dict) -> None:
        self.case = case

    def get(self, case_id: str) -> dict | None:
        return self.case if case_id == self.case["case_id"] else None

    def set_signal(self, case_id, kind, round_, signal, entry) -> dict | None:
        signals = self.case.setdefault("signals", {})
        if int((signals.get(kind) or {}).get("round", -1)) == round_:
            return None
        signals[kind] = signal
        return self.case

    def mark_delivered(self, case_id, kind, round_) -> None:
        self.case["signals"][kind]["delivered"] = True


class Tokens:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def send_success(self, token: str, output: dict) -> bool:
        self.sent.append((token, output))
        return True


def case_at_l4(round_: int) -> dict:
    """A case at the CM's office (L4) in ``round_``: this round's ATR filed, the state
    machine waiting for the citizen's answer."""
    return {
        "case_id": CASE,
        "status": "open",
        "level": 4,
        "round": round_,
        "signals": {"atr": {"round": round_, "text": "done", "delivered": True}},
        "waits": {"confirmation": {"round": round_, "token": f"token-{round_}"}},
    }


def escalation_ports(case: dict, tokens: Tokens) -> cases.EscalationPorts:
    return cases.EscalationPorts(
        cases=OneCase(case),
        tasks=tokens,
        phone_of=lambda visit_key: None,
        config=None,
        clock=lambda: dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )


def test_at_l4_each_round_asks_the_citizen_again():
    """Given a case at L4 whose citizen said "not resolved" in round 5, When the state machine
    asks again in round 6 (same level), Then notify sends a second SMS: confirmations are keyed
    by round, not level (the L4 question used to be a duplicate of the first)."""
    world = DispatchWorld()
    world.visits.visits["v1"] = visit("v1", phone="+919876500001")
    for round_ in (5, 6, 6):  # round 6 delivered twice: one SMS
        message = {"kind": "confirmation", "visit_key": "v1", "case_id": CASE, "channel": "sms"}
        dispatch({**message, "level": 4, "round": round_}, world.ports())
    assert len(world.sms.sent) == 2
    assert world.ledger.state(f"confirm#{CASE}#6")["status"] == "contacted"
    assert (world.contacts.last_sms("h-v1")["round"], world.contacts.last_sms("h-v1")["level"]) == (
        6,
        4,
    )


def test_the_answer_of_an_l4_round_reaches_the_waiting_state_machine():
    """Given a case at L4 in round 6, When the citizen answers round 6's question, Then the
    CaseConfirmation carries the round and the escalation clerk delivers it to the waiting
    execution; an answer to round 5's (earlier) question is ignored."""
    world = DispatchWorld()
    world.visits.visits["v1"] = visit("v1", phone="+919876500001")
    ports = world.feedback_ports()
    assert record_confirmation(CASE, 6, "v1", False, "sms", ports).status == "recorded"
    assert record_confirmation(CASE, 5, "v1", True, "web", ports).status == "recorded"
    current, earlier = world.events.of(resources.CASE_CONFIRMATION)
    assert (current["round"], earlier["round"]) == (6, 5)

    tokens = Tokens()
    clerk = escalation_ports(case_at_l4(6), tokens)
    assert cases.record_confirmation(earlier, clerk)["result"] == "answer_for_an_earlier_round"
    assert cases.record_confirmation(current, clerk)["result"] == "delivered"
    assert tokens.sent == [
        (
            "token-6",
            {k: current[k] for k in ("resolved", "channel")}
            | {"received_at": current["received_at"]},
        )
    ]


class FailingOnce(Tokens):
    """``SendTaskSuccess`` fails the first time (throttled, or applied with its answer lost)."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def send_success(self, token: str, output: dict) -> bool:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("throttled")
        return super().send_success(token, output)


def test_an_answer_whose_delivery_failed_is_delivered_when_its_event_comes_again():
    """Given a citizen's "resolved" recorded on the case but never handed to the waiting state
    machine (``SendTaskSuccess`` failed, so the event is redelivered), When the same
    ``CaseConfirmation`` comes again, Then the recorded answer is delivered to that token once
    and marked delivered; a third delivery changes nothing. (Before, the repeat was
    "already_answered" and the state machine waited out the window: "citizen_no_answer".)"""
    case = case_at_l4(3)
    case["signals"]["atr"]["delivered"] = True
    tokens = FailingOnce()
    ports = escalation_ports(case, tokens)
    detail = {"case_id": CASE, "resolved": True, "channel": "sms", "level": 4, "round": 3}

    with contextlib.suppress(ConnectionError):  # the record fails: SQS delivers it again
        cases.record_confirmation(detail, ports)
    assert case["signals"]["confirmation"]["delivered"] is False and tokens.sent == []

    again = cases.record_confirmation(detail, ports)
    third = cases.record_confirmation(detail, ports)

    assert again == {"case_id": CASE, "result": "delivered"}
    [(token, output)] = tokens.sent
    assert token == "token-3" and output["resolved"] is True
    assert case["signals"]["confirmation"]["delivered"] is True
    assert third == {"case_id": CASE, "result": "already_answered"} and len(tokens.sent) == 1


def test_an_atr_whose_delivery_failed_is_delivered_when_the_official_files_again():
    """Given an official's ATR recorded on the case but never handed to the waiting state
    machine (``SendTaskSuccess`` failed after the filing was stored), When the official files
    again, Then they are told it was filed already, and the recorded ATR is delivered then."""
    case = case_at_l4(2)
    case["holder"] = {"official_id": "cmo"}
    case["signals"] = {}
    case["waits"] = {"atr": {"round": 2, "token": "atr-token-2"}}
    tokens = FailingOnce()
    ports = escalation_ports(case, tokens)
    with contextlib.suppress(ConnectionError):
        cases.file_atr(CASE, "Inquiry held, remedy given", "cmo", ports)
    assert case["signals"]["atr"]["delivered"] is False and tokens.sent == []

    with pytest.raises(cases.CaseError, match="already filed"):
        cases.file_atr(CASE, "Inquiry held, remedy given", "cmo", ports)

    assert [t for t, _ in tokens.sent] == ["atr-token-2"]
    assert case["signals"]["atr"]["delivered"] is True
