"""What a citizen's SMS reply means: feedback codes (``4 Y``, ``୪ ହଁ M``), STOP, or the answer
to a confirmation (``1`` resolved, ``2`` not). Anything unclear is ``unknown``: no guessing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

KINDS = ("feedback", "stop", "confirm", "unknown")
EXPECTING = ("feedback", "confirmation")

_NATIVE_DIGITS = str.maketrans("୦୧୨୩୪୫୬୭୮୯०१२३४५६७८९", "01234567890123456789")

YES = frozenset({"y", "yes", "ya", "yeah", "haan", "han", "ha", "haa", "ହଁ", "ହାଁ", "हाँ", "हां", "हा"})
NO = frozenset({
    "n", "no", "nahin", "nahi", "nai", "na", "nah", "ନା", "ନାହିଁ", "ନାହି", "नहीं", "नही",
    "ना",
})  # fmt: skip
MONEY = frozenset({
    "m", "money", "bribe", "paisa", "paise", "rishwat", "rishvat", "ghoos", "ghus",
    "ପଇସା", "ଟଙ୍କା", "ଲାଞ୍ଚ", "पैसे", "पैसा", "रिश्वत", "घूस",
})  # fmt: skip
STOP = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "ବନ୍ଦ", "बंद", "बन्द"})
_STOP_FILLERS = frozenset({"all", "please", "pls", "କରନ୍ତୁ", "କର", "करें", "करो", "कीजिए", "कर"})
_POLITE = frozenset({
    "thanks", "thank", "you", "ok", "okay", "sir", "madam", "dhanyavad", "dhanyawad", "धन्यवाद",
    "ଧନ୍ୟବାଦ",
})  # fmt: skip
_LETTER_CODES = frozenset("ynm")


@dataclass(frozen=True)
class Reply:
    kind: str
    rating: int | None = None
    work_done: bool | None = None
    bribe_asked: bool | None = None
    resolved: bool | None = None


UNKNOWN = Reply("unknown")


def _normal(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


_WORDS = {name: frozenset(map(_normal, words)) for name, words in {
    "yes": YES, "no": NO, "money": MONEY, "stop": STOP, "stop_fillers": _STOP_FILLERS,
    "polite": _POLITE,
}.items()}  # fmt: skip


def _char_class(ch: str) -> str:
    if ch.isascii() and ch.isdigit():
        return "digit"
    if unicodedata.category(ch)[0] in "LM" or ch in "\u200c\u200d":
        return "word"
    return "gap"


def tokens(text: str) -> list[str]:
    """Runs of digits and runs of letters (with their vowel signs), native digits as ASCII:
    ``"୪ହଁ,m"`` → ``["4", "ହଁ", "m"]``."""
    normal = _normal(text or "").translate(_NATIVE_DIGITS)
    found: list[str] = []
    current, kind = "", "gap"
    for ch in normal:
        ch_kind = _char_class(ch)
        if ch_kind != kind and current:
            found.append(current)
            current = ""
        kind = ch_kind
        if ch_kind != "gap":
            current += ch
    if current:
        found.append(current)
    return found


def _expand_letter_codes(words: list[str]) -> list[str]:
    """``"ym"`` → ``["y", "m"]``: letter codes written together."""
    expanded: list[str] = []
    for word in words:
        known = any(word in _WORDS[group] for group in ("yes", "no", "money"))
        if not known and 1 < len(word) <= 3 and set(word) <= _LETTER_CODES:
            expanded.extend(word)
        else:
            expanded.append(word)
    return expanded


def _negated(words: list[str], index: int) -> bool:
    """Whether a money word stands next to a no-word, as in "no money" or "पैसे नहीं"."""
    neighbours = words[max(index - 1, 0) : index] + words[index + 1 : index + 2]
    return any(word in _WORDS["no"] for word in neighbours)


def parse_reply(text: str, expecting: str | None = None) -> Reply:
    """Read an SMS reply. ``expecting`` is what the citizen was last asked: ``"feedback"``
    (a lone ``1`` is a rating), ``"confirmation"`` (``1``/``2`` or yes/no answer it), or
    ``None`` (a lone ``1``/``2`` is taken as a confirmation answer)."""
    if expecting is not None and expecting not in EXPECTING:
        raise ValueError(f"expecting must be one of {EXPECTING} or None, not {expecting!r}")
    found = tokens(text)
    if not found:
        return UNKNOWN
    if any(t in _WORDS["stop"] for t in found) and all(
        t in _WORDS["stop"] or t in _WORDS["stop_fillers"] for t in found
    ):
        return Reply("stop")
    found = [t for t in found if t not in _WORDS["polite"]]
    digits = [t for t in found if t.isdigit()]
    words = _expand_letter_codes([t for t in found if not t.isdigit()])
    if not found or len(digits) > 1 or (digits and len(digits[0]) != 1):
        return UNKNOWN
    answers: set[bool] = set()
    money = False
    for index, word in enumerate(words):
        if word in _WORDS["yes"]:
            answers.add(True)
        elif word in _WORDS["no"]:
            answers.add(False)
        elif word in _WORDS["money"]:
            if word != "m" and _negated(words, index):
                return UNKNOWN  # "no money", "ପଇସା ନାହିଁ": not asked, or work not done + money?
            money = True
        else:
            return UNKNOWN
    if len(answers) > 1:
        return UNKNOWN
    answer = answers.pop() if answers else None
    digit = int(digits[0]) if digits else None
    if expecting == "confirmation":
        return _confirmation(digit, answer, money)
    if expecting is None and digit in (1, 2) and answer is None and not money:
        return Reply("confirm", resolved=digit == 1)
    if digit is not None and not 1 <= digit <= 5:
        return UNKNOWN
    if digit is None and answer is None and not money:
        return UNKNOWN
    return Reply("feedback", rating=digit, work_done=answer, bribe_asked=True if money else None)


def _confirmation(digit: int | None, answer: bool | None, money: bool) -> Reply:
    if money:
        return UNKNOWN
    if digit in (1, 2) and answer is None:
        return Reply("confirm", resolved=digit == 1)
    if digit is None and answer is not None:
        return Reply("confirm", resolved=answer)
    return UNKNOWN
