"""The survey contact flow: the committed JSON is generated, sound, and does what it says."""

from __future__ import annotations

import copy
import json
import re

import pytest

from infra.connect import FEEDBACK_FUNCTION_PLACEHOLDER, SURVEY_FLOW
from infra.connect.flow_check import QUESTION_DIGITS, check_flow, produced_keys
from infra.connect.survey_flow import STATIC_GOODBYE, build_survey_flow, render
from samvad.messages import CONNECT_KEYS, catalog, prompts_for_contact
from samvad_dev.local.contact_flow import FlowError, run_flow

ODIA = re.compile("[\u0b00-\u0b7f]")
ATTRIBUTES = {
    "visit_key": "v-1", "kind": "survey", "case_id": "", "language": "hi",
    "caller": "contact-centre", "service_name": "Income certificate",
    "office_name": "Tahasil Office, Khordha",
}  # fmt: skip


@pytest.fixture(scope="module")
def flow() -> dict:
    return json.loads(SURVEY_FLOW.read_text(encoding="utf-8"))


def action(doc: dict, identifier: str) -> dict:
    return next(a for a in doc["Actions"] if a["Identifier"] == identifier)


def feedback(parameters: dict, attributes: dict) -> dict:
    """The feedback function as the flow expects it: every answer carries the prompts."""
    return prompts_for_contact(attributes)


def record(work_done: str, rating: str, bribe: str, officer: str = "false") -> dict:
    return {"action": "record", "work_done": work_done, "rating": rating, "bribe": bribe,
            "officer": officer}  # fmt: skip


def call(doc, keys, invoke=feedback, **attributes):
    return run_flow(doc, invoke, keys, {**ATTRIBUTES, **attributes})


# -- the document ------------------------------------------------------------------------------


def test_the_committed_flow_is_what_the_generator_writes(flow):
    """Given the generator, When it renders the flow, Then the committed JSON is identical
    (run ``python -m infra.connect.survey_flow`` after changing it)."""
    assert SURVEY_FLOW.read_text(encoding="utf-8") == render(build_survey_flow())


def test_the_real_flow_has_no_problems(flow):
    """Given the survey flow, When checked, Then no problem is found."""
    assert check_flow(flow) == []
    assert flow["Version"] == "2019-10-30" and 50 < len(flow["Actions"]) <= 250


