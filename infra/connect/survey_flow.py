"""Generates ``survey_flow.json``, the survey contact flow, in Amazon Connect's flow language.

Run ``python -m infra.connect.survey_flow`` after changing this file; a test fails while the
JSON and this generator disagree. The flow:

1. set a default voice (Kajal, neural), invoke the feedback function with ``action=prompts``
   and branch on ``$.External.mode``: ``tts`` sets the voice from ``$.External.voice``,
   ``recorded`` (Odia) plays prompts by id;
2. greet, name the visit, say "press 8 at any time to stop";
3. ``$.Attributes.kind`` = ``confirmation``: ask "resolved? 1/2", invoke ``action=confirm``;
   otherwise ask work done (1/2), rating (1–5), money asked (1/2), officer / voice note (9),
   then invoke ``action=record`` with ``work_done``, ``rating``, ``bribe``, ``officer``;
4. each answer is stored as a contact attribute from ``$.StoredCustomerInput``; an invalid
   key or silence repeats the question once, then the flow goes on without the answer;
   8 at any question invokes ``action=opt_out``;
5. thank and disconnect. Every error ends in a polite goodbye and ``DisconnectParticipant``.
"""

from __future__ import annotations

import json
import sys

from infra.connect import FEEDBACK_FUNCTION_PLACEHOLDER, SURVEY_FLOW

VERSION = "2019-10-30"
DEFAULT_VOICE = {"TextToSpeechVoice": "Kajal", "TextToSpeechEngine": "Neural"}
LAMBDA_SECONDS = "8"
INPUT_SECONDS = "8"
VOICE_NOTE_SECONDS = "60"
OPT_OUT_DIGIT = "8"
OFFICER_DIGIT = "9"
STATIC_GOODBYE = (
    "क्षमा करें, तकनीकी समस्या के कारण यह कॉल अभी पूरी नहीं हो सकी। हम आपसे बाद में संपर्क "
    "करेंगे। Sorry, we could not complete this call because of a technical problem. We will "
    "contact you again later. Thank you."
)
"""Said when even the prompts cannot be fetched: Hindi and English, which the default voice
speaks (Polly has no Odia voice and the flow cannot name a recorded prompt statically)."""

BYE, BYE_STATIC, DISCONNECT, OPT_OUT = "say-goodbye_error", "bye-static", "disconnect", "opt-out"


