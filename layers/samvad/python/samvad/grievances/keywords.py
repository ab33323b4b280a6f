"""SMS keywords to the two-way number: ``GRV <office code> <what happened>`` registers a
grievance, ``STATUS <reference>`` asks for its status. The keyword may be written in
English, Hindi or Odia, the office code and reference in ASCII, Odia or Devanagari digits.
A message that starts with no keyword is not a keyword message (it may be a survey reply).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from samvad.grievances.references import parse_reference

GRIEVANCE_WORDS = frozenset({"grv", "grievance", "complaint", "शिकायत", "सिकायत", "ଅଭିଯୋଗ", "ଅଭିଜୋଗ"})
STATUS_WORDS = frozenset({"status", "sts", "स्थिति", "स्टेटस", "ସ୍ଥିତି", "ଷ୍ଟାଟସ"})
_DIGITS = str.maketrans("୦୧୨୩୪୫୬୭୮୯०१२३४५६७८९", "01234567890123456789")
_OFFICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,39}")


@dataclass(frozen=True)
class Keyword:
    kind: str  # grievance | status
    language: str  # the script the citizen wrote in: or | hi | en
    office_code: str | None = None
    text: str | None = None
    reference: str | None = None
    problem: str = ""  # what is missing: office_code | text | reference


def script_of(text: str) -> str:
    for ch in text:
        if "\u0b00" <= ch <= "\u0b7f":
            return "or"
        if "\u0900" <= ch <= "\u097f":
            return "hi"
    return "en"


def parse_keyword(body: str | None) -> Keyword | None:
    """The keyword message in ``body``, or None when it does not start with a keyword."""
    text = unicodedata.normalize("NFC", (body or "").strip())
    first, _, rest = text.partition(" ")
    word = first.strip(".,:;-#").casefold()
    rest = rest.strip()
    language = script_of(text)
    if word in STATUS_WORDS:
        reference = parse_reference(rest)
        return Keyword(
            "status", language, reference=reference, problem="" if reference else "reference"
        )
    if word not in GRIEVANCE_WORDS:
        return None
    code, _, what = rest.translate(_DIGITS).partition(" ")
    code = code.strip(".,:;#")
    named = any(c.isdigit() for c in code) or parse_reference(code) is not None
    if not _OFFICE.fullmatch(code) or not named:
        return Keyword("grievance", language, text=rest or None, problem="office_code")
    what = what.strip()
    if not what:
        return Keyword("grievance", language, office_code=code.upper(), problem="text")
    return Keyword("grievance", language, office_code=code.upper(), text=what)
