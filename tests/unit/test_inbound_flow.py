"""The inbound contact flow: generated, sound (mutated copies are caught), and what it does on
a call, played locally against the inbound IVR function's real answers."""

from __future__ import annotations

import copy
import json
import re

import pytest

from infra.connect import INBOUND_FLOW, INBOUND_FUNCTION_PLACEHOLDER
from infra.connect.inbound_check import check_inbound_flow
from infra.connect.inbound_flow import build_inbound_flow
from infra.connect.survey_flow import STATIC_GOODBYE, render
from samvad.inbound_ivr.prompts import phrase
from samvad.inbound_ivr.service import answer
from samvad_dev.local.contact_flow import run_flow
from tests.inbound_fakes import PHONE, ivr_world, scheme_document

ODIA = re.compile("[\u0b00-\u0b7f]")


@pytest.fixture(scope="module")
def flow() -> dict:
    return json.loads(INBOUND_FLOW.read_text(encoding="utf-8"))


def action(doc: dict, identifier: str) -> dict:
    return next(a for a in doc["Actions"] if a["Identifier"] == identifier)


def call(doc, keys, ports, contact_id="c-1", phone=PHONE):
    def invoke(parameters, attributes):
        event = {"Name": "ContactFlowEvent", "Details": {
            "ContactData": {"ContactId": contact_id, "InitialContactId": contact_id,
                            "Attributes": attributes, "Channel": "VOICE",
                            "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": parameters}}  # fmt: skip
        return answer(event, ports)

    return run_flow(doc, invoke, keys, {})


# -- the document ------------------------------------------------------------------------------


def test_the_committed_flow_is_what_the_generator_writes():
    """Given the generator, Then the committed JSON is identical (run
    ``python -m infra.connect.inbound_flow`` after changing it)."""
    assert INBOUND_FLOW.read_text(encoding="utf-8") == render(build_inbound_flow())


def test_the_real_flow_has_no_problems(flow):
    """Given the inbound flow, When checked, Then no problem is found."""
    assert check_inbound_flow(flow) == []
    assert 100 < len(flow["Actions"]) <= 250
    text = INBOUND_FLOW.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{[^}]*\}", text)) == {INBOUND_FUNCTION_PLACEHOLDER}