class Flow:
    """Actions in the order added; ``add`` returns the identifier for chaining."""

    def __init__(self, function_arn: str = FEEDBACK_FUNCTION_PLACEHOLDER) -> None:
        self.actions: list[dict] = []
        self.function_arn = function_arn
        """The ``Fn::Sub`` placeholder every Lambda invocation names."""

    def add(
        self,
        identifier: str,
        action_type: str,
        parameters: dict,
        next_action: str | None = None,
        errors: dict[str, str] | None = None,
        conditions: dict[str, str] | None = None,
    ) -> str:
        transitions: dict = {}
        if next_action is not None:
            transitions["NextAction"] = next_action
        if conditions:
            transitions["Conditions"] = [
                {"NextAction": target, "Condition": {"Operator": "Equals", "Operands": [value]}}
                for value, target in conditions.items()
            ]
        if errors:
            transitions["Errors"] = [
                {"NextAction": target, "ErrorType": kind} for kind, target in errors.items()
            ]
        self.actions.append(
            {
                "Identifier": identifier,
                "Type": action_type,
                "Parameters": parameters,
                "Transitions": transitions,
            }
        )
        return identifier

    def by_mode(self, identifier: str, tts: str, recorded: str, on_error: str) -> str:
        """Branch on ``$.External.mode``."""
        return self.add(
            identifier,
            "Compare",
            {"ComparisonValue": "$.External.mode"},
            next_action=on_error,
            conditions={"tts": tts, "recorded": recorded},
            errors={"NoMatchingCondition": on_error},
        )

    def say(self, key: str, next_action: str, on_error: str = BYE) -> str:
        """Speak ``$.External.<key>`` as text, or play it as a recorded prompt."""
        for mode, parameter in (("tts", "Text"), ("rec", "PromptId")):
            self.add(
                f"say-{key}-{mode}",
                "MessageParticipant",
                {parameter: f"$.External.{key}"},
                next_action=next_action,
                errors={"NoMatchingError": on_error},
            )
        return self.by_mode(f"say-{key}", f"say-{key}-tts", f"say-{key}-rec", on_error)

    def lambda_call(self, identifier: str, next_action: str, **parameters: str) -> str:
        return self.add(
            identifier,
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": self.function_arn,
                "InvocationTimeLimitSeconds": LAMBDA_SECONDS,
                "LambdaInvocationAttributes": parameters,
                "ResponseValidation": {"ResponseType": "STRING_MAP"},
            },
            next_action=next_action,
            errors={"NoMatchingError": BYE},
        )

    def set_attributes(self, identifier: str, next_action: str, **attributes: str) -> str:
        return self.add(
            identifier,
            "UpdateContactAttributes",
            {"Attributes": attributes},
            next_action=next_action,
            errors={"NoMatchingError": BYE},
        )

    def ask(self, identifier: str, key: str, next_action: str) -> str:
        """Play the question and store one key press in ``$.StoredCustomerInput``."""
        for mode, parameter in (("tts", "Text"), ("rec", "PromptId")):
            self.add(
                f"{identifier}-{mode}",
                "GetParticipantInput",
                {
                    parameter: f"$.External.{key}",
                    "InputTimeLimitSeconds": INPUT_SECONDS,
                    "StoreInput": "True",
                    "InputValidation": {"CustomValidation": {"MaximumLength": "1"}},
                },
                next_action=next_action,
                errors={"NoMatchingError": BYE},
            )
        return self.by_mode(identifier, f"{identifier}-tts", f"{identifier}-rec", BYE)

    def question(self, name: str, key: str, digits: tuple[str, ...], attribute: str, then: str):
        """Ask, check the key pressed, ask once more after an invalid key or silence, then go
        on (to ``then``) with the answer stored in ``attribute``, or without it."""
        save = self.set_attributes(f"save-{name}", then, **{attribute: "$.StoredCustomerInput"})
        for attempt, on_invalid in ((1, f"say-sorry-{name}"), (2, then)):
            answers = dict.fromkeys(digits, save) | {OPT_OUT_DIGIT: OPT_OUT}
            self.add(
                f"check-{name}-{attempt}",
                "Compare",
                {"ComparisonValue": "$.StoredCustomerInput"},
                next_action=on_invalid,
                conditions=answers,
                errors={"NoMatchingCondition": on_invalid},
            )
            self.ask(f"ask-{name}-{attempt}", key, f"check-{name}-{attempt}")
        self.sorry(name, f"ask-{name}-2")
        return f"ask-{name}-1"

    def voice_clip(self, start: str, ask: str, key: str, then: str, stop: str | None = None) -> str:
        """Record the caller's own voice: recording on (``start``), ``$.External.<key>``
        said (text or recorded prompt), then up to ``VOICE_NOTE_SECONDS`` listened to, ended
        by # or silence; recording off (``stop``, when given) and on to ``then``."""
        after = stop or then
        self.add(
            start,
            "UpdateContactRecordingBehavior",
            {"RecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"],
                                   "IVRRecordingBehavior": "Enabled"}},
            next_action=ask,
        )  # fmt: skip
        for mode, parameter in (("tts", "Text"), ("rec", "PromptId")):
            self.add(
                f"{ask}-{mode}",
                "GetParticipantInput",
                {
                    parameter: f"$.External.{key}",
                    "InputTimeLimitSeconds": VOICE_NOTE_SECONDS,
                    "StoreInput": "False",
                },
                next_action=after,
                conditions={"#": after},
                errors={
                    "InputTimeLimitExceeded": after,
                    "NoMatchingCondition": after,
                    "NoMatchingError": BYE,
                },
            )
        self.by_mode(ask, f"{ask}-tts", f"{ask}-rec", BYE)
        if stop:
            self.add(
                stop,
                "UpdateContactRecordingBehavior",
                {"RecordingBehavior": {"RecordedParticipants": [],
                                       "IVRRecordingBehavior": "Disabled"}},
                next_action=then,
            )  # fmt: skip
        return start

    def sorry(self, name: str, next_action: str) -> None:
        for mode, parameter in (("tts", "Text"), ("rec", "PromptId")):
            self.add(
                f"say-sorry-{name}-{mode}",
                "MessageParticipant",
                {parameter: "$.External.not_understood"},
                next_action=next_action,
                errors={"NoMatchingError": BYE},
            )
        self.by_mode(f"say-sorry-{name}", f"say-sorry-{name}-tts", f"say-sorry-{name}-rec", BYE)