def test_the_only_substitution_is_the_feedback_function(flow):
    """Given the flow text that ``Fn::Sub`` will process, Then its only ``${…}`` is the
    feedback function's ARN, used by every Lambda invocation."""
    text = SURVEY_FLOW.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{[^}]*\}", text)) == {FEEDBACK_FUNCTION_PLACEHOLDER}
    invocations = [a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    assert {a["Parameters"]["LambdaInvocationAttributes"]["action"] for a in invocations} == {
        "prompts", "record", "confirm", "opt_out"}  # fmt: skip


def test_the_flow_reads_only_keys_connect_prompts_makes(flow):
    """Given the keys ``connect_prompts`` produces in every language, Then they are exactly
    ``CONNECT_KEYS`` and the flow uses each spoken one."""
    assert produced_keys() == set(CONNECT_KEYS)
    used = set(re.findall(r"\$\.External\.([a-z_]+)", json.dumps(flow)))
    assert used == set(CONNECT_KEYS) - {"language"}


def _mutate(doc: dict, change) -> list[str]:
    mutant = copy.deepcopy(doc)
    change(mutant)
    return check_flow(mutant)


def _drop_rating_five(doc):
    conditions = action(doc, "check-rating-1")["Transitions"]["Conditions"]
    conditions[:] = [c for c in conditions if c["Condition"]["Operands"] != ["5"]]


def _add_key_seven(doc):
    conditions = action(doc, "check-bribe-2")["Transitions"]["Conditions"]
    conditions.append({"NextAction": "record", "Condition": {"Operator": "Equals",
                                                             "Operands": ["7"]}})  # fmt: skip


def _orphan(doc):
    doc["Actions"].append({"Identifier": "orphan", "Type": "MessageParticipant",
                           "Parameters": {"Text": "hello"}, "Transitions": {
                               "NextAction": "disconnect",
                               "Errors": [{"NextAction": "disconnect",
                                           "ErrorType": "NoMatchingError"}]}})  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: action(d, "say-thanks-tts")["Transitions"].update(NextAction="hang-up"),
         "say-thanks-tts: transition to missing action 'hang-up'"),
        (_orphan, "orphan: unreachable from StartAction"),
        (lambda d: action(d, "say-stop_hint-tts")["Parameters"].update(Text="$.External.hint"),
         "say-stop_hint-tts: $.External.hint is not produced by connect_prompts"),
        (lambda d: action(d, "record")["Parameters"].update(
            LambdaFunctionARN="arn:aws:lambda:ap-south-1:1:function:x"),
         "record: LambdaFunctionARN must be ${FeedbackFunctionArn}"),
        (lambda d: action(d, "bye-static")["Parameters"].update(Text="Bye ${AWS::Region}"),
         "only ${FeedbackFunctionArn} may be substituted"),
        (_drop_rating_five, "keys ['5'] of q_rating are not handled"),
        (_add_key_seven, "keys ['7'] are not documented for q_bribe"),
        (lambda d: action(d, "save-rating")["Transitions"].pop("Errors"),
         "save-rating: no NoMatchingError error path"),
        (lambda d: action(d, "check-kind")["Transitions"].pop("Errors"),
         "check-kind: no NoMatchingCondition error path"),
        (lambda d: action(d, "ask-voice-note-tts")["Transitions"]["Errors"].pop(0),
         "ask-voice-note-tts: no InputTimeLimitExceeded error path"),
        (lambda d: action(d, "ask-rating-1-tts")["Transitions"].update(Conditions=[]) or
         action(d, "ask-rating-1-tts")["Transitions"]["Conditions"].append({}),
         "ask-rating-1-tts: StoreInput allows no conditions"),
        (lambda d: action(d, "ask-rating-2-rec")["Transitions"].update(NextAction="save-rating"),
         "ask-rating-2-rec: the key pressed is not checked by a Compare"),
        (lambda d: action(d, "record")["Parameters"]["LambdaInvocationAttributes"].pop("rating"),
         "record: action record lacks ['rating']"),
        (lambda d: action(d, "get-prompts")["Parameters"].update(InvocationTimeLimitSeconds="30"),
         "get-prompts: InvocationTimeLimitSeconds must be 1-8"),
        (lambda d: action(d, "say-thanks-rec")["Parameters"].update(Text="hi"),
         "say-thanks-rec: needs exactly one of Text, SSML, PromptId, Media"),
        (lambda d: action(d, "disconnect")["Transitions"].update(NextAction="disconnect"),
         "disconnect: a terminal action has no transitions"),
        (lambda d: action(d, "bye-static").update(Identifier="bye:static"),
         "identifier 'bye:static'"),
        (lambda d: action(d, "bye-static").update(Identifier="disconnect"),
         "identifier 'disconnect' is used twice"),
        (lambda d: d.update(StartAction="begin"), "StartAction 'begin' is not an action"),
        (lambda d: d.update(Version="2020-01-01"), "Version must be '2019-10-30'"),
        (lambda d: d["Actions"].extend(copy.deepcopy(d["Actions"][-1]) for _ in range(200)),
         "actions: Connect allows at most 250"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_is_reported(flow, change, expected):
    """Given a copy of the flow with one mistake, When checked, Then a problem names it."""
    problems = _mutate(flow, change)
    assert any(expected in problem for problem in problems), problems


def test_a_question_that_is_never_asked_is_reported(flow):
    """Given a flow whose officer question was replaced by silence, When checked, Then the
    missing question is reported."""

    def silence(doc):
        for mode in ("tts", "rec"):
            parameters = action(doc, f"ask-officer-{mode}")["Parameters"]
            parameters.pop("Text", None) or parameters.pop("PromptId")
            parameters["SSML"] = "<speak><break time='3s'/></speak>"

    assert "question q_officer is never asked" in _mutate(flow, silence)


def test_every_documented_question_is_in_the_flow():
    """Given the documented keys, Then 8 (stop calls) is accepted at every question."""
    assert all("8" in digits for digits in QUESTION_DIGITS.values())


# -- what the flow does on a call --------------------------------------------------------------


def test_a_hindi_survey_speaks_hindi_and_records_the_answers(flow):
    """Given a Hindi call answered 1 (done), 4, 2 (no money) and silence at the officer
    question, When played, Then the voice is Kajal, every question is asked in Hindi, and
    the feedback function records exactly those answers."""
    run = call(flow, ["1", "4", "2", ""])
    prompts = catalog("hi")["prompts"]
    spoken = [text for kind, text in run.said if kind == "text"]
    assert run.voice == "Kajal"
    for key in ("greeting_centre", "q_work_done", "q_rating", "q_bribe", "q_officer", "thanks"):
        assert prompts[key]["text"] in spoken
    assert run.invocations == [
        {"action": "prompts"},
        record("1", "4", "2"),
    ]
    assert run.path[-1] == "disconnect" and not run.recording


def test_an_odia_call_plays_recorded_prompts_and_speaks_only_the_visit_names(flow):
    """Given an Odia call, When played, Then every fixed sentence is a recorded prompt
    (Polly has no Odia voice) and the only text spoken holds no Odia script."""
    run = call(flow, ["2", "1", "1", ""], language="or")
    prompts = [text for kind, text in run.said if kind == "prompt"]
    texts = [text for kind, text in run.said if kind == "text"]
    assert prompts[0] == "samvad-or-greeting_centre" and "samvad-or-q_bribe" in prompts
    assert texts == ["Income certificate. Tahasil Office, Khordha."]
    assert not any(ODIA.search(t) for t in texts)
    assert run.invocations[-1] == record("2", "1", "1")


def test_an_invalid_key_or_silence_repeats_the_question_once_then_goes_on(flow):
    """Given a citizen who presses 7 then 3 for the rating, and stays silent twice at the
    money question, When played, Then the rating is asked twice and kept, the money question
    twice and left unanswered, and the survey still completes."""
    run = call(flow, ["1", "7", "3", "", "", ""], language="en")
    asked = [text for _, text in run.said]
    english = catalog("en")["prompts"]
    assert asked.count(english["q_rating"]["text"]) == 2
    assert asked.count(english["q_bribe"]["text"]) == 2
    assert asked.count(english["not_understood"]["text"]) == 2
    assert run.invocations[-1] == record("1", "3", "none")


@pytest.mark.parametrize("keys", [["8"], ["1", "8"], ["1", "5", "8"], ["1", "5", "2", "8"],
                                  ["7", "8"]])  # fmt: skip
def test_eight_at_any_question_stops_the_calls(flow, keys):
    """Given a citizen who presses 8 at some question, When played, Then the feedback function
    records the opt-out, no feedback is recorded, and the citizen hears the acknowledgement."""
    run = call(flow, keys, language="en")
    assert [i["action"] for i in run.invocations] == ["prompts", "opt_out"]
    assert run.attributes["opt_out"] == "true"
    assert run.said[-1] == ("text", catalog("en")["prompts"]["opt_out_ack"]["text"])


def test_nine_asks_for_an_officer_and_records_a_voice_note(flow):
    """Given a citizen who presses 9 at the last question, When played, Then the call is
    recorded from then on, the voice note is taken, and ``officer=true`` is recorded."""
    run = call(flow, ["2", "1", "1", "9", "#"], language="en")
    assert run.recording
    assert run.attributes["wants_officer"] == "true" and run.attributes["voice_note"] == "true"
    assert run.invocations[-1]["officer"] == "true"
    assert ("text", catalog("en")["prompts"]["voice_note"]["text"]) in run.said


@pytest.mark.parametrize(("keys", "resolved"), [(["1"], "1"), (["2"], "2"), (["0", "2"], "2"),
                                                (["", ""], "none")])  # fmt: skip
def test_a_confirmation_call_asks_only_whether_the_complaint_is_resolved(flow, keys, resolved):
    """Given a confirmation contact, When the citizen answers (or twice does not), Then only
    the resolved question is asked and ``action=confirm`` carries the key pressed."""
    run = call(flow, keys, kind="confirmation", case_id="case-v-1", language="en")
    english = catalog("en")["prompts"]
    assert ("text", english["q_rating"]["text"]) not in run.said
    assert run.invocations == [{"action": "prompts"}, {"action": "confirm", "resolved": resolved}]
    assert run.said[-1] == ("text", english["confirm_thanks"]["text"])


def test_when_the_prompts_cannot_be_fetched_the_citizen_hears_a_static_goodbye(flow):
    """Given a feedback function that fails, When the call starts, Then the static goodbye is
    said in Hindi and English and the call ends, asking nothing."""

    def broken(parameters, attributes):
        raise RuntimeError("throttled")

    run = call(flow, ["1", "2"], invoke=broken)
    assert run.said == [("text", STATIC_GOODBYE)]
    assert run.path[-2:] == ["bye-static", "disconnect"]


def test_when_recording_fails_the_citizen_hears_a_polite_goodbye(flow):
    """Given a feedback function that fails only when recording, When the survey ends, Then
    the goodbye for errors is said, not the thanks, and the call ends."""

    def failing_record(parameters, attributes):
        if parameters["action"] == "record":
            raise RuntimeError("table unavailable")
        return feedback(parameters, attributes)

    run = call(flow, ["1", "4", "2", ""], invoke=failing_record, language="en")
    english = catalog("en")["prompts"]
    assert run.said[-1] == ("text", english["goodbye_error"]["text"])
    assert ("text", english["thanks"]["text"]) not in run.said
    assert run.path[-1] == "disconnect"


def test_the_interpreter_refuses_what_it_does_not_know(flow):
    """Given a flow with an action type the local interpreter does not support, When played,
    Then FlowError says which, rather than guessing."""
    mutant = copy.deepcopy(flow)
    action(mutant, "set-default-voice")["Type"] = "CheckHoursOfOperation"
    with pytest.raises(FlowError, match="CheckHoursOfOperation"):
        run_flow(mutant, feedback, [], ATTRIBUTES)
