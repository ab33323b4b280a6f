"""Generates ``inbound_flow.json``, the inbound contact flow citizens reach by calling in.

Run ``python -m infra.connect.inbound_flow`` after changing this file; a test fails while the
JSON and this generator disagree. Every Lambda block invokes the inbound IVR function
(``${InboundIvrFunctionArn}``) with ``action=…``; each answer replaces ``$.External`` and
carries the prompts of the caller's language, as the survey flow's do. The flow:

1. a default voice, ``action=languages``, then "1 Odia, 2 Hindi, 3 English" (silence or a
   wrong key twice: Odia); ``action=prompts`` with the key; the voice (or recorded prompts);
2. the main menu: 1 a grievance, 2 the status of a grievance, 3 schemes;
3. a grievance: department, then service, then the office (its code keyed, or 0 to choose the
   district and then the office from its list), then the category, each menu built by the
   function from config (``action=menu``) and each key checked by it (``action=choose``:
   ``$.External.result`` ``ok``/``again``/``list``/``give_up``); then an optional voice
   message (IVR recording on, "speak, then #", recording off) and ``action=register``, which
   answers the reference, spelled;
4. the status: the reference keyed (letters by their phone key), ``action=status`` answers it
   for the caller's own number only; menus and the status are played from a recording in
   S3 (``Media``) when the answer's ``menu_mode``/``detail_mode`` is ``s3``, else spoken;
5. schemes: ``action=schemes`` lists them, ``action=scheme`` tells one (text, or its recorded
   prompt), and 1 sends it by SMS (``action=scheme_sms``);
6. thanks and disconnect. A wrong key is asked again once; every error ends in a polite
   goodbye and ``DisconnectParticipant``.
"""

from __future__ import annotations

import sys

from infra.connect import INBOUND_FLOW, INBOUND_FUNCTION_PLACEHOLDER
from infra.connect.survey_flow import (
    BYE,
    BYE_STATIC,
    DEFAULT_VOICE,
    DISCONNECT,
    LAMBDA_SECONDS,
    STATIC_GOODBYE,
    VERSION,
    Flow,
    render,
)

MENU_DIGITS = "2"
"""Menus number their options 1-99: up to two keys, or one and #."""
OFFICE_CODE_DIGITS = "6"
REFERENCE_DIGITS = "6"
"""``OD-7K3M9Q`` is keyed as its six characters after ``OD-``, a letter by its phone key."""
MENU_SECONDS = "10"
MENU_MEDIA = {"Uri": "$.External.menu_media", "SourceType": "S3", "MediaType": "Audio"}
DETAIL_MEDIA = {"Uri": "$.External.detail_media", "SourceType": "S3", "MediaType": "Audio"}
"""A menu or status recorded per language (config ``inbound/ivr_prompts``), played from S3."""
THANKS, GIVE_UP = "say-thanks", "say-give_up"
CONTEXT = {
    "language": "$.Attributes.language",
    "department": "$.Attributes.department",
    "service": "$.Attributes.service",
    "district": "$.Attributes.district",
}
"""What every menu and choice invocation carries: the choices so far."""


