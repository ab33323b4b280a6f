"""The inbound IVR function over the real grievance domain (in-memory ports): one case per
contact however often Connect replays it, the status only for the caller's own number, the
menus document checked, and no phone in any answer."""

from __future__ import annotations

import dataclasses
import json

import pytest

from infra.connect import INBOUND_FLOW
from samvad.grievances.references import ALPHABET
from samvad.inbound_ivr.desk import DomainDesk, candidates
from samvad.inbound_ivr.menus import validate_menus
from samvad.inbound_ivr.prompts import keypad_digits
from samvad.inbound_ivr.service import answer
from samvad_dev.local.contact_flow import run_flow
from tests.grievance_fakes import OTHER_PHONE, PHONE, GrievanceWorld
from tests.inbound_fakes import MENUS, ivr_world

GRIEVANCE = ["3", "1", "1", "1", "1002", "2", "2"]
"""English, a grievance, Health, OPD, office 1002, the 2nd category (delay), no voice message."""


@pytest.fixture
def world():
    grievances = GrievanceWorld()
    ports, _, _ = ivr_world()
    ports = dataclasses.replace(ports, grievances=DomainDesk(grievances.ports))
    return grievances, ports


def play(ports, keys, contact_id="c-1", phone=PHONE):
    answers = []

    def invoke(parameters, attributes):
        event = {"Details": {"ContactData": {
            "ContactId": contact_id, "Attributes": attributes,
            "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": parameters}}  # fmt: skip
        answers.append(answer(event, ports))
        return answers[-1]

    run = run_flow(json.loads(INBOUND_FLOW.read_text()), invoke, keys, {})
    return run, answers


def test_a_contact_replayed_three_times_registers_one_grievance(world):
    """Given one caller's contact played three times (Connect retrying the invocation), When
    registered, Then one reference, every GrievanceRegistered event names the one case (the
    escalation stage opens a case once per case id), one reference SMS, no phone in events."""
    grievances, ports = world
    references = set()
    for _ in range(3):
        _, answers = play(ports, GRIEVANCE, contact_id="contact-7")
        references.add(next(a["value"] for a in answers if a.get("result") == "ok"
                            and a.get("value", "").startswith("OD-")))  # fmt: skip
    assert len(references) == 1
    registered = [e for e in grievances.events.published if e[0] == "GrievanceRegistered"]
    assert {detail["case_id"] for _, detail in registered} == {f"case-grv-{references.pop()}"}
    assert len(grievances.sms.sent) == 1
    assert PHONE not in json.dumps(registered) and PHONE[3:] not in json.dumps(registered)


def test_two_contacts_register_two_grievances_unless_identical(world):
    """Given two different contacts from the same phone with different categories, Then two
    references (folding identical ones is the grievance domain's rule)."""
    grievances, ports = world
    play(ports, GRIEVANCE, contact_id="a")
    play(ports, [*GRIEVANCE[:5], "3", "2"], contact_id="b")
    registered = [e for e in grievances.events.published if e[0] == "GrievanceRegistered"]
    assert len({detail["case_id"] for _, detail in registered}) == 2


def test_the_status_is_told_only_to_the_number_that_registered(world):
    """Given a registered grievance, When its reference is keyed by phone keys from the same
    number, Then its state is told with the reference spelled; from another number, not."""
    _, ports = world
    _, answers = play(ports, GRIEVANCE)
    reference = next(a["value"] for a in answers if a.get("value", "").startswith("OD-"))
    keyed = keypad_digits(reference[3:])
    _, mine = play(ports, ["3", "2", keyed], contact_id="c-2")
    assert mine[-1]["result"] == "ok"
    assert " ".join(reference[3:]) in mine[-1]["detail"] and "registered" in mine[-1]["detail"]
    _, other = play(ports, ["3", "2", keyed], contact_id="c-3", phone=OTHER_PHONE)
    assert other[-1]["result"] == "not_found" and "detail" not in other[-1]


def test_no_answer_carries_the_callers_number(world):
    """Given a grievance and a status call, Then no answer to Connect holds the number."""
    _, ports = world
    _, first = play(ports, GRIEVANCE)
    reference = next(a["value"] for a in first if a.get("value", "").startswith("OD-"))
    _, second = play(ports, ["3", "2", keypad_digits(reference[3:])])
    text = json.dumps(first + second, ensure_ascii=False)
    assert PHONE not in text and PHONE[3:] not in text


def test_the_keyed_digits_expand_to_every_reference_they_could_be():
    """Given a reference, Then its keypad digits expand to a set holding it, all of the same
    keys; digits no reference character is on (0, 1) give none."""
    found = candidates(keypad_digits("7K3M9Q"))
    assert "OD-7K3M9Q" in found and len(found) == len(set(found))
    assert all(keypad_digits(r[3:]) == "753697" for r in found)
    assert all(set(r[3:]) <= set(ALPHABET) for r in found)
    assert candidates("753690") == [] and candidates("75369") == []


def test_categories_default_to_the_grievance_domains_list():
    """Given a department without categories in the menus, When the category menu is built,
    Then it offers the grievance domain's categories, which register accepts."""
    ports, _, _ = ivr_world()
    event = {
        "Details": {
            "ContactData": {},
            "Parameters": {
                "action": "menu",
                "step": "category",
                "language": "en",
                "department": "revenue",
            },
        }
    }
    assert answer(event, ports)["menu"].startswith("For Delay, press 1.")
    menus = json.loads(json.dumps(MENUS))
    del menus["departments"][1]["categories"]
    ports = dataclasses.replace(ports, config=type(ports.config)({"inbound/ivr_menus": menus}))
    assert answer(event, ports)["menu"].startswith("For Rude behaviour, press 1.")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.update(departments=[]), "'departments' must be a non-empty list"),
        (lambda m: m["offices"][1].update(key="1002"), "offices[2].key 1002 is used twice"),
        (lambda m: m["offices"][0].update(key="0"), "offices[1].key must be digits"),
        (lambda m: m["offices"][0].update(department="police"), "'police' is not in departments"),
        (lambda m: m["departments"][0]["services"].clear(), "departments[1].services must be"),
        (lambda m: m["districts"].append({"code": "X"}), "districts[3] needs a code and a name"),
    ],
)
def test_a_bad_menus_document_is_refused_naming_the_field(change, expected):
    """Given the menus with one mistake, When validated, Then a problem names it."""
    menus = json.loads(json.dumps(MENUS))
    assert validate_menus(menus) == []
    change(menus)
    assert any(expected in problem for problem in validate_menus(menus)), validate_menus(menus)


