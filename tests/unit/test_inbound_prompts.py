"""Recorded prompts per language for the inbound IVR's menus and statuses, and the Hindi
fallback for Odia callers where nothing is recorded (Polly has no Odia voice; issue 11)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from infra.connect import INBOUND_FLOW
from samvad.cli import document_problems
from samvad.inbound_ivr.desk import DomainDesk
from samvad.inbound_ivr.prompts import keypad_digits, phrase
from samvad.inbound_ivr.recorded import PROMPTS_CONFIG, validate_prompts
from samvad.inbound_ivr.service import answer
from samvad_dev.local.contact_flow import run_flow
from tests.grievance_fakes import GrievanceWorld
from tests.inbound_fakes import PHONE, ivr_world

ODIA = re.compile("[\u0b00-\u0b7f]")
DEVANAGARI = re.compile("[\u0900-\u097f]")
BUCKET = "samvad-dev-data"
RECORDED = {
    "recorded": {
        "or": {
            "menu/department": "prompts/inbound/or/departments.wav",
            "menu/service/health": "prompts/inbound/or/health-services.wav",
            "status/registered": "prompts/inbound/or/status-registered.wav",
        }
    }
}


def play(ports, keys, contact_id="c-1"):
    def invoke(parameters, attributes):
        event = {"Details": {"ContactData": {
            "ContactId": contact_id, "Attributes": attributes,
            "CustomerEndpoint": {"Address": PHONE, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": parameters}}  # fmt: skip
        return answer(event, ports)

    return run_flow(json.loads(INBOUND_FLOW.read_text()), invoke, keys, {})


def odia_world(document: dict | None = None):
    ports, desk, _ = ivr_world()
    if document is not None:
        ports.config.documents[PROMPTS_CONFIG] = document
    return dataclasses.replace(ports, data_bucket=BUCKET), desk


def test_an_odia_caller_hears_unrecorded_menus_in_hindi_not_english():
    """Given nothing recorded beyond the fixed sentences, When an Odia caller registers a
    grievance, Then the menus are spoken in Hindi words by the voice (never Odia script, which
    it cannot read), and the grievance is registered in Odia."""
    ports, desk = odia_world()
    run = play(ports, ["1", "1", "1", "1", "1002", "2", "2"])
    texts = [text for kind, text in run.said if kind == "text"]
    assert phrase("hi", "option", name="Health", key=1) in " ".join(texts)
    assert not any(t.startswith("For Health") for t in texts)
    assert not any(ODIA.search(t) for t in texts)
    [(_reference, grievance)] = desk.cases.values()
    assert grievance.language == "or"


def test_recorded_menus_are_played_from_s3_and_the_rest_falls_back():
    """Given Odia recordings of the department and Health's service menus, When an Odia caller
    goes through them, Then both are played from the data bucket (Media), and the category
    menu, not recorded, is spoken in Hindi."""
    ports, _desk = odia_world(RECORDED)
    run = play(ports, ["1", "1", "1", "1", "1002", "2", "2"])
    media = [text for kind, text in run.said if kind == "media"]
    assert media == [
        f"s3://{BUCKET}/prompts/inbound/or/departments.wav",
        f"s3://{BUCKET}/prompts/inbound/or/health-services.wav",
    ]
    texts = " ".join(text for kind, text in run.said if kind == "text")
    assert phrase("hi", "option", name="Delay", key=2) in texts  # the category menu


def test_the_status_is_played_from_its_recording_or_spoken_in_hindi():
    """Given a grievance registered from an Odia call, When the caller asks its status, Then
    the recording for its state is played; without one, the status is spoken in Hindi."""
    grievances = GrievanceWorld()
    ports, _desk = odia_world(RECORDED)
    ports = dataclasses.replace(ports, grievances=DomainDesk(grievances.ports))
    registered = play(ports, ["1", "1", "1", "1", "1002", "2", "2"], contact_id="c-1")
    assert any(kind == "prompt" and "registered" in text for kind, text in registered.said)
    [reference] = [k.removeprefix("ref#") for k in grievances.store.items if k.startswith("ref#")]
    told = play(ports, ["1", "2", keypad_digits(reference[3:])], contact_id="c-2")
    assert ("media", f"s3://{BUCKET}/prompts/inbound/or/status-registered.wav") in told.said
    unrecorded = dataclasses.replace(ports, data_bucket="")
    spoken = play(unrecorded, ["1", "2", keypad_digits(reference[3:])], contact_id="c-3")
    [status] = [t for k, t in spoken.said if k == "text" and " ".join(reference[3:]) in t]
    assert DEVANAGARI.search(status) and not ODIA.search(status)


def test_english_can_be_chosen_as_the_fallback():
    ports, _desk = odia_world({"fallback": {"or": "en"}})
    run = play(ports, ["1", "1", "7"])
    assert any(t.startswith("For Health") for k, t in run.said if k == "text")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"recorded": {"xx": {}}}, "recorded.xx: not one of"),
        ({"recorded": {"or": {"menu/county": "prompts/a.wav"}}}, "the step is one of"),
        ({"recorded": {"or": {"greeting": "prompts/a.wav"}}}, "menu/<step>… or status/"),
        ({"recorded": {"or": {"menu/district": "cases/a.wav"}}}, "an audio key under prompts/"),
        ({"recorded": {"or": {"menu/district": "prompts/a.txt"}}}, "(.wav or .mp3)"),
        ({"fallback": {"or": "or"}}, "fallback.or: a language falls back to hi or en"),
        ({"voices": {}}, "unknown field 'voices'"),
    ],
)
def test_a_bad_prompts_document_names_what_to_fix(document, expected):
    problems = validate_prompts(document)
    assert any(expected in p for p in problems), problems
    assert document_problems(PROMPTS_CONFIG, document) == problems  # samvad config publish
    assert validate_prompts(RECORDED) == [] and validate_prompts({"fallback": {"or": "en"}}) == []
