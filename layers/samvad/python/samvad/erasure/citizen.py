"""Who is being erased: the number in every form it was stored in, and how to recognise it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from samvad.phones import Problem, mask, normalise_indian_mobile
from samvad.pii import phone_hash

ERASED = "[erased]"
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().\-]{8,18}\d")
_MIN_NAME_CHARS = 6  # shorter names are too common to scrub out of free text safely


class InvalidPhone(ValueError):
    """The number given is not an Indian mobile; ``str()`` says why."""


@dataclass(frozen=True)
class Citizen:
    e164: str
    phone_hash: str
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, raw: str, hash_key: bytes) -> Citizen:
        e164 = normalise_indian_mobile(raw)
        if isinstance(e164, Problem):
            raise InvalidPhone(f"phone {raw!r}: {e164.message}")
        return cls(e164, phone_hash(hash_key, e164))

    def with_names(self, names: set[str]) -> Citizen:
        usable = {n.strip() for n in names if len(n.strip()) >= _MIN_NAME_CHARS}
        return Citizen(self.e164, self.phone_hash, tuple(sorted(usable)))

    @property
    def national(self) -> str:
        return self.e164[3:]

    @property
    def masked(self) -> str:
        return mask(self.e164)

    def holds_number(self, text: str) -> bool:
        """Does ``text`` hold this citizen's number (any written form, or masked) or hash?"""
        if (self.phone_hash and self.phone_hash in text) or self.masked in text:
            return True
        if self.national in text:
            return True
        return any(_digits(m.group(0)).endswith(self.national) for m in _PHONE_LIKE.finditer(text))

    def in_text(self, text: str) -> bool:
        """``holds_number``, or (in this citizen's own records) their name."""
        return self.holds_number(text) or any(name in text for name in self.names)

    def in_cell(self, cell: object) -> bool:
        """Is a spreadsheet/CSV cell this citizen's number (``98765 43210``, ``9876543210.0``)?"""
        text = str(cell).strip()
        if not text:
            return False
        return normalise_indian_mobile(text) == self.e164 or self.holds_number(text)

    def scrub(self, text: str) -> str:
        """``text`` with every trace of this citizen replaced by ``[erased]``."""
        for needle in filter(None, (self.phone_hash, self.masked, *self.names)):
            text = text.replace(needle, ERASED)
        text = _PHONE_LIKE.sub(
            lambda m: ERASED if _digits(m.group(0)).endswith(self.national) else m.group(0), text
        )
        return text.replace(self.national, ERASED)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def scrub_value(value: object, citizen: Citizen) -> tuple[object, int]:
    """``value`` (a JSON-like tree) with this citizen's traces scrubbed; and how many
    strings changed."""
    if isinstance(value, str):
        if citizen.in_text(value):
            return citizen.scrub(value), 1
        return value, 0
    if isinstance(value, dict):
        changed = 0
        out = {}
        for key, item in value.items():
            out[key], n = scrub_value(item, citizen)
            changed += n
        return out, changed
    if isinstance(value, list | tuple):
        changed = 0
        items = []
        for item in value:
            new, n = scrub_value(item, citizen)
            items.append(new)
            changed += n
        return (type(value)(items) if isinstance(value, tuple) else items), changed
    if isinstance(value, set):
        scrubbed = [scrub_value(v, citizen) for v in value]
        return {v for v, _ in scrubbed}, sum(n for _, n in scrubbed)
    return value, 0
