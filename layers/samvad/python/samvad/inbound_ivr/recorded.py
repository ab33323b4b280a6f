"""Recorded prompts for what the inbound IVR says per call (menus, statuses), per language.

Amazon Polly has no Odia voice, so the fixed Odia sentences are recorded Connect prompts
(``prompts.py``). What changes per call (the menus built from config, a grievance's status)
cannot be recorded once for all; a department may record it as audio files in the data
bucket under ``prompts/`` and list them in the versioned config document
``inbound/ivr_prompts``, which the flow plays from S3 (``Media``)::

    {"recorded": {"or": {"menu/department": "prompts/inbound/or/departments.wav",
                         "menu/service/health": "prompts/inbound/or/health-services.wav",
                         "menu/category/health": "…", "menu/district": "…",
                         "menu/office_list/health/KHU": "…", "menu/office": "…",
                         "status/open": "…", "status/open/L2": "…", "status/resolved": "…"}},
     "fallback": {"or": "hi"}}

Where there is no recording, the words are spoken by the Hindi-English voice in the
``fallback`` language of the caller's (default: Hindi for Odia, which an Odia speaker is
likelier to follow than English); ``"fallback": {"or": "en"}`` restores English.
Published with ``samvad config publish inbound/ivr_prompts FILE`` (checked: exit 2 naming
the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samvad.messages.languages import LANGUAGES

PROMPTS_CONFIG = "inbound/ivr_prompts"
PROMPT_PREFIX = "prompts/"
DEFAULT_FALLBACK = {"or": "hi"}
"""Odia callers hear the unrecorded words in Hindi (Polly's Kajal); Hindi and English callers
in their own language."""
MENU_STEPS = ("department", "service", "office", "district", "office_list", "category")
AUDIO = (".wav", ".mp3")


@dataclass(frozen=True)
class RecordedPrompts:
    bucket: str = ""
    """The data bucket the keys are in; blank: nothing recorded is played."""
    recorded: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fallback: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FALLBACK))

    def media(self, language: str, keys: tuple[str, ...]) -> str:
        """The ``s3://`` URI of the first of ``keys`` recorded in ``language``, or ``""``."""
        if not self.bucket:
            return ""
        own = self.recorded.get(language) or {}
        found = next((own[k] for k in keys if own.get(k)), "")
        return f"s3://{self.bucket}/{found}" if found else ""

    def spoken(self, language: str, recorded_voice: bool) -> str:
        """The language of spoken text for a caller of ``language`` (``recorded_voice``: its
        fixed sentences are recorded, Polly cannot speak it)."""
        if not recorded_voice:
            return language
        return self.fallback.get(language) or DEFAULT_FALLBACK.get(language, "en")


def menu_keys(step: str, context: Mapping[str, str]) -> tuple[str, ...]:
    """The recording that reads ``step``'s options, given the choices so far."""
    department, district = context.get("department", ""), context.get("district", "")
    if step in ("service", "category"):
        return (f"menu/{step}/{department}",)
    if step == "office_list":
        return (f"menu/office_list/{department}/{district}",)
    return (f"menu/{step}",)


def status_keys(state: str, level: int) -> tuple[str, ...]:
    """The recording that tells a status: for its state at its level, else for its state."""
    return (f"status/{state}/L{level}", f"status/{state}")


def prompts_from_document(document: Mapping[str, Any] | None, bucket: str) -> RecordedPrompts:
    """The prompts of a valid document (``validate_prompts``); none published: nothing
    recorded, the default fallback."""
    document = document or {}
    return RecordedPrompts(
        bucket=bucket,
        recorded={str(k): dict(v) for k, v in (document.get("recorded") or {}).items()},
        fallback={**DEFAULT_FALLBACK, **(document.get("fallback") or {})},
    )


def validate_prompts(document: object) -> list[str]:
    """Every problem with an ``inbound/ivr_prompts`` document, one sentence each."""
    if not isinstance(document, dict):
        return ["the document must be an object with recorded (and fallback)"]
    problems = [f"unknown field {k!r}" for k in sorted(set(document) - {"recorded", "fallback"})]
    recorded = document.get("recorded") or {}
    if not isinstance(recorded, dict):
        return [*problems, "'recorded' must be an object {language: {prompt: key}}"]
    for language, prompts in recorded.items():
        if language not in LANGUAGES:
            problems.append(f"recorded.{language}: not one of {', '.join(LANGUAGES)}")
            continue
        if not isinstance(prompts, dict):
            problems.append(f"recorded.{language} must be an object {{prompt: key}}")
            continue
        for name, key in prompts.items():
            where = f"recorded.{language}.{name}"
            if not (name.startswith("menu/") or name.startswith("status/")):
                problems.append(f"{where}: a prompt is menu/<step>… or status/<state>…")
            elif name.startswith("menu/") and name.split("/")[1] not in MENU_STEPS:
                problems.append(f"{where}: the step is one of {', '.join(MENU_STEPS)}")
            if (
                not isinstance(key, str)
                or not key.startswith(PROMPT_PREFIX)
                or ".." in key
                or not key.lower().endswith(AUDIO)
            ):
                problems.append(f"{where}: an audio key under {PROMPT_PREFIX} (.wav or .mp3)")
    fallback = document.get("fallback") or {}
    if not isinstance(fallback, dict):
        return [*problems, "'fallback' must be an object {language: language}"]
    for language, spoken in fallback.items():
        if language not in LANGUAGES or spoken not in ("hi", "en"):
            problems.append(f"fallback.{language}: a language falls back to hi or en")
    return problems
