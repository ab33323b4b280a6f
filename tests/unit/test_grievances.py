"""Grievance registration and status (domain, in memory)."""

from __future__ import annotations

import json

import pytest

from samvad import resources
from samvad.grievances import (
    Refusal,
    Registration,
    Rejected,
    StatusView,
    hashed_reference,
    new_reference,
    parse_reference,
    register,
    status,
)
from samvad.grievances.references import ALPHABET
from tests.grievance_fakes import OTHER_PHONE, PHONE, GrievanceWorld, submission

CONFUSABLE = set("0O1IL5S8B2ZUV")


def registered(world: GrievanceWorld) -> list[dict]:
    return [d for t, d in world.events.published if t == resources.GRIEVANCE_REGISTERED]


# -- references -----------------------------------------------------------------------


def test_references_use_an_alphabet_without_look_alikes():
    assert not CONFUSABLE & set(ALPHABET)
    reference = new_reference()
    assert reference.startswith("OD-") and len(reference) == 9
    assert set(reference[3:]) <= set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    ["OD-7K3M9Q", "od-7k3m9q", "od 7k3 m9q", "OD7K3M9Q", "STATUS od-7K3M9Q please"],
)
def test_parse_reference_accepts_what_citizens_type(typed):
    assert parse_reference(typed) == "OD-7K3M9Q"


def test_parse_reference_reads_odia_and_devanagari_digits():
    assert parse_reference("OD-୭K୩M୯Q") == "OD-7K3M9Q"
    assert parse_reference("OD-७K३M९Q") == "OD-7K3M9Q"


@pytest.mark.parametrize("typed", ["", "hello", "OD-7K3M9", "OD-0K3M9Q", None])
def test_parse_reference_refuses_what_is_not_one(typed):
    assert parse_reference(typed) is None


def test_hashed_references_are_stable_per_key_and_differ_per_attempt():
    assert hashed_reference("sms#1", 0) == hashed_reference("sms#1", 0)
    assert hashed_reference("sms#1", 0) != hashed_reference("sms#1", 1)
    assert parse_reference(hashed_reference("web#x", 3)) == hashed_reference("web#x", 3)


# -- registration ---------------------------------------------------------------------


def test_a_grievance_is_registered_once_when_replayed_three_times():
    world = GrievanceWorld()
    results = [register(world.ports, submission(), world.now) for _ in range(3)]
    assert all(isinstance(r, Registration) for r in results)
    assert len({r.reference for r in results}) == 1  # type: ignore[union-attr]
    assert [r.replayed for r in results] == [False, True, True]  # type: ignore[union-attr]
    assert len(world.sms.sent) == 1  # the reference SMS at most once
    assert {d["case_id"] for d in registered(world)} == {results[0].case_id}  # type: ignore[union-attr]


def test_the_registration_event_opens_a_grievance_case_without_the_phone_or_text():
    world = GrievanceWorld()
    result = register(world.ports, submission(), world.now)
    assert isinstance(result, Registration)
    [detail] = registered(world)
    assert detail["case_type"] == "grievance"
    assert detail["case_id"] == f"case-grv-{result.reference}"
    assert detail["visit_key"] == f"grv-{result.reference}"
    flat = json.dumps(detail, ensure_ascii=False)
    assert "9876543210" not in flat and "200 rupees" not in flat
    assert world.citizens.phone(detail["visit_key"]) == PHONE  # resolvable server-side only


def test_the_reference_sms_names_the_reference_in_the_citizens_language():
    world = GrievanceWorld()
    result = register(world.ports, submission(language="hi"), world.now)
    [(phone, text)] = world.sms.sent
    assert phone == PHONE and result.reference in text.body  # type: ignore[union-attr]
    assert text.language == "hi"  # type: ignore[attr-defined]


def test_the_grievance_record_keeps_only_the_phone_hash():
    world = GrievanceWorld()
    result = register(world.ports, submission(), world.now)
    record = world.store.items[f"ref#{result.reference}"]  # type: ignore[union-attr]
    assert "9876543210" not in json.dumps(record) and record["phone_hash"]


def test_an_identical_grievance_from_the_same_phone_is_folded_into_the_open_one():
    world = GrievanceWorld()
    first = register(world.ports, submission(source_id="a"), world.now)
    again = register(
        world.ports, submission(source_id="b", text="the clerk  ASKED for 200 rupees"), world.now
    )
    assert isinstance(again, Registration) and again.folded
    assert again.reference == first.reference  # type: ignore[union-attr]
    assert len(registered(world)) == 1


def test_the_same_grievance_from_another_phone_is_a_case_of_its_own():
    world = GrievanceWorld()
    first = register(world.ports, submission(source_id="a"), world.now)
    other = register(world.ports, submission(source_id="b", phone=OTHER_PHONE), world.now)
    assert other.reference != first.reference  # type: ignore[union-attr]
    assert len(registered(world)) == 2


def test_after_the_first_is_resolved_an_identical_grievance_opens_a_new_case():
    world = GrievanceWorld()
    first = register(world.ports, submission(source_id="a"), world.now)
    world.cases.cases[first.case_id] = {"status": "resolved"}  # type: ignore[union-attr]
    again = register(world.ports, submission(source_id="b"), world.now)
    assert isinstance(again, Registration) and not again.folded
    assert again.reference != first.reference  # type: ignore[union-attr]


