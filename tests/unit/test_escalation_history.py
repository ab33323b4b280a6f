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


class Notices:
    """The notices topic: what the clerk sent to which official."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, official_id: str, texts: dict, subject: str, attributes: dict) -> None:
        self.sent.append({"official_id": official_id, "texts": texts, "subject": subject,
                          **attributes})  # fmt: skip


def _ports() -> tuple[cases.EscalationPorts, Tokens]:
    tokens = Tokens()
    ports = cases.EscalationPorts(
        cases=MemoryCases(),
        tasks=tokens,
        phone_of=lambda visit_key: CITIZEN_PHONE,
        config=Config(),
        atr_link=lambda case_id, official_id, deadline: LINK,
        clock=lambda: NOW,
        notices=Notices(),
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
    handle_message(_task("await_atr:notice", "t-atr", state), ports)
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
    assert "94•••" not in outputs and LINK not in outputs and "For: the" not in outputs
    assert not {"notice", "reminder", "overdue"} & set(assignment)
    assert atr == {"by": "head-khu", "at": "2026-11-24T04:00:00Z"}
    assert confirmation["resolved"] is True
    stored = ports.cases.get(opened["case_id"])
    assert stored["signals"]["atr"]["text"] == ATR_TEXT
    assert stored["holder"]["name"] == "Dr S. Mohanty"
    assert "For: the CDMO (head-khu)" in stored["assignment"]["notice"]["email"]


def test_the_clerk_sends_the_notice_from_the_case_once_per_wait():
    """Given an assigned case, When the state machine waits for the ATR (``await_atr:notice``,
    its message replayed), then for the reminder, Then the holder is sent the notice once and
    the reminder once, each from the texts kept in the case item (masked number, the case
    page), addressed by ``official_id``; an ATR filed before the wait sends nothing."""
    ports, _ = _ports()
    opened = cases.open_case(feedback_poor("v1"), ports)
    state = {"case": {"case_id": opened["case_id"]}, "step": {"level": 1, "round": 1}}
    handle_message(_task("assign", "t-assign", state), ports)
    for _ in range(2):
        handle_message(_task("await_atr:notice", "t-atr", state), ports)
    handle_message(_task("await_atr:reminder", "t-remind", state), ports)
    sent = ports.notices.sent
    assert [(n["official_id"], n["notice"]) for n in sent] == [
        ("head-khu", "notice"), ("head-khu", "reminder"),
    ]  # fmt: skip
    assert "94•••" in sent[0]["texts"]["sms"] and LINK in sent[0]["texts"]["sms"]
    assert sent[1]["texts"]["sms"].startswith("REMINDER ")
    assert CITIZEN_PHONE not in json.dumps(sent) and sent[0]["case_id"] == opened["case_id"]

    other, _ = _ports()
    opened = cases.open_case(feedback_poor("v2"), other)
    state = {"case": {"case_id": opened["case_id"]}, "step": {"level": 1, "round": 1}}
    handle_message(_task("assign", "t-assign", state), other)
    cases.file_atr(opened["case_id"], ATR_TEXT, "head-khu", other)
    handle_message(_task("await_atr:notice", "t-atr", state), other)
    assert other.notices.sent == []


def test_a_notice_on_the_stage_queue_is_not_a_task():
    """Given the clerk's own notice delivered to the stage's queue (an unfiltered
    subscription), When handled, Then it is recognised and ignored, not sent to the DLQ."""
    ports, tokens = _ports()
    attributes = {
        name: {"Type": "String", "Value": value}
        for name, value in (("official_id", "head-khu"), ("task", "await_atr"), ("sender", "clerk"))
    }
    body = json.dumps({"Type": "Notification", "Message": "Samvad case …",
                       "MessageAttributes": attributes})  # fmt: skip
    assert handle_message(body, ports) == {"result": "not_a_task"}
    assert tokens.sent == []