def _drop(identifier: str, operand: str):
    def change(doc):
        conditions = action(doc, identifier)["Transitions"]["Conditions"]
        conditions[:] = [c for c in conditions if c["Condition"]["Operands"] != [operand]]

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: action(d, "register")["Parameters"].update(
            LambdaFunctionARN="${FeedbackFunctionArn}"),
         "register: LambdaFunctionARN must be ${InboundIvrFunctionArn}"),
        (lambda d: action(d, "register")["Parameters"]["LambdaInvocationAttributes"].pop(
            "category"),
         "register: action register lacks ['category']"),
        (lambda d: action(d, "status")["Parameters"]["LambdaInvocationAttributes"].update(
            action="lookup"), "status: action 'lookup' is not one of"),
        (_drop("result-office-1", "list"), "results ['list'] of choose office are not handled"),
        (_drop("check-registered", "ok"), "results ['ok'] of register are not handled"),
        (lambda d: action(d, "choose-category-1")["Transitions"].update(NextAction="save-category"),
         "choose-category-1: the result of choose category is not checked by a Compare"),
        (_drop("check-main-1", "3"), "keys ['3'] of q_main are not handled"),
        (_drop("check-language_key-2", "1"), "keys ['1'] of q_language are not handled"),
        (lambda d: action(d, "check-voice-1")["Transitions"]["Conditions"].append(
            {"NextAction": "register", "Condition": {"Operator": "Equals", "Operands": ["8"]}}),
         "keys ['8'] are not documented for q_voice"),
        (lambda d: action(d, "say-reference")["Parameters"].update(Text="$.External.reference"),
         "say-reference: $.External.reference is not produced"),
        (lambda d: action(d, "menu-district")["Parameters"]["LambdaInvocationAttributes"].update(
            step="county"),
         "menu district is never offered"),
        (lambda d: action(d, "ask-voice-message-tts")["Transitions"]["Errors"].pop(0),
         "ask-voice-message-tts: no InputTimeLimitExceeded error path"),
        (lambda d: action(d, "say-thanks-tts")["Transitions"].update(NextAction="hang-up"),
         "transition to missing action 'hang-up'"),
        (lambda d: action(d, "bye-static")["Parameters"].update(Text="${AWS::Region}"),
         "only ${InboundIvrFunctionArn} may be substituted"),
        (lambda d: action(d, "ask-scheme-1-tts")["Parameters"].pop("InputValidation"),
         "ask-scheme-1-tts: StoreInput needs InputValidation"),
        (lambda d: action(d, "say-status-s3")["Parameters"]["Media"].update(
            Uri="$.External.status_audio"),
         "say-status-s3: $.External.status_audio is not produced"),
        (lambda d: action(d, "ask-department-1-s3")["Parameters"].update(Text="$.External.menu"),
         "ask-department-1-s3: needs exactly one of Text, SSML, PromptId, Media"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_is_reported(flow, change, expected):
    """Given a copy of the inbound flow with one mistake, When checked, Then a problem names it."""
    mutant = copy.deepcopy(flow)
    change(mutant)
    problems = check_inbound_flow(mutant)
    assert any(expected in problem for problem in problems), problems


# -- what the flow does on a call --------------------------------------------------------------


def test_a_hindi_caller_registers_a_grievance_with_an_office_code():
    """Given a caller who chooses Hindi, a grievance, Health, BSKY, office 1002, category 3 and
    no voice message, When the call is played, Then one grievance is registered with exactly
    those choices and the reference is spelled out, after the Hindi confirmation."""
    ports, desk, _ = ivr_world()
    run = call(json.loads(INBOUND_FLOW.read_text()), ["2", "1", "1", "2", "1002", "3", "2"], ports)
    (_reference, grievance), = desk.cases.values()  # fmt: skip
    assert (grievance.department, grievance.service, grievance.office, grievance.category) == (
        "health",
        "BSKY",
        "HLT-KHU-002",
        "money_asked",
    )
    assert grievance.language == "hi" and grievance.voice_message == "" and grievance.phone == PHONE
    spoken = [text for _, text in run.said]
    assert phrase("hi", "registered") in spoken
    assert "O D 7 K 3 M 2 Q." in spoken and run.path[-1] == "disconnect"
    assert not any(PHONE[3:] in text for text in spoken)


def test_an_office_is_chosen_from_the_districts_list_and_a_voice_message_recorded():
    """Given an English caller who keys 0 at the office, then Khordha and its second office,
    and records a voice message, When played, Then the office is PHC Jatni, the recording was
    on for the message only, and the case links where Connect stores the contact's recording."""
    ports, desk, _ = ivr_world()
    run = call(json.loads(INBOUND_FLOW.read_text()),
               ["3", "1", "1", "1", "0", "1", "2", "1", "1", "#"], ports,
               contact_id="c-9")  # fmt: skip
    (_, grievance), = desk.cases.values()  # fmt: skip
    assert grievance.office == "HLT-KHU-003" and grievance.category == "rude_behaviour"
    assert grievance.voice_message == (
        "s3://recordings/connect/samvad/CallRecordings/2026/11/30/c-9_"
    )
    assert not run.recording  # switched off after the message
    assert "start-recording" in run.path and "stop-recording" in run.path


def test_a_wrong_key_repeats_the_menu_once_then_says_goodbye():
    """Given a caller who keys 7 twice at the department menu (two options), When played,
    Then the menu is offered twice, the caller hears the give-up sentence, nothing is
    registered."""
    ports, desk, _ = ivr_world()
    run = call(json.loads(INBOUND_FLOW.read_text()), ["3", "1", "7", "7"], ports)
    menus = [text for _, text in run.said if text.startswith("For Health")]
    assert len(menus) == 2 and desk.cases == {}
    assert ("text", phrase("en", "give_up")) in run.said


def test_replaying_the_registration_three_times_gives_one_case():
    """Given the same contact played three times (Connect retries), Then one case."""
    ports, desk, _ = ivr_world()
    doc = json.loads(INBOUND_FLOW.read_text())
    for _ in range(3):
        call(doc, ["3", "1", "1", "1", "1002", "1", "2"], ports, contact_id="c-same")
    assert len(desk.cases) == 1


def test_the_status_needs_the_reference_keyed_from_the_same_phone():
    """Given a registered grievance, When its reference is keyed (letters by their phone key)
    from the same number, Then its status is said; from another number, nothing is found."""
    ports, _desk, _ = ivr_world()
    doc = json.loads(INBOUND_FLOW.read_text())
    call(doc, ["3", "1", "1", "1", "1002", "1", "2"], ports, contact_id="c-1")  # OD-7K3M2Q
    mine = call(doc, ["3", "2", "753627"], ports, contact_id="c-2")
    assert ("text", "OD-7K3M2Q: open at level 1") in mine.said
    other = call(doc, ["3", "2", "753627"], ports, contact_id="c-3", phone="+919437000002")
    assert ("text", phrase("en", "nothing_found")) in other.said
    assert not any("OD-7K3M2Q" in text for _, text in other.said)


def test_a_caller_hears_a_scheme_and_gets_it_by_sms():
    """Given a current scheme, When a Hindi caller chooses schemes, the first, and 1 for SMS,
    Then its Hindi words are said and one SMS is requested for this number."""
    ports, _, sms = ivr_world()
    run = call(json.loads(INBOUND_FLOW.read_text()), ["2", "3", "1", "1"], ports)
    spoken = [text for _, text in run.said]
    assert any(text.startswith("कालिया योजना। किसानों को सहायता।") for text in spoken)
    assert sms.sent == [(PHONE, "KALIA", "hi")]
    assert ("text", phrase("hi", "scheme_sent")) in run.said


def test_an_odia_caller_hears_recorded_prompts_and_a_recorded_scheme():
    """Given an Odia caller and a scheme with an Odia recorded prompt, When they listen, Then
    fixed sentences are recorded prompts and no Odia script is given to the voice."""
    ports, _, sms = ivr_world([scheme_document(prompt={"or": "samvad-scheme-or-kalia"})])
    run = call(json.loads(INBOUND_FLOW.read_text()), ["1", "3", "1", "2"], ports)
    prompts = [text for kind, text in run.said if kind == "prompt"]
    assert "samvad-inbound-or-greeting" in prompts and "samvad-scheme-or-kalia" in prompts
    assert not any(ODIA.search(text) for kind, text in run.said if kind == "text")
    assert sms.sent == []


def test_no_schemes_and_a_refused_registration_are_said_plainly():
    """Given no current scheme, Then the caller hears that nothing was found; given a desk that
    refuses (a rate limit), Then the caller hears it was not registered."""
    ports, desk, _ = ivr_world(schemes=[])
    doc = json.loads(INBOUND_FLOW.read_text())
    assert ("text", phrase("en", "nothing_found")) in call(doc, ["3", "3"], ports).said
    desk.refuse = True
    run = call(doc, ["3", "1", "1", "1", "1002", "1", "2"], ports)
    assert ("text", phrase("en", "not_registered")) in run.said


def test_when_the_function_fails_the_caller_hears_a_static_goodbye():
    """Given an inbound function that fails, When the call starts, Then the static goodbye."""

    def broken(parameters, attributes):
        raise RuntimeError("throttled")

    run = run_flow(json.loads(INBOUND_FLOW.read_text()), broken, ["1"], {})
    assert run.said == [("text", STATIC_GOODBYE)]