def test_the_status_is_said_in_the_callers_language(world):
    """Given a grievance registered in English, When the same number asks in Hindi, Then the
    state and the holder are said in the Hindi words of the status SMS and page."""
    _, ports = world
    _, answers = play(ports, GRIEVANCE)
    reference = next(a["value"] for a in answers if a.get("value", "").startswith("OD-"))
    _, hindi = play(ports, ["2", "2", keypad_digits(reference[3:])], contact_id="c-hi")
    assert hindi[-1]["detail"].startswith("शिकायत O D ")
    assert "दर्ज" in hindi[-1]["detail"] and "अभी सौंपी नहीं गई" in hindi[-1]["detail"]


def _ask(ports, **parameters):
    event = {"Details": {"ContactData": {"ContactId": "c-x", "CustomerEndpoint": {
        "Address": PHONE}}, "Parameters": {"language": "en", **parameters}}}  # fmt: skip
    return answer(event, ports)


def test_an_office_list_of_a_district_with_no_office_gives_up_plainly():
    """Given Puri, where revenue has no office, When the office list is asked for and a key
    pressed, Then the menu says nothing was found and the choice gives up (no endless loop)."""
    ports, _, _ = ivr_world()
    context = {"department": "revenue", "service": "INCOME_CERTIFICATE", "district": "PUR"}
    assert _ask(ports, action="menu", step="office_list", **context)["menu"].startswith("Sorry")
    assert _ask(ports, action="choose", step="office_list", key="1", **context)["result"] == (
        "give_up"
    )


def test_without_a_recordings_location_the_voice_message_names_the_contact():
    """Given no recordings location configured, When a grievance with a voice message is
    registered, Then its voice key names the contact, for the recording to be found by."""
    ports, desk, _ = ivr_world()
    ports = dataclasses.replace(ports, recordings="")
    done = _ask(ports, action="register", department="health", service="OPD", district="",
                office="HLT-KHU-002", category="delay", voice_message="true")  # fmt: skip
    assert done["result"] == "ok"
    [(_, grievance)] = desk.cases.values()
    assert grievance.voice_message == "connect-recording:c-x"


def test_a_registration_missing_a_choice_is_refused_before_the_desk():
    ports, desk, _ = ivr_world()
    done = _ask(ports, action="register", department="health", service="", district="",
                office="", category="delay", voice_message="false")  # fmt: skip
    assert done["result"] == "incomplete" and desk.cases == {}


def test_an_unknown_action_is_answered_not_raised():
    ports, _, _ = ivr_world()
    assert _ask(ports, action="transfer")["result"] == "unknown_action"
