"""What the clerk hands the state machine (and so its execution history): no ATR text, no
official's name, no citizen's number in clear; the Cases table keeps them."""

from __future__ import annotations

import datetime as dt
import json

from samvad import resources
from samvad.escalation import cases
from samvad.escalation.wiring import handle_message
from tests.escalation_fakes import MemoryCases
from tests.escalation_support import CITIZEN_PHONE, DIRECTORY, feedback_poor, sla

NOW = dt.datetime(2026, 11, 24, 4, 0, tzinfo=dt.UTC)
LINK = "https://f.example/atr/secret-token"
ATR_TEXT = "Refunded the money; clerk suspended"


class Config:
    def latest(self, name: str) -> dict | None:
        if name == resources.ESCALATION_DIRECTORY_CONFIG:
            return DIRECTORY
        if name == resources.ESCALATION_SLA_CONFIG:
            return sla()
        return None


class Tokens:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def send_success(self, token: str, output: dict) -> bool:
        self.sent.append((token, output))
        return True

    def start(self, name: str, payload: dict) -> bool:
        self.started = payload
        return True


def _ports() -> tuple[cases.EscalationPorts, Tokens]:
    tokens = Tokens()
    ports = cases.EscalationPorts(
        cases=MemoryCases(),
        tasks=tokens,
        phone_of=lambda visit_key: CITIZEN_PHONE,
        config=Config(),
        atr_link=lambda case_id, official_id, deadline: LINK,
        clock=lambda: NOW,
    )
    return ports, tokens


def _task(task: str, token: str, state: object) -> str:
    message = f"{task}|{token}|{json.dumps(state)}"
    return json.dumps({"Type": "Notification", "Message": message})


def _private(text: str) -> list[str]:
    officials = DIRECTORY["officials"].values()
    names = [o["name"] for o in officials]
    contacts = [o[k] for o in officials for k in ("phone", "email") if o.get(k)]
    return [s for s in (ATR_TEXT, CITIZEN_PHONE, CITIZEN_PHONE[3:], *names, *contacts) if s in text]


def test_the_state_machine_gets_no_atr_text_names_or_numbers():
    """Given an opened case, When the state machine asks for the assignment (twice, as a
    replay), waits for the ATR, the official files one and the citizen answers, Then nothing
    it received holds the ATR's text, an official's name, phone or e-mail, or the citizen's
    number in clear (the notices name the holder by title and id and show the masked
    number); the Cases table keeps the ATR's text and the holder's name."""
    ports, tokens = _ports()
    opened = cases.open_case(feedback_poor("v1"), ports)
    state = {"case": {"case_id": opened["case_id"]}, "step": {"level": 1, "round": 1}}

    for token in ("t-assign", "t-replay"):
        handle_message(_task("assign", token, state), ports)
    handle_message(_task("await_atr", "t-atr", state), ports)
    cases.file_atr(opened["case_id"], ATR_TEXT, "head-khu", ports)
    handle_message(_task("await_confirmation", "t-confirm", state), ports)
    cases.record_confirmation(
        {"case_id": opened["case_id"], "resolved": True, "round": 1, "channel": "sms"}, ports
    )

    outputs = json.dumps([output for _, output in tokens.sent], ensure_ascii=False)
    assert [token for token, _ in tokens.sent] == ["t-assign", "t-replay", "t-atr", "t-confirm"]
    assert _private(outputs) == []
    assignment, replay, atr, confirmation = (output for _, output in tokens.sent)
    assert replay == assignment and assignment["official_id"] == "head-khu"
    assert "For: the CDMO (head-khu)" in assignment["notice"]["email"]
    assert "94•••" in assignment["notice"]["sms"]
    assert atr == {"by": "head-khu", "at": "2026-11-24T04:00:00Z"}
    assert confirmation["resolved"] is True
    stored = ports.cases.get(opened["case_id"])
    assert stored["signals"]["atr"]["text"] == ATR_TEXT
    assert stored["holder"]["name"] == "Dr S. Mohanty"
