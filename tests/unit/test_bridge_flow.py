"""The call desk's bridge flow: generated, sound (mutated copies are caught), and what it does
on a call, played locally: the official hears that the citizen is joined, the citizen's phone
rings showing the contact centre's number, and neither number is ever spoken."""

from __future__ import annotations

import copy
import json
import re

import pytest

from infra.connect import BRIDGE_FLOW, BRIDGE_PHONE_PLACEHOLDER
from infra.connect.bridge_check import check_bridge_flow
from infra.connect.bridge_flow import CONNECTING, ENDED, NOT_REACHED, build_bridge_flow
from infra.connect.survey_flow import render
from samvad.adapters.calldesk import BRIDGE_ATTRIBUTE
from samvad_dev.local.contact_flow import FlowError, run_flow

CITIZEN = "+919876543210"


@pytest.fixture(scope="module")
def flow() -> dict:
    return json.loads(BRIDGE_FLOW.read_text(encoding="utf-8"))


def action(doc: dict, identifier: str) -> dict:
    return next(a for a in doc["Actions"] if a["Identifier"] == identifier)


def no_function(parameters, attributes):
    raise AssertionError("the bridge flow invokes no function")


# -- the document ------------------------------------------------------------------------------


def test_the_committed_flow_is_what_the_generator_writes():
    """Given the generator, Then the committed JSON is identical (run
    ``python -m infra.connect.bridge_flow`` after changing it)."""
    assert BRIDGE_FLOW.read_text(encoding="utf-8") == render(build_bridge_flow())


def test_the_real_flow_has_no_problems(flow):
    """Given the bridge flow, When checked, Then no problem is found, and its only
    substitution is the contact centre's number."""
    assert check_bridge_flow(flow) == []
    text = BRIDGE_FLOW.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{[^}]*\}", text)) == {BRIDGE_PHONE_PLACEHOLDER}


def _extra_transfer(doc: dict) -> None:
    doc["Actions"].append(copy.deepcopy(action(doc, "join-citizen")) | {"Identifier": "again"})
    action(doc, "say-call-ended")["Transitions"]["NextAction"] = "again"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: action(d, "join-citizen")["Parameters"].update(
            ThirdPartyPhoneNumber="$.Attributes.official_phone"),
         "join-citizen: must transfer to $.Attributes.samvad_bridge_to"),
        (lambda d: action(d, "join-citizen")["Parameters"].pop("CallerId"),
         "the caller id must be the contact centre's number"),
        (lambda d: action(d, "join-citizen")["Parameters"]["CallerId"].update(
            Number="$.CustomerEndpoint.Address"),
         "the caller id must be the contact centre's number"),
        (lambda d: action(d, "join-citizen")["Parameters"].update(
            ThirdPartyConnectionTimeLimitSeconds="900"),
         "ThirdPartyConnectionTimeLimitSeconds must be 1-600"),
        (lambda d: action(d, "join-citizen")["Parameters"].update(ContinueFlowExecution="False"),
         "ContinueFlowExecution must be True"),
        (lambda d: action(d, "join-citizen")["Transitions"]["Errors"].pop(0),
         "join-citizen: no CallFailed error path"),
        (lambda d: action(d, "say-connecting")["Parameters"].update(
            Text=f"$.Attributes.{BRIDGE_ATTRIBUTE}"),
         "say-connecting: reads the citizen's number"),
        (lambda d: action(d, "say-call-ended")["Parameters"].update(Text="Call +91 98765 43210"),
         "say-call-ended: a phone number is written into the flow"),
        (lambda d: d["Actions"].insert(0, {
            "Identifier": "record", "Type": "UpdateContactRecordingBehavior",
            "Parameters": {"RecordingBehavior": {"IVRRecordingBehavior": "Enabled"}},
            "Transitions": {"NextAction": "set-voice"}}) or d.update(StartAction="record"),
         "record: the bridged call is not recorded"),
        (lambda d: d["Actions"].remove(action(d, "join-citizen")),
         "0 transfers to a phone number"),
        (_extra_transfer, "2 transfers to a phone number"),
        (lambda d: d["Actions"].insert(0, {
            "Identifier": "ask", "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": BRIDGE_PHONE_PLACEHOLDER,
                           "InvocationTimeLimitSeconds": "3",
                           "LambdaInvocationAttributes": {"action": "prompts"}},
            "Transitions": {"NextAction": "set-voice",
                            "Errors": [{"NextAction": "disconnect",
                                        "ErrorType": "NoMatchingError"}]}})
         or d.update(StartAction="ask"),
         "ask: action 'prompts' is not one of []"),
        (lambda d: action(d, "say-not-reached")["Transitions"].update(NextAction="hang-up"),
         "transition to missing action 'hang-up'"),
        (lambda d: action(d, "say-connecting")["Parameters"].update(Text="${AWS::Region}"),
         "only ${ContactCentrePhone} may be substituted"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_is_reported(flow, change, expected):
    """Given a copy of the bridge flow with one mistake, When checked, Then a problem names
    it."""
    mutant = copy.deepcopy(flow)
    change(mutant)
    problems = check_bridge_flow(mutant)
    assert any(expected in problem for problem in problems), problems


# -- what the flow does on a call --------------------------------------------------------------


def test_the_official_is_joined_to_the_citizen_under_the_contact_centres_number(flow):
    """Given the official answered (the outbound contact) and the citizen answers too, When
    the flow runs, Then the official hears that the citizen is being joined, the citizen's
    phone is dialled showing the contact centre's number, and after the citizen hangs up the
    official is asked to record the answers; no number is ever spoken."""
    run = run_flow(flow, no_function, ["answered"], {BRIDGE_ATTRIBUTE: CITIZEN})
    assert run.transfers == [(CITIZEN, BRIDGE_PHONE_PLACEHOLDER)]
    assert [text for _, text in run.said] == [CONNECTING, ENDED]
    assert run.path[-1] == "disconnect" and not run.recording
    assert not any(CITIZEN[3:] in text for _, text in run.said)


@pytest.mark.parametrize("citizen", ["", "failed"])
def test_a_citizen_who_does_not_answer_is_reported_to_the_official(flow, citizen):
    """Given the citizen's phone rings out or the call fails, When the flow runs, Then the
    official hears that the citizen could not be reached, then the call ends."""
    run = run_flow(flow, no_function, [citizen], {BRIDGE_ATTRIBUTE: CITIZEN})
    assert [text for _, text in run.said] == [CONNECTING, NOT_REACHED]
    assert run.path[-2:] == ["say-not-reached", "disconnect"]


def test_without_the_citizens_number_the_transfer_fails_politely(flow):
    run = run_flow(flow, no_function, ["answered"], {})
    assert [text for _, text in run.said] == [CONNECTING, NOT_REACHED]


def test_the_interpreter_still_refuses_what_it_does_not_know(flow):
    mutant = copy.deepcopy(flow)
    action(mutant, "say-connecting")["Type"] = "TransferContactToQueue"
    with pytest.raises(FlowError, match="unsupported action type"):
        run_flow(mutant, no_function, ["answered"], {BRIDGE_ATTRIBUTE: CITIZEN})