class InboundFlow(Flow):
    def invoke(self, identifier: str, next_action: str, **parameters: str) -> str:
        return self.lambda_call(identifier, next_action, **parameters)

    def choice(self, name: str, key: str, answers: dict[str, str], otherwise: str) -> str:
        """Ask ``$.External.<key>`` for one key; ``answers`` maps keys to the next action;
        a wrong key or silence asks once more, then goes to ``otherwise``."""
        save = self.set_attributes(
            f"save-{name}", f"route-{name}", **{name: "$.StoredCustomerInput"}
        )
        self.add(
            f"route-{name}",
            "Compare",
            {"ComparisonValue": f"$.Attributes.{name}"},
            next_action=otherwise,
            conditions=answers,
            errors={"NoMatchingCondition": otherwise},
        )
        for attempt, on_invalid in ((1, f"say-sorry-{name}"), (2, otherwise)):
            self.add(
                f"check-{name}-{attempt}",
                "Compare",
                {"ComparisonValue": "$.StoredCustomerInput"},
                next_action=on_invalid,
                conditions=dict.fromkeys(answers, save),
                errors={"NoMatchingCondition": on_invalid},
            )
            self.ask(f"ask-{name}-{attempt}", key, f"check-{name}-{attempt}")
        self.sorry(name, f"ask-{name}-2")
        return f"ask-{name}-1"

    def keyed(self, identifier: str, text: str, digits: str, next_action: str) -> str:
        """Play ``text`` (a ``$.External`` text key) and store up to ``digits`` keys (or
        fewer, then #) in ``$.StoredCustomerInput``. A menu (``$.External.menu``) is played
        from its recording in S3 when the answer says ``menu_mode`` ``s3``."""
        collect = {
            "InputTimeLimitSeconds": MENU_SECONDS,
            "StoreInput": "True",
            "InputValidation": {"CustomValidation": {"MaximumLength": digits}},
        }
        if text != "$.External.menu":
            return self.add(
                identifier, "GetParticipantInput", {"Text": text, **collect},
                next_action=next_action, errors={"NoMatchingError": BYE},
            )  # fmt: skip
        for mode, source in (("tts", {"Text": text}), ("s3", {"Media": MENU_MEDIA})):
            self.add(
                f"{identifier}-{mode}", "GetParticipantInput", {**source, **collect},
                next_action=next_action, errors={"NoMatchingError": BYE},
            )  # fmt: skip
        return self.played(identifier, "menu", f"{identifier}-tts", f"{identifier}-s3")

    def played(self, identifier: str, key: str, tts: str, s3: str) -> str:
        """Branch on ``$.External.<key>_mode``: ``s3`` plays the recording, anything else
        (``tts``, or an answer without it) speaks the text."""
        return self.add(
            identifier,
            "Compare",
            {"ComparisonValue": f"$.External.{key}_mode"},
            next_action=tts,
            conditions={"s3": s3},
            errors={"NoMatchingCondition": tts},
        )

    def keyed_prompt(self, identifier: str, key: str, digits: str, next_action: str) -> str:
        """``keyed`` for a prompt key: spoken as text, or played as a recorded prompt."""
        for mode, parameter in (("tts", "Text"), ("rec", "PromptId")):
            self.add(
                f"{identifier}-{mode}",
                "GetParticipantInput",
                {
                    parameter: f"$.External.{key}",
                    "InputTimeLimitSeconds": MENU_SECONDS,
                    "StoreInput": "True",
                    "InputValidation": {"CustomValidation": {"MaximumLength": digits}},
                },
                next_action=next_action,
                errors={"NoMatchingError": BYE},
            )
        return self.by_mode(identifier, f"{identifier}-tts", f"{identifier}-rec", BYE)

    def menu(
        self,
        step: str,
        attribute: str,
        then: str,
        *,
        digits: str = MENU_DIGITS,
        heading: str | None = None,
        also: dict[str, str] | None = None,
    ) -> str:
        """A menu built by the function: ``action=menu`` gives ``$.External.menu``; the key
        goes to ``action=choose``, whose ``result`` routes: ``ok`` saves ``$.External.value``
        in ``attribute`` and goes to ``then``; ``also`` other results; a wrong key once more
        (the answer repeats the menu), then a goodbye. ``heading``: a prompt key said before
        the menu (by text or recorded prompt), when the menu itself is only the options."""
        save = self.set_attributes(f"save-{step}", then, **{attribute: "$.External.value"})
        for attempt, on_invalid in ((1, f"say-sorry-{step}"), (2, GIVE_UP)):
            self.add(
                f"result-{step}-{attempt}",
                "Compare",
                {"ComparisonValue": "$.External.result"},
                next_action=on_invalid,
                conditions={"ok": save, **(also or {})},
                errors={"NoMatchingCondition": on_invalid},
            )
            self.invoke(
                f"choose-{step}-{attempt}", f"result-{step}-{attempt}",
                action="choose", step=step, key="$.StoredCustomerInput", **CONTEXT,
            )  # fmt: skip
            self.keyed(
                f"ask-{step}-{attempt}", "$.External.menu", digits, f"choose-{step}-{attempt}"
            )
        self.sorry(step, f"ask-{step}-2")
        first = f"ask-{step}-1"
        if heading:
            first = self.say(heading, first)
        self.invoke(f"menu-{step}", first, action="menu", step=step, **CONTEXT)
        return f"menu-{step}"


