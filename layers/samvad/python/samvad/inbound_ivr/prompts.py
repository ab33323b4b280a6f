"""What the inbound flow says, per language (``catalog.json``), as Connect reads it.

Every answer of the inbound IVR function carries ``inbound_prompts(language)``: the fixed
sentences as text (Hindi, English: ``mode=tts``) or as recorded-prompt names (Odia, which
Polly cannot speak: ``mode=recorded``, ``samvad-inbound-or-<key>``), under the keys the flow
reads as ``$.External.<key>``. What changes per call (menus, the reference, a status, a
scheme) is spoken text (``RESPONSE_KEYS``) unless a recording of it is configured
(``recorded``); for Odia it is read in Hindi (the configurable fallback) by the Hindi-English
voice.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources as package_files

from samvad.messages.languages import LANGUAGES, normalise_language, texts

PROMPT_KEYS = (
    "greeting", "q_language", "q_main", "q_office", "q_voice", "voice_record", "registered",
    "not_registered", "q_reference", "nothing_found", "q_scheme_sms", "scheme_sent",
    "not_understood", "give_up", "thanks", "goodbye_error",
)  # fmt: skip
"""Spoken as text (``mode=tts``) or played as a recorded prompt (``mode=recorded``)."""
SETTING_KEYS = ("mode", "voice", "engine", "language")
RESPONSE_KEYS = (
    "result", "value", "menu", "detail", "scheme_mode", "scheme_prompt",
    "menu_mode", "menu_media", "detail_mode", "detail_media",
)  # fmt: skip
"""Set by an action's answer: ``result`` routes the flow, ``value`` is the choice to keep,
``menu`` and ``detail`` are spoken text, ``scheme_*`` how a scheme is told, ``menu_*`` and
``detail_*`` whether the menu or status is played from a recording in S3 (``recorded``)."""
KEYPAD = {
    **{d: d for d in "0123456789"},
    **{ch: key for key, letters in {
        "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV",
        "9": "WXYZ"}.items() for ch in letters},
}  # fmt: skip


@functools.cache
def _catalog() -> dict:
    path = package_files.files("samvad.inbound_ivr") / "catalog.json"
    return json.loads(path.read_text(encoding="utf-8"))


def phrase(language: str, sentence: str, /, **values: object) -> str:
    """One sentence of the inbound catalog, formatted."""
    return str(_catalog()[normalise_language(language)][sentence]).format(**values)


def language_for_key(key: str | None) -> str:
    """The language the caller chose (1 Odia, 2 Hindi, 3 English); anything else: Odia."""
    return _catalog()["language_keys"].get((key or "").strip(), "or")


def inbound_prompts(
    language: str | None, *, prompt_ids: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The flat map of settings and fixed sentences for ``language`` (``$.External``)."""
    code = normalise_language(language)
    voice = texts(code)["voice"]
    result = {"mode": voice["mode"], "voice": voice["voice"], "engine": voice["engine"]}
    result["language"] = code
    for key in PROMPT_KEYS:
        if voice["mode"] == "recorded":
            name = prompt_name(code, key)
            result[key] = (prompt_ids or {}).get(name, name)
        elif key == "q_language":
            result[key] = _catalog()["language_menu"]
        else:
            result[key] = phrase(code, key)
    return result


def language_prompts() -> dict[str, str]:
    """Before the caller has chosen: Hindi settings, the trilingual language menu as text."""
    return inbound_prompts("hi")


def prompt_name(language: str, key: str) -> str:
    return f"samvad-inbound-{language}-{key}"


def recorded_scripts(language: str = "or") -> dict[str, str]:
    """Each recorded prompt's name and the script to record for it."""
    code = normalise_language(language)
    scripts = {prompt_name(code, k): phrase(code, k) for k in PROMPT_KEYS if k != "q_language"}
    return scripts | {prompt_name(code, "q_language"): _catalog()["language_menu"]}


def keypad_digits(text: str) -> str:
    """What a caller keys for ``text`` on a phone keypad (``7K3M9Q`` → ``753697``)."""
    return "".join(KEYPAD.get(ch, "") for ch in text.upper())


def spelled(language: str, reference: str) -> str:
    """A reference as the voice should say it: ``OD-7K3M9Q`` → ``O D 7 K 3 M 9 Q.``"""
    tail = reference.upper().removeprefix("OD-")
    return phrase(language, "spelled", characters=" ".join(tail))


def produced_keys() -> frozenset[str]:
    """Every ``$.External`` key an answer of the inbound function may carry."""
    keys = [frozenset(inbound_prompts(language)) for language in LANGUAGES]
    return frozenset.intersection(*keys) | frozenset(RESPONSE_KEYS)
