"""Scheme notices: what a department publishes (``samvad schemes publish FILE``).

A file holds one notice or ``{"schemes": [...]}``; each notice::

    {"keyword": "KALIA", "department": "agriculture",
     "title": {"or": "…", "hi": "…", "en": "…"}, "summary": {"or": "…", "hi": "…", "en": "…"},
     "eligibility": {"en": "Small and marginal farmers", …}, "where_to_apply": {"en": "…", …},
     "valid_from": "2026-04-01", "valid_to": "2027-03-31",
     "prompt": {"or": "samvad-scheme-or-kalia"}}

``title`` and ``summary`` are required in all three languages; ``eligibility`` and
``where_to_apply`` in at least English (the others fall back to it); ``prompt`` (a recorded
Amazon Connect prompt per language) is optional. Notices are kept together, by keyword, in
the versioned config document ``schemes/notices``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samvad.messages.languages import LANGUAGES, normalise_language

SCHEMES_CONFIG = "schemes/notices"
KEYWORD = re.compile(r"[A-Z0-9]{2,16}")
TITLE_LIMIT, SUMMARY_LIMIT = 80, 600


class SchemeError(ValueError):
    """A scheme file that cannot be published; the message names the field to fix."""


@dataclass(frozen=True)
class Scheme:
    keyword: str
    department: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    eligibility: Mapping[str, str]
    where_to_apply: Mapping[str, str]
    valid_from: dt.date
    valid_to: dt.date
    prompt: Mapping[str, str] = field(default_factory=dict)
    broadcast: bool = False
    """Sent by the stack's scheduled broadcast to every subscriber while current."""

    def text(self, part: str, language: str) -> str:
        """``part`` in ``language``, else in English."""
        values: Mapping[str, str] = getattr(self, part)
        return values.get(normalise_language(language)) or values["en"]

    def current(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def to_document(self) -> dict[str, Any]:
        return {
            "keyword": self.keyword, "department": self.department, "title": dict(self.title),
            "summary": dict(self.summary), "eligibility": dict(self.eligibility),
            "where_to_apply": dict(self.where_to_apply),
            "valid_from": self.valid_from.isoformat(), "valid_to": self.valid_to.isoformat(),
            "prompt": dict(self.prompt), "broadcast": self.broadcast,
        }  # fmt: skip


def parse_schemes(document: object) -> list[Scheme]:
    """The notices of a scheme file; ``SchemeError`` names the first field to fix."""
    entries = (
        document.get("schemes")
        if isinstance(document, dict) and "schemes" in document
        else [document]
    )
    if not isinstance(entries, list) or not entries:
        raise SchemeError('the file must hold a scheme object or {"schemes": [...]}')
    schemes, seen = [], set()
    for n, entry in enumerate(entries, 1):
        scheme = _parse_one(entry, f"scheme {n}")
        if scheme.keyword in seen:
            raise SchemeError(f"scheme {n}: keyword {scheme.keyword} appears twice")
        seen.add(scheme.keyword)
        schemes.append(scheme)
    return schemes


def _parse_one(entry: object, where: str) -> Scheme:
    if not isinstance(entry, dict):
        raise SchemeError(f"{where}: must be an object")
    keyword = str(entry.get("keyword", "")).strip().upper()
    if not KEYWORD.fullmatch(keyword):
        raise SchemeError(
            f"{where}: keyword must be 2-16 letters or digits (what SMS SCHEME <keyword> names)"
        )
    where = f"scheme {keyword}"
    department = entry.get("department")
    if not isinstance(department, str) or not department.strip():
        raise SchemeError(f"{where}: department is required")
    title = _languages(entry.get("title"), f"{where}: title", TITLE_LIMIT, all_languages=True)
    summary = _languages(
        entry.get("summary"), f"{where}: summary", SUMMARY_LIMIT, all_languages=True
    )
    eligibility = _languages(entry.get("eligibility"), f"{where}: eligibility", SUMMARY_LIMIT)
    where_to_apply = _languages(
        entry.get("where_to_apply"), f"{where}: where_to_apply", SUMMARY_LIMIT
    )
    valid_from = _date(entry.get("valid_from"), f"{where}: valid_from")
    valid_to = _date(entry.get("valid_to"), f"{where}: valid_to")
    if valid_to < valid_from:
        raise SchemeError(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")
    prompt = entry.get("prompt") or {}
    if not isinstance(prompt, dict) or not all(
        k in LANGUAGES and isinstance(v, str) and v.strip() for k, v in prompt.items()
    ):
        raise SchemeError(f"{where}: prompt must map or/hi/en to a recorded prompt's name or ARN")
    broadcast = entry.get("broadcast", False)
    if not isinstance(broadcast, bool):
        raise SchemeError(f"{where}: broadcast must be true or false")
    return Scheme(keyword, department.strip(), title, summary, eligibility, where_to_apply,
                  valid_from, valid_to, dict(prompt), broadcast)  # fmt: skip


def _languages(
    value: object, where: str, limit: int, *, all_languages: bool = False
) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SchemeError(f"{where} must be an object of or/hi/en texts")
    needed = LANGUAGES if all_languages else ("en",)
    for language in needed:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise SchemeError(f"{where} is missing its {language!r} text")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise SchemeError(f"{where}: unknown languages {unknown} (or, hi, en)")
    texts = {k: " ".join(str(v).split()) for k, v in value.items() if str(v).strip()}
    if too_long := [k for k, v in texts.items() if len(v) > limit]:
        raise SchemeError(f"{where}: the {too_long[0]!r} text is over {limit} characters")
    return texts


def _date(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SchemeError(f"{where} must be a date YYYY-MM-DD, not {value!r}") from None


def schemes_from_document(document: Mapping[str, Any] | None) -> list[Scheme]:
    """The published notices (``schemes/notices``), in keyword order."""
    entries = (document or {}).get("schemes") or {}
    return [_parse_one(entries[k], k) for k in sorted(entries)]


def merged_document(current: Mapping[str, Any] | None, schemes: list[Scheme]) -> dict[str, Any]:
    """The next ``schemes/notices``: the published notices with ``schemes`` added or replaced."""
    entries = dict((current or {}).get("schemes") or {})
    entries.update({s.keyword: s.to_document() for s in schemes})
    return {"schemes": entries}