def _opening(flow: InboundFlow) -> None:
    flow.add(
        "set-default-voice",
        "UpdateContactTextToSpeechVoice",
        dict(DEFAULT_VOICE),
        next_action="get-languages",
        errors={"NoMatchingError": BYE_STATIC},
    )
    flow.add(
        "get-languages",
        "InvokeLambdaFunction",
        {
            "LambdaFunctionARN": INBOUND_FUNCTION_PLACEHOLDER,
            "InvocationTimeLimitSeconds": LAMBDA_SECONDS,
            "LambdaInvocationAttributes": {"action": "languages"},
            "ResponseValidation": {"ResponseType": "STRING_MAP"},
        },
        next_action="ask-language_key-1",
        errors={"NoMatchingError": BYE_STATIC},
    )
    flow.choice("language_key", "q_language", dict.fromkeys("123", "get-prompts"), "get-prompts")
    flow.invoke(
        "get-prompts", "set-language", action="prompts", language_key="$.Attributes.language_key"
    )
    flow.set_attributes("set-language", "check-mode", language="$.External.language")
    flow.by_mode("check-mode", "set-voice", "say-greeting", BYE)
    flow.add(
        "set-voice",
        "UpdateContactTextToSpeechVoice",
        {"TextToSpeechVoice": "$.External.voice", "TextToSpeechEngine": "$.External.engine"},
        next_action="say-greeting",
        errors={"NoMatchingError": BYE},
    )
    flow.say("greeting", "ask-main-1")
    flow.choice(
        "main", "q_main", {"1": "menu-department", "2": "ask-reference", "3": "get-schemes"}, THANKS
    )


def _grievance(flow: InboundFlow) -> None:
    flow.menu("department", "department", "menu-service")
    flow.menu("service", "service", "menu-office")
    flow.menu(
        "office", "office", "menu-category",
        digits=OFFICE_CODE_DIGITS, heading="q_office", also={"list": "menu-district"},
    )  # fmt: skip
    flow.menu("district", "district", "menu-office_list")
    flow.menu("office_list", "office", "menu-category")
    flow.menu("category", "category", "ask-voice-1")
    flow.choice("voice", "q_voice", {"1": "start-recording", "2": "register"}, "register")
    # the caller's own voice, recorded only after they pressed 1 for it
    flow.voice_clip(
        "start-recording", "ask-voice-message", "voice_record", "mark-voice-message",
        stop="stop-recording",
    )  # fmt: skip
    flow.set_attributes("mark-voice-message", "register", voice_message="true")
    flow.invoke(
        "register", "check-registered",
        action="register", office="$.Attributes.office", category="$.Attributes.category",
        voice_message="$.Attributes.voice_message", **CONTEXT,
    )  # fmt: skip
    flow.add(
        "check-registered",
        "Compare",
        {"ComparisonValue": "$.External.result"},
        next_action="say-not_registered",
        conditions={"ok": "say-registered"},
        errors={"NoMatchingCondition": "say-not_registered"},
    )
    flow.say("registered", "say-reference")
    flow.add(
        "say-reference",
        "MessageParticipant",
        {"Text": "$.External.detail"},
        next_action=THANKS,
        errors={"NoMatchingError": BYE},
    )
    flow.say("not_registered", THANKS)


