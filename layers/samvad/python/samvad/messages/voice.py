"""What the survey contact flow says, per language, and what the citizen's key presses mean.

The flow (``infra/connect/survey_flow.json``) invokes the feedback function with
``action=prompts`` and reads the answer as ``$.External.<key>``: for Hindi and English the
texts to speak (``mode=tts``, with the Polly ``voice``), for Odia, which Polly cannot speak,
references to recorded prompts (``mode=recorded``). ``visit_detail`` is always spoken text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from samvad.messages.languages import LANGUAGES, normalise_language, texts

KINDS = ("survey", "confirmation")
SETTING_KEYS = ("mode", "voice", "engine", "language")
PROMPT_KEYS = (
    "greeting", "stop_hint", "q_work_done", "q_rating", "q_bribe", "q_officer", "voice_note",
    "q_confirm", "not_understood", "thanks", "confirm_thanks", "opt_out_ack", "goodbye_error",
)  # fmt: skip
"""Spoken as text (``mode=tts``) or played as a recorded prompt (``mode=recorded``)."""
TEXT_KEYS = ("visit_detail",)
"""Always spoken as text: it names the office and service, which cannot be pre-recorded."""
CONNECT_KEYS = SETTING_KEYS + PROMPT_KEYS + TEXT_KEYS
CONNECT_LIMIT_BYTES = 32 * 1024
VARIABLE_LIMIT = 100
_CMO = frozenset({"cmo", "cm", "cm-office", "chief-minister"})
_CENTRE = frozenset({"", "contact-centre", "contact_centre", "contact-center", "centre", "center"})


def caller_class(caller: str | None) -> str:
    """``cmo``, ``centre`` (the contact centre, also when unknown) or ``official``."""
    name = (caller or "").strip().casefold()
    if name in _CMO:
        return "cmo"
    return "centre" if name in _CENTRE else "official"


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= VARIABLE_LIMIT else text[: VARIABLE_LIMIT - 1] + "…"


def _variables(language: str, variables: Mapping[str, object]) -> dict[str, str]:
    office = variables.get("office") or variables.get("office_name")
    service = variables.get("service") or variables.get("service_name")
    missing = [name for name, value in (("office", office), ("service", service)) if not value]
    if missing:
        raise ValueError(
            f"connect prompts need {' and '.join(missing)} (office_name, service_name)"
        )
    caller_name = variables.get("caller_name") or texts(language)["callers"]["unnamed_official"]
    return {
        "office": _one_line(office),
        "service": _one_line(service),
        "caller_name": _one_line(caller_name),
    }


def _prompt_reference(entry: dict, prompt_ids: Mapping[str, str] | None) -> str:
    name = entry["prompt"]
    if prompt_ids is None:
        return name
    if name not in prompt_ids:
        raise ValueError(f"no Amazon Connect prompt is known for {name!r}")
    return prompt_ids[name]


def connect_prompts(
    language: str | None,
    caller: str | None,
    kind: str = "survey",
    *,
    prompt_ids: Mapping[str, str] | None = None,
    **variables: object,
) -> dict[str, str]:
    """The flat string map the survey flow reads as ``$.External.<key>`` (``CONNECT_KEYS``).

    ``variables``: ``office`` and ``service`` (or the contact attributes ``office_name`` and
    ``service_name``), optionally ``caller_name`` for an official caller; others are ignored.
    ``prompt_ids`` maps recorded-prompt names (``samvad-or-q_rating``) to Amazon Connect prompt
    ARNs; without it the names themselves are returned (local runs, tests).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    language = normalise_language(language)
    catalog = texts(language)
    voice = catalog["voice"]
    values = _variables(language, variables)
    greeting = (
        "greeting_confirmation" if kind == "confirmation" else f"greeting_{caller_class(caller)}"
    )
    result = {
        "mode": voice["mode"],
        "voice": voice["voice"],
        "engine": voice["engine"],
        "language": language,
    }
    for key in PROMPT_KEYS:
        entry = catalog["prompts"][greeting if key == "greeting" else key]
        if voice["mode"] == "recorded":
            result[key] = _prompt_reference(entry, prompt_ids)
        else:
            result[key] = entry["text"].format_map(values)
    result["visit_detail"] = catalog["visit_detail"][kind].format_map(values)
    size = len(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    if size >= CONNECT_LIMIT_BYTES:
        raise ValueError(f"connect prompts are {size} bytes; Amazon Connect accepts < 32 KB")
    return result


def prompts_for_contact(
    attributes: Mapping[str, object], *, prompt_ids: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``connect_prompts`` from the contact attributes dispatch sets on the call
    (``language``, ``caller``, ``kind``, ``service_name``, ``office_name``, ``caller_name``)."""
    kind = str(attributes.get("kind") or "survey")
    return connect_prompts(
        str(attributes.get("language") or ""),
        str(attributes.get("caller") or ""),
        kind if kind in KINDS else "survey",
        prompt_ids=prompt_ids,
        office=attributes.get("office_name"),
        service=attributes.get("service_name"),
        caller_name=attributes.get("caller_name"),
    )


def recorded_prompts(language: str | None = "or") -> dict[str, str]:
    """Every prompt name of a language with the script to record for it (Odia is recorded;
    the Hindi and English names exist should a human voice replace text-to-speech)."""
    catalog = texts(normalise_language(language))
    return {entry["prompt"]: entry["text"] for entry in catalog["prompts"].values()}


def recorded_languages() -> tuple[str, ...]:
    return tuple(code for code in LANGUAGES if texts(code)["voice"]["mode"] == "recorded")


@dataclass(frozen=True)
class IvrAnswers:
    """The survey flow's ``action=record`` / ``action=confirm`` parameters, decoded."""

    rating: int | None = None
    work_done: bool | None = None
    bribe_asked: bool | None = None
    wants_officer: bool = False
    resolved: bool | None = None


_YES_NO_DIGITS = {"1": True, "2": False}


def ivr_answers(parameters: Mapping[str, object]) -> IvrAnswers:
    """Key presses as the flow passes them (``work_done``/``bribe``/``resolved``: ``1`` yes,
    ``2`` no; ``rating``: ``1``–``5``; ``officer``: ``true``/``false``). A missing, ``none`` or
    ``Timeout`` value is an unanswered question, never a guess."""

    def digit(name: str) -> str:
        return str(parameters.get(name) or "").strip()

    rating = digit("rating")
    return IvrAnswers(
        rating=int(rating) if rating in {"1", "2", "3", "4", "5"} else None,
        work_done=_YES_NO_DIGITS.get(digit("work_done")),
        bribe_asked=_YES_NO_DIGITS.get(digit("bribe")),
        wants_officer=digit("officer").casefold() == "true",
        resolved=_YES_NO_DIGITS.get(digit("resolved")),
    )
