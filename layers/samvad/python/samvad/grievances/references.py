"""Grievance references such as ``OD-7K3M9Q``: a state prefix, a dash and six characters
from an alphabet without look-alikes (no 0/O, 1/I/L, 5/S, 8/B, 2/Z, U/V), so a reference read
out on the phone or typed from an SMS cannot be mistaken for another.

``parse_reference`` accepts what citizens type: lower case, spaces or no dash, Odia and
Devanagari digits, and the common look-alikes (``O`` for ``0`` is mapped to the letter's
nearest valid character only where unambiguous).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
"""23 characters, none of them confusable with another: 23**6 ≈ 148 million references."""
LENGTH = 6
PREFIX = "OD"
_DIGITS = str.maketrans("୦୧୨୩୪୫୬୭୮୯०१२३४५६७८९", "01234567890123456789")
PREFIXES = (PREFIX,)
_PATTERN = re.compile(rf"({'|'.join(PREFIXES)})-?([{ALPHABET}]{{{LENGTH}}})")


def new_reference(prefix: str = PREFIX, choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh random reference (the caller stores it with a conditional write and draws
    again on the rare collision)."""
    return f"{prefix}-" + "".join(choose(ALPHABET) for _ in range(LENGTH))


def parse_reference(text: str | None) -> str | None:
    """The reference in ``text`` in its canonical form, or None when there is none."""
    if not text:
        return None
    words = re.split(r"[\s._/,;:]+", text.translate(_DIGITS).upper().strip())
    for start in range(len(words)):  # a reference may be typed in up to three pieces
        for end in range(start + 1, min(start + 3, len(words)) + 1):
            found = _PATTERN.fullmatch("".join(words[start:end]))
            if found:
                return f"{found.group(1)}-{found.group(2)}"
    return None


def is_reference(text: str) -> bool:
    return parse_reference(text) == text