def _status(flow: InboundFlow) -> None:
    flow.keyed_prompt("ask-reference", "q_reference", REFERENCE_DIGITS, "status")
    flow.invoke(
        "status", "check-status",
        action="status", reference="$.StoredCustomerInput", language="$.Attributes.language",
    )  # fmt: skip
    flow.add(
        "check-status",
        "Compare",
        {"ComparisonValue": "$.External.result"},
        next_action="say-nothing_found",
        conditions={"ok": "say-status"},
        errors={"NoMatchingCondition": "say-nothing_found"},
    )
    for mode, source in (("tts", {"Text": "$.External.detail"}), ("s3", {"Media": DETAIL_MEDIA})):
        flow.add(
            f"say-status-{mode}",
            "MessageParticipant",
            source,
            next_action=THANKS,
            errors={"NoMatchingError": BYE},
        )
    flow.played("say-status", "detail", "say-status-tts", "say-status-s3")
    flow.say("nothing_found", THANKS)


def _schemes(flow: InboundFlow) -> None:
    flow.invoke("get-schemes", "check-schemes", action="schemes", language="$.Attributes.language")
    flow.add(
        "check-schemes",
        "Compare",
        {"ComparisonValue": "$.External.result"},
        next_action="say-nothing_found",
        conditions={"ok": "ask-scheme-1"},
        errors={"NoMatchingCondition": "say-nothing_found"},
    )
    flow.sorry("scheme", "ask-scheme-2")
    for attempt, on_invalid in ((1, "say-sorry-scheme"), (2, GIVE_UP)):
        flow.add(
            f"result-scheme-{attempt}",
            "Compare",
            {"ComparisonValue": "$.External.result"},
            next_action=on_invalid,
            conditions={"ok": "save-scheme"},
            errors={"NoMatchingCondition": on_invalid},
        )
        flow.invoke(
            f"choose-scheme-{attempt}", f"result-scheme-{attempt}",
            action="scheme", key="$.StoredCustomerInput", language="$.Attributes.language",
        )  # fmt: skip
        flow.keyed(
            f"ask-scheme-{attempt}", "$.External.menu", MENU_DIGITS, f"choose-scheme-{attempt}"
        )
    flow.set_attributes("save-scheme", "tell-scheme", scheme="$.External.value")
    flow.add(
        "tell-scheme",
        "Compare",
        {"ComparisonValue": "$.External.scheme_mode"},
        next_action="tell-scheme-tts",
        conditions={"tts": "tell-scheme-tts", "recorded": "tell-scheme-rec"},
        errors={"NoMatchingCondition": "tell-scheme-tts"},
    )
    for mode, parameter, key in (("tts", "Text", "detail"), ("rec", "PromptId", "scheme_prompt")):
        flow.add(
            f"tell-scheme-{mode}",
            "MessageParticipant",
            {parameter: f"$.External.{key}"},
            next_action="ask-scheme_sms-1",
            errors={"NoMatchingError": BYE},
        )
    flow.choice("scheme_sms", "q_scheme_sms", {"1": "send-scheme", "2": THANKS}, THANKS)
    flow.invoke(
        "send-scheme", "say-scheme_sent",
        action="scheme_sms", scheme="$.Attributes.scheme", language="$.Attributes.language",
    )  # fmt: skip
    flow.say("scheme_sent", THANKS)


def _endings(flow: InboundFlow) -> None:
    flow.say("give_up", THANKS)
    flow.say("thanks", DISCONNECT)
    flow.say("goodbye_error", DISCONNECT, on_error=BYE_STATIC)
    flow.add(
        BYE_STATIC,
        "MessageParticipant",
        {"Text": STATIC_GOODBYE},
        next_action=DISCONNECT,
        errors={"NoMatchingError": DISCONNECT},
    )
    flow.add(DISCONNECT, "DisconnectParticipant", {})


def build_inbound_flow() -> dict:
    """The flow document (``Version``, ``StartAction``, ``Actions``)."""
    flow = InboundFlow(INBOUND_FUNCTION_PLACEHOLDER)
    _opening(flow)
    _grievance(flow)
    _status(flow)
    _schemes(flow)
    _endings(flow)
    return {"Version": VERSION, "StartAction": "set-default-voice", "Actions": flow.actions}


def main() -> int:
    INBOUND_FLOW.write_text(render(build_inbound_flow()), encoding="utf-8")
    print(f"wrote {INBOUND_FLOW}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
