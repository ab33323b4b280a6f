"""SMS texts that keep India's TRAI DLT rules: a registered template per language with
``{#var#}`` slots, each variable at most 30 characters, Unicode (UCS-2) for Odia and Hindi.

``dlt_template`` gives the form to register on the DLT portal; ``sms`` fills it for sending
and says how many segments it costs (GSM-7: 160 characters, 153 per part; UCS-2: 70, 67).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from samvad.messages.languages import normalise_language, texts

SENDER_ID = "SAMVAD"
"""The six-letter header registered on DLT (operators show it as e.g. ``VM-SAMVAD-G``)."""
VARIABLE_LIMIT = 30
TEMPLATES = (
    "survey", "confirmation", "opt_out_ack", "thanks", "not_understood",
    "not_understood_confirmation",
    "grievance_registered", "grievance_folded", "grievance_status", "grievance_status_refused",
    "grievance_help", "grievance_question", "grievance_code",
)  # fmt: skip
NEVER_SHORTENED = frozenset({"link"})
"""Variables that are refused rather than shortened when too long: a cut link is broken."""

_SLOT = re.compile(r"\{([a-z_]+)\}")
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
_GSM_FRIENDLY = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
)
_JOINERS = frozenset("\u094d\u0b4d\u200c\u200d")  # Devanagari and Odia virama, ZWNJ, ZWJ


class SmsError(ValueError):
    """A template or variable that cannot make a valid SMS; the message says which and why."""


@dataclass(frozen=True)
class SmsText:
    body: str
    template: str
    language: str
    unicode: bool
    segments: int


def _template(template: str, language: str) -> str:
    if template not in TEMPLATES:
        raise SmsError(f"unknown SMS template {template!r}: expected one of {', '.join(TEMPLATES)}")
    return texts(language)["sms"][template]


def template_variables(template: str, language: str | None = "en") -> tuple[str, ...]:
    """The variables a template needs, in order of appearance."""
    return tuple(_SLOT.findall(_template(template, normalise_language(language))))


def dlt_template(template: str, language: str | None) -> str:
    """The text to register on the DLT portal: fixed words, each variable as ``{#var#}``."""
    return _SLOT.sub("{#var#}", _template(template, normalise_language(language)))


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def count_segments(text: str) -> tuple[bool, int]:
    """``(unicode, segments)``: parts are filled without splitting a GSM escape pair or a
    UTF-16 surrogate pair, as handsets do."""
    if is_gsm7(text):
        units = [2 if ch in _GSM_EXTENDED else 1 for ch in text]
        single, part, is_unicode = 160, 153, False
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part, is_unicode = 70, 67, True
    if sum(units) <= single:
        return is_unicode, 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return is_unicode, segments


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFC", str(value))
    kept = "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\u200c\u200d" else " "
        for ch in text
    )
    return " ".join(kept.split())


def fit_variable(value: str, limit: int = VARIABLE_LIMIT, ellipsis: str = "…") -> str:
    """``value`` on one line, cut to ``limit`` UTF-16 units with ``ellipsis`` if longer; never
    inside a surrogate pair, before a combining vowel sign, or after a virama or joiner."""
    text = _clean(value)
    if _utf16_length(text) <= limit:
        return text
    budget = limit - _utf16_length(ellipsis)
    cut, used = 0, 0
    while cut < len(text) and used + _utf16_length(text[cut]) <= budget:
        used += _utf16_length(text[cut])
        cut += 1
    while cut > 0 and (
        unicodedata.category(text[cut]).startswith("M") or text[cut - 1] in _JOINERS
    ):
        cut -= 1  # keep a syllable whole: drop the base whose marks did not fit
    return text[:cut].rstrip() + ellipsis


def _sms_date(value: object) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return str(value)
    return day.strftime("%d-%m-%Y")


def sms(template: str, language: str | None, **variables: object) -> SmsText:
    """Fill a registered template. Variables are put on one line and shortened to 30
    characters (``…``); a ``link`` longer than that is refused, since a cut link is useless."""
    language = normalise_language(language)
    text = _template(template, language)
    needed = set(_SLOT.findall(text))
    missing = sorted(needed - variables.keys())
    unexpected = sorted(variables.keys() - needed)
    if missing or unexpected:
        raise SmsError(
            f"SMS template {template!r} needs {sorted(needed) or 'no variables'}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {unexpected}" if unexpected else "")
        )
    gsm_template = is_gsm7(text)
    filled: dict[str, str] = {}
    for name in needed:
        raw = _sms_date(variables[name]) if name == "date" else variables[name]
        value = _clean("" if raw is None else raw)
        if gsm_template:
            value = value.translate(_GSM_FRIENDLY)
        if not value:
            raise SmsError(f"SMS variable {name!r} is blank")
        if name in NEVER_SHORTENED:
            if _utf16_length(value) > VARIABLE_LIMIT or " " in value:
                raise SmsError(
                    f"SMS variable {name!r} must be one word of at most {VARIABLE_LIMIT} "
                    f"characters (DLT variable limit); got {len(value)}"
                )
        else:
            value = fit_variable(value, ellipsis="..." if gsm_template else "…")
        filled[name] = value
    body = _SLOT.sub(lambda m: filled[m.group(1)], text)
    is_unicode, segments = count_segments(body)
    return SmsText(body, template, language, is_unicode, segments)
