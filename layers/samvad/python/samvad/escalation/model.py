"""Levels, case ids, execution names and SLA timing (days scaled by the time factor)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

LEVELS: dict[int, str] = {
    1: "office head",
    2: "district collector / SP",
    3: "department secretary",
    4: "Chief Minister's office",
}
TOP_LEVEL = 4
DEFAULT_SLA_DAYS: dict[int, float] = {1: 7, 2: 3, 3: 2, 4: 2}
DEFAULT_CONFIRM_DAYS = 2.0
DEFAULT_RENOTIFY_DAYS = 7.0
REMINDER_FRACTION = 0.75
CASE_PREFIX = "case-"
_NAME_OK = re.compile(r"[A-Za-z0-9_-]+")
MAX_EXECUTION_NAME = 80


class CaseError(ValueError):
    """A request about a case that cannot be honoured; the message says why."""


def case_id_for(visit_key: object) -> str:
    if not visit_key or not isinstance(visit_key, str):
        raise CaseError("visit_key is required")
    return CASE_PREFIX + visit_key


def execution_name(case_id: str) -> str:
    """The case id when it is a valid execution name (≤ 80 of ``A-Za-z0-9_-``); otherwise a
    readable prefix and a hash of the whole id, so distinct cases never share a name."""
    if len(case_id) <= MAX_EXECUTION_NAME and _NAME_OK.fullmatch(case_id):
        return case_id
    digest = hashlib.sha256(case_id.encode()).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", case_id)[: MAX_EXECUTION_NAME - 17]
    return f"{readable}-{digest}"


def seconds(days: float, factor: float) -> int:
    """``days`` of real time compressed by ``factor`` (1.0 on AWS), never below one second."""
    return max(1, round(days * 86400 * factor))


@dataclass(frozen=True)
class LevelTiming:
    sla_seconds: int
    reminder_seconds: int  # until the pre-breach reminder (75% of the SLA)
    final_seconds: int  # from the reminder to the deadline

    @classmethod
    def of(cls, days: float, factor: float) -> LevelTiming:
        sla = seconds(days, factor)
        reminder = max(1, round(sla * REMINDER_FRACTION))
        return cls(sla, reminder, max(1, sla - reminder))


@dataclass(frozen=True)
class SlaPolicy:
    """Days per level for each ``department/service`` (else ``default``), from config."""

    default: dict[int, float]
    services: dict[str, dict[int, float]]
    confirm_days: float = DEFAULT_CONFIRM_DAYS
    renotify_days: float = DEFAULT_RENOTIFY_DAYS
    time_factor: float = 1.0
    grievances: SlaPolicy | None = None  # inbound grievances' own SLAs (``grievances`` key)

    @classmethod
    def from_document(cls, document: dict | None) -> SlaPolicy:
        document = document or {}
        try:
            default = {**DEFAULT_SLA_DAYS, **_levels(document.get("default") or {})}
            services = {k: _levels(v) for k, v in (document.get("services") or {}).items()}
            factor = float(document.get("time_factor", 1.0))
            confirm = float(document.get("confirm_days", DEFAULT_CONFIRM_DAYS))
            renotify = float(document.get("overdue_renotify_days", DEFAULT_RENOTIFY_DAYS))
        except (TypeError, ValueError, AttributeError) as error:
            raise CaseError(f"escalation SLA config is invalid: {error}") from None
        if not 0 < factor <= 1 or confirm <= 0 or renotify <= 0:
            raise CaseError("escalation SLA config: time_factor in (0, 1], days > 0")
        grievances = None
        if isinstance(document.get("grievances"), dict):
            inner = {k: v for k, v in document.items() if k != "grievances"}
            grievances = cls.from_document(
                {**inner, "default": {}, "services": {}, **document["grievances"]}
            )
        return cls(default, services, confirm, renotify, factor, grievances)

    def days(self, department: str, service: str, level: int, case_type: str = "") -> float:
        """Days at ``level``; a grievance case uses the ``grievances`` section when given."""
        if case_type == "grievance" and self.grievances is not None:
            return self.grievances.days(department, service, level)
        return {**self.default, **self.services.get(f"{department}/{service}", {})}[level]


def _levels(mapping: dict) -> dict[int, float]:
    result = {}
    for key, value in mapping.items():
        level, days = int(key), float(value)
        if level not in LEVELS or days <= 0:
            raise ValueError(f"level {key!r} with {value!r} days")
        result[level] = days
    return result