def test_the_office_unknown_is_registered_without_an_office():
    world = GrievanceWorld()
    result = register(world.ports, submission(office_code="  "), world.now)
    assert isinstance(result, Registration)
    assert registered(world)[0]["office_code"] == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"department": ""}, "department"),
        ({"service": "", "channel": "web"}, "service"),
        ({"service": "NOT_A_SERVICE"}, "service"),
        ({"category": "aliens"}, "category"),
        ({"language": "fr"}, "language"),
        ({"office_code": "K H U!"}, "office_code"),
        ({"text": "x" * 2001}, "text"),
        ({"category": "other", "text": None}, "text"),
    ],
)
def test_bad_input_is_rejected_naming_the_field_and_kept(changes, field):
    world = GrievanceWorld()
    result = register(world.ports, submission(**changes), world.now)
    assert isinstance(result, Rejected) and result.field == field and result.reason == "invalid"
    [kept] = world.store.rejects(world.now.date().isoformat())
    assert kept["field"] == field and kept["source_id"] == "msg-1"
    assert "9876543210" not in json.dumps(kept)
    assert not registered(world) and not world.sms.sent


def test_a_replayed_reject_is_kept_once():
    world = GrievanceWorld()
    for _ in range(3):
        register(world.ports, submission(category="aliens"), world.now)
    assert len(world.store.rejects(world.now.date().isoformat())) == 1


def test_departments_services_and_categories_come_from_config():
    world = GrievanceWorld(
        {"departments": {"health": {"services": ["OPD"], "categories": ["queue"]}}}
    )
    assert isinstance(register(world.ports, submission(category="queue"), world.now), Registration)
    bad = register(world.ports, submission(source_id="2", service="IPD"), world.now)
    assert isinstance(bad, Rejected) and bad.field == "service"
    other = register(world.ports, submission(source_id="3", department="nowhere"), world.now)
    assert isinstance(other, Rejected) and other.field == "department"


def test_the_per_phone_limit_holds_and_the_rest_are_kept_as_rejects():
    world = GrievanceWorld({"limits": {"phone_per_day": 2}})
    results = [
        register(world.ports, submission(source_id=str(i), text=f"case {i}"), world.now)
        for i in range(4)
    ]
    assert [type(r).__name__ for r in results] == ["Registration"] * 2 + ["Rejected"] * 2
    assert results[2].reason == "rate_limited_phone"  # type: ignore[union-attr]
    assert len(world.store.rejects(world.now.date().isoformat())) == 2
    replay = register(world.ports, submission(source_id="3", text="case 3"), world.now)
    assert isinstance(replay, Rejected)  # a replay of a limited message stays limited


def test_a_replay_is_not_counted_against_the_limit():
    world = GrievanceWorld({"limits": {"phone_per_day": 1}})
    for _ in range(3):
        assert isinstance(register(world.ports, submission(), world.now), Registration)


def test_the_per_source_limit_holds_across_phones():
    world = GrievanceWorld({"limits": {"source_per_hour": 2}})
    results = [
        register(
            world.ports,
            submission(source_id=str(i), phone=f"+9198765432{i:02d}", source="203.0.113.9"),
            world.now,
        )
        for i in range(3)
    ]
    assert isinstance(results[2], Rejected) and results[2].reason == "rate_limited_source"


def test_a_fault_after_the_reference_is_stored_is_finished_by_the_replay():
    world = GrievanceWorld()
    world.store.fail_next_claim = 0
    original = world.ports.citizens.keep
    calls = {"n": 0}

    def fail_once(key, fields):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Visits unavailable")
        original(key, fields)

    world.citizens.keep = fail_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        register(world.ports, submission(), world.now)
    assert not registered(world) and not world.sms.sent
    result = register(world.ports, submission(), world.now)
    assert isinstance(result, Registration) and len(registered(world)) == 1
    assert len(world.sms.sent) == 1


# -- status ---------------------------------------------------------------------------


def test_status_before_the_case_opens_says_registered():
    world = GrievanceWorld()
    result = register(world.ports, submission(), world.now)
    view = status(world.ports, result.reference.lower(), PHONE)  # type: ignore[union-attr]
    assert isinstance(view, StatusView)
    assert (view.state, view.level, view.last_action) == ("registered", 0, "registered")


def test_status_shows_level_state_and_last_action_of_the_case():
    world = GrievanceWorld()
    result = register(world.ports, submission(), world.now)
    world.cases.cases[result.case_id] = {  # type: ignore[union-attr]
        "status": "open",
        "stage": "awaiting_atr",
        "level": 2,
        "holder": {"official_id": "dc-khurda", "name": "Secret Name"},
        "audit": [
            {"at": "2026-11-24T10:00:00Z", "what": "opened"},
            {"at": "2026-11-30T10:00:00Z", "what": "escalated"},
        ],
    }
    view = status(world.ports, result.reference, PHONE)  # type: ignore[union-attr]
    assert isinstance(view, StatusView)
    assert (view.level, view.state, view.last_action) == (2, "open", "escalated")
    assert "Secret Name" not in repr(view)


def test_status_refuses_a_wrong_phone_and_an_unknown_reference_alike():
    world = GrievanceWorld()
    result = register(world.ports, submission(), world.now)
    wrong_phone = status(world.ports, result.reference, OTHER_PHONE)  # type: ignore[union-attr]
    unknown = status(world.ports, "OD-YYYYYY", PHONE)
    assert wrong_phone == unknown == Refusal("no_match")
    assert status(world.ports, "no reference here", PHONE) == Refusal("no_reference")


def test_status_lookups_are_rate_limited_per_phone():
    world = GrievanceWorld({"limits": {"status_per_hour": 2}})
    result = register(world.ports, submission(), world.now)
    views = [status(world.ports, result.reference, PHONE) for _ in range(3)]  # type: ignore[union-attr]
    assert isinstance(views[1], StatusView) and views[2] == Refusal("rate_limited")
