"""Cases: the conditions escalation relies on (rounds, once-only signals, resolved cases)."""

import pytest


def new_case(case_id: str = "case#v1") -> dict:
    return {
        "case_id": case_id,
        "visit_key": "v1",
        "department": "health",
        "reasons": ["money_asked"],
        "status": "open",
        "level": 0,
        "round": 0,
        "waits": {},
        "signals": {},
        "audit": [],
    }


def entry(what: str) -> dict:
    return {"at": "2026-11-23T06:00:00Z", "who": "system", "what": what}


@pytest.fixture
def cases(case_store):
    assert case_store.create(new_case()) is True
    return case_store


def test_a_case_is_created_once_and_reads_back_as_created(case_store):
    """Given a case created, When created again, Then refused; it reads back as created."""
    assert case_store.create(new_case()) is True
    assert case_store.create({**new_case(), "level": 3}) is False
    stored = case_store.get("case#v1")
    stored.pop("expires_at", None)  # the table's TTL (tests/adapters/test_retention_writers.py)
    assert stored == new_case()
    assert case_store.get("case#nope") is None


def test_a_case_with_empty_scope_fields_reads_back_as_created(case_store):
    """Given a case with no district or office (keys of the Cases scope indexes, where an
    empty string cannot be stored), When created, Then it reads back exactly as created."""
    case = {**new_case("case#v2"), "district": "", "office_code": "", "service": ""}
    assert case_store.create(case) is True
    stored = case_store.get("case#v2")
    stored.pop("expires_at", None)  # the table's TTL
    assert stored == case


def test_assignment_moves_a_case_only_to_a_later_round(cases):
    """Given a case at round 0, When assigned round 1, Then the fields are set and the entry
    audited; When round 1 (a replay) or an unknown case is assigned, Then refused."""
    assert cases.assign("case#v1", 1, {"level": 1, "holder": "o-1"}, entry("assigned")) is True
    assert cases.assign("case#v1", 1, {"level": 9}, entry("replayed")) is False
    assert cases.assign("case#nope", 1, {"level": 1}, entry("assigned")) is False
    case = cases.get("case#v1")
    assert (case["round"], case["level"], case["holder"]) == (1, 1, "o-1")
    assert [e["what"] for e in case["audit"]] == ["assigned"]


def test_a_wait_is_set_only_at_the_current_round_of_an_open_case(cases):
    """Given a case at round 1, When a wait is set for round 1, Then the case returns with it;
    for round 2, or once the case is resolved, Then None."""
    cases.assign("case#v1", 1, {"level": 1}, entry("assigned"))
    case = cases.set_wait("case#v1", "atr", 1, "token-1", {"stage": "awaiting_atr"})
    assert case["waits"]["atr"] == {"round": 1, "token": "token-1"}
    assert case["stage"] == "awaiting_atr"
    assert cases.set_wait("case#v1", "atr", 2, "token-2", {}) is None
    cases.append("case#v1", 1, {"status": "resolved"}, entry("resolved"))
    assert cases.set_wait("case#v1", "atr", 1, "token-3", {}) is None


def test_a_signal_is_taken_once_per_round_and_a_confirmation_only_after_the_atr(cases):
    """Given a case at round 1, When a confirmation comes before the ATR, Then refused; the
    ATR is taken once; then the confirmation is taken once."""
    cases.assign("case#v1", 1, {"level": 1}, entry("assigned"))
    confirmation = {"round": 1, "resolved": True}
    assert cases.set_signal("case#v1", "confirmation", 1, confirmation, entry("c")) is None
    case = cases.set_signal("case#v1", "atr", 1, {"round": 1, "text": "done"}, entry("atr"))
    assert case["signals"]["atr"]["text"] == "done"
    assert cases.set_signal("case#v1", "atr", 1, {"round": 1, "text": "again"}, entry("a")) is None
    case = cases.set_signal("case#v1", "confirmation", 1, confirmation, entry("confirmed"))
    assert case["signals"]["confirmation"] == confirmation
    assert [e["what"] for e in case["audit"]] == ["assigned", "atr", "confirmed"]


def test_delivery_is_marked_only_on_the_signal_of_that_round(cases):
    cases.assign("case#v1", 1, {"level": 1}, entry("assigned"))
    cases.set_signal("case#v1", "atr", 1, {"round": 1, "text": "done"}, entry("atr"))
    cases.mark_delivered("case#v1", "atr", 2)
    assert "delivered" not in cases.get("case#v1")["signals"]["atr"]
    cases.mark_delivered("case#v1", "atr", 1)
    assert cases.get("case#v1")["signals"]["atr"]["delivered"] is True


def test_append_changes_a_case_only_at_its_current_round(cases):
    cases.assign("case#v1", 1, {"level": 1}, entry("assigned"))
    assert cases.append("case#v1", 0, {"holder": "x"}, entry("late")) is False
    assert cases.append("case#v1", 1, {"holder": "o-2"}, entry("transferred")) is True
    case = cases.get("case#v1")
    assert case["holder"] == "o-2"
    assert [e["what"] for e in case["audit"]] == ["assigned", "transferred"]
