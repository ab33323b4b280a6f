"""The three languages citizens are addressed in, and the catalog of every text in each.

One JSON file per language (``catalog/<code>.json``) holds every citizen-facing text: voice
prompts, SMS templates, web-form strings. All three files have the same keys.
"""

from __future__ import annotations

import copy
import functools
import json
import unicodedata
from datetime import date
from importlib import resources as package_files

LANGUAGES = ("or", "hi", "en")
DEFAULT_LANGUAGE = "or"

_ALIASES = {
    "or": ("or", "od", "ori", "odi", "odia", "oriya", "orissa", "odiya", "ଓଡ଼ିଆ", "ଓଡିଆ", "ओड़िया"),
    "hi": ("hi", "hin", "hindi", "हिन्दी", "हिंदी"),
    "en": ("en", "eng", "english", "अंग्रेज़ी", "ଇଂରାଜୀ"),
}
_LOOKUP = {
    unicodedata.normalize("NFC", alias).casefold(): code
    for code, aliases in _ALIASES.items()
    for alias in aliases
}


def normalise_language(value: str | None) -> str:
    """``"or"``, ``"hi"`` or ``"en"`` for any common way of naming the language
    (``Odia``, ``oriya``, ``ଓଡ଼ିଆ``, ``hi-IN``, ``हिन्दी``, ``en_IN``, ``English`` …);
    unknown or blank values give Odia, the state's language."""
    if not value or not isinstance(value, str):
        return DEFAULT_LANGUAGE
    text = unicodedata.normalize("NFC", value).strip().casefold()
    if text in _LOOKUP:
        return _LOOKUP[text]
    primary = text.replace("_", "-").split("-", 1)[0]  # hi-IN, en_GB, or-IN
    return _LOOKUP.get(primary, DEFAULT_LANGUAGE)


@functools.cache
def _load(language: str) -> dict:
    path = package_files.files("samvad.messages") / "catalog" / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def texts(language: str) -> dict:
    """The shared, cached catalog of a language (already normalised): never mutate it."""
    return _load(language)


def catalog(language: str | None) -> dict:
    """Every citizen-facing text of a language (any spelling ``normalise_language`` knows),
    as a fresh copy the caller may change."""
    return copy.deepcopy(_load(normalise_language(language)))


def format_date(value: str | date | None, language: str) -> str:
    """``2026-11-20`` → ``20 November 2026`` in the language's month names; other values
    (already formatted, or not a date) come back as they are."""
    if value is None:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return str(value)
    month = texts(normalise_language(language))["months"][day.month - 1]
    return f"{day.day} {month} {day.year}"