def _opening(flow: Flow) -> None:
    flow.add(
        "set-default-voice",
        "UpdateContactTextToSpeechVoice",
        dict(DEFAULT_VOICE),
        next_action="get-prompts",
        errors={"NoMatchingError": BYE_STATIC},
    )
    flow.add(
        "get-prompts",
        "InvokeLambdaFunction",
        {
            "LambdaFunctionARN": FEEDBACK_FUNCTION_PLACEHOLDER,
            "InvocationTimeLimitSeconds": LAMBDA_SECONDS,
            "LambdaInvocationAttributes": {"action": "prompts"},
            "ResponseValidation": {"ResponseType": "STRING_MAP"},
        },
        next_action="check-mode",
        errors={"NoMatchingError": BYE_STATIC},
    )
    flow.by_mode("check-mode", "set-voice", "say-greeting", BYE_STATIC)
    flow.add(
        "set-voice",
        "UpdateContactTextToSpeechVoice",
        {"TextToSpeechVoice": "$.External.voice", "TextToSpeechEngine": "$.External.engine"},
        next_action="say-greeting",
        errors={"NoMatchingError": BYE_STATIC},
    )
    flow.say("greeting", "say-visit_detail")
    flow.add(
        "say-visit_detail",
        "MessageParticipant",
        {"Text": "$.External.visit_detail"},
        next_action="say-stop_hint",
        errors={"NoMatchingError": BYE},
    )
    flow.say("stop_hint", "check-kind")
    flow.add(
        "check-kind",
        "Compare",
        {"ComparisonValue": "$.Attributes.kind"},
        next_action="init-survey",
        conditions={"confirmation": "init-confirmation"},
        errors={"NoMatchingCondition": "init-survey"},
    )


def _survey(flow: Flow) -> None:
    flow.set_attributes(
        "init-survey", "ask-work_done-1",
        work_done="none", rating="none", bribe="none", wants_officer="false", voice_note="false",
    )  # fmt: skip
    flow.question("work_done", "q_work_done", ("1", "2"), "work_done", "ask-rating-1")
    flow.question("rating", "q_rating", ("1", "2", "3", "4", "5"), "rating", "ask-bribe-1")
    flow.question("bribe", "q_bribe", ("1", "2"), "bribe", "ask-officer")
    flow.add(
        "check-officer",
        "Compare",
        {"ComparisonValue": "$.StoredCustomerInput"},
        next_action="record",
        conditions={OFFICER_DIGIT: "save-officer", OPT_OUT_DIGIT: OPT_OUT},
        errors={"NoMatchingCondition": "record"},
    )
    flow.ask("ask-officer", "q_officer", "check-officer")
    flow.set_attributes("save-officer", "start-voice-note", wants_officer="true")
    # the citizen's own voice, recorded only after they pressed 9 for it
    flow.voice_clip("start-voice-note", "ask-voice-note", "voice_note", "mark-voice-note")
    flow.set_attributes("mark-voice-note", "record", voice_note="true")
    flow.lambda_call(
        "record", "say-thanks",
        action="record", work_done="$.Attributes.work_done", rating="$.Attributes.rating",
        bribe="$.Attributes.bribe", officer="$.Attributes.wants_officer",
    )  # fmt: skip
    flow.say("thanks", DISCONNECT)


def _confirmation(flow: Flow) -> None:
    flow.set_attributes("init-confirmation", "ask-resolved-1", resolved="none")
    flow.question("resolved", "q_confirm", ("1", "2"), "resolved", "confirm")
    flow.lambda_call(
        "confirm", "say-confirm_thanks", action="confirm", resolved="$.Attributes.resolved"
    )
    flow.say("confirm_thanks", DISCONNECT)


def _endings(flow: Flow) -> None:
    flow.set_attributes(OPT_OUT, "invoke-opt-out", opt_out="true")
    flow.lambda_call("invoke-opt-out", "say-opt_out_ack", action="opt_out")
    flow.say("opt_out_ack", DISCONNECT)
    flow.say("goodbye_error", DISCONNECT, on_error=BYE_STATIC)
    flow.add(
        BYE_STATIC,
        "MessageParticipant",
        {"Text": STATIC_GOODBYE},
        next_action=DISCONNECT,
        errors={"NoMatchingError": DISCONNECT},
    )
    flow.add(DISCONNECT, "DisconnectParticipant", {})


def build_survey_flow() -> dict:
    """The flow document (``Version``, ``StartAction``, ``Actions``)."""
    flow = Flow()
    _opening(flow)
    _survey(flow)
    _confirmation(flow)
    _endings(flow)
    return {"Version": VERSION, "StartAction": "set-default-voice", "Actions": flow.actions}


def render(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    SURVEY_FLOW.write_text(render(build_survey_flow()), encoding="utf-8")
    print(f"wrote {SURVEY_FLOW}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
