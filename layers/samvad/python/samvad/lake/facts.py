"""Domain events (and the sampler's selection) → the lake's fact rows (pure).

Each fact has a ``table``, the ``day`` of its partition and an ``identity`` unique to the
occurrence (like the reports' tally markers), so a fact delivered twice is stored once. Survey
facts are dated by their sampling run date; case steps by the India-time date of the step,
as the reports date them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from samvad import resources
from samvad.reports import inbound

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")
"""India has no daylight saving: a fixed offset needs no time-zone database in Lambda."""
EXPORTED = (
    resources.CONTACT_OUTCOME, resources.FEEDBACK_RECORDED, resources.CASE_OPENED,
    resources.CASE_ESCALATED, resources.CASE_RESOLVED, resources.CASE_OVERDUE,
)  # fmt: skip
"""The domain events the lake keeps (``SampleDrawn`` is read as its selection instead)."""
_DIMENSIONS = ("department", "service", "office_code", "district", "official_id")


class BadFact(ValueError):
    """An event that cannot become a fact; the message names the field."""


@dataclass(frozen=True)
class Fact:
    table: str
    day: dt.date
    identity: str
    row: dict[str, Any]

    @property
    def key(self) -> str:
        """The identity's digest: what the buffer keeps the fact under (no visit key in it)."""
        return hashlib.sha256(self.identity.encode()).hexdigest()[:40]


def lake_pattern() -> dict[str, list[str]]:
    """The EventBridge pattern of the events the lake keeps (the CDK rule uses it)."""
    return {"source": [resources.EVENT_SOURCE], "detail-type": list(EXPORTED)}


def fact_for(detail_type: str, detail: object) -> Fact | None:
    """The fact one domain event makes; ``None`` for events the lake does not keep."""
    if not isinstance(detail, dict):
        raise BadFact(f"{detail_type}: detail must be an object")
    if detail_type == resources.CONTACT_OUTCOME:
        return _contact(detail)
    if detail_type == resources.FEEDBACK_RECORDED:
        return _feedback(detail)
    step = _CASE_STEPS.get(detail_type)
    return _case(detail, *step) if step else None


def sample_facts(selection: dict[str, Any]) -> list[Fact]:
    """The visits a sampler run selected (``samples/<run date>/selection.json``)."""
    day = _date(selection, "run_date")
    facts = []
    for entry in selection.get("selected", []):
        department, service, office = [*str(entry.get("stratum", "")).split("#", 2), "", ""][:3]
        row = {
            "visit_key": _text(entry, "visit_key"),
            "phone_hash": entry.get("phone_hash"),
            "visit_date": entry.get("visit_date"),
            "caller": entry.get("caller"),
            "channel": entry.get("channel"),
            "language": entry.get("language"),
            "department": department,
            "service": service,
            "office_code": office,
            "district": entry.get("district", ""),
            "official_id": "",
        }
        facts.append(Fact("samples", day, f"sample#{row['visit_key']}", row))
    return facts


def _contact(detail: dict[str, Any]) -> Fact:
    day = _date(detail, "run_date") if detail.get("run_date") else _ist(detail, "at")
    row = {
        "visit_key": _text(detail, "visit_key"),
        "kind": detail.get("kind", "survey"),
        "case_id": detail.get("case_id"),
        "caller": detail.get("caller"),
        "channel": detail.get("channel"),
        "attempt": _int(detail.get("attempt", 1), "attempt"),
        "outcome": _text(detail, "outcome"),
        "final": bool(detail.get("final")),
        "at": detail.get("at"),
        **_dimensions(detail),
    }
    identity = "#".join(
        ("contact", row["visit_key"], row["kind"], row["case_id"] or "", str(row["attempt"]))
    )
    return Fact("contacts", day, identity, row)


def _feedback(detail: dict[str, Any]) -> Fact:
    day = _date(detail, "run_date") if detail.get("run_date") else _ist(detail, "received_at")
    rating = detail.get("rating")
    if rating is not None and (isinstance(rating, bool) or rating not in (1, 2, 3, 4, 5)):
        raise BadFact(f"FeedbackRecorded: rating must be 1–5 or null, not {rating!r}")
    row = {
        "visit_key": _text(detail, "visit_key"),
        "channel": detail.get("channel"),
        "language": detail.get("language"),
        "rating": rating,
        "work_done": _flag(detail, "work_done"),
        "bribe_asked": _flag(detail, "bribe_asked"),
        "wants_officer": bool(detail.get("wants_officer")),
        "poor": bool(detail.get("poor")),
        "reasons": [str(r) for r in detail.get("reasons") or []],
        "visit_date": detail.get("visit_date"),
        "received_at": detail.get("received_at"),
        **_dimensions(detail),
    }
    return Fact("feedback", day, f"feedback#{row['visit_key']}", row)


def _case(detail: dict[str, Any], event: str, stamp: str) -> Fact:
    from_level = detail.get("from_level") if event == "escalated" else None
    level = detail.get("to_level") if event == "escalated" else detail.get("level")
    row = {
        "case_id": _text(detail, "case_id"),
        "case_type": "grievance" if inbound.is_inbound(detail) else "feedback",
        "visit_key": detail.get("visit_key"),
        "event": event,
        "level": _int(level, "level"),
        "from_level": None if from_level is None else _int(from_level, "from_level"),
        "reason": detail.get("reason"),
        "at": _text(detail, stamp),
        "opened_at": detail.get("opened_at"),
        "deadline": detail.get("deadline"),
        **_dimensions(detail),
    }
    identity = f"case#{row['case_id']}#{event}#{row['from_level'] or ''}#{row['level']}"
    return Fact("case_events", _ist(detail, stamp), identity, row)


_CASE_STEPS = {
    resources.CASE_OPENED: ("opened", "opened_at"),
    resources.CASE_ESCALATED: ("escalated", "at"),
    resources.CASE_RESOLVED: ("resolved", "resolved_at"),
    resources.CASE_OVERDUE: ("overdue", "since"),
}


def _dimensions(detail: dict[str, Any]) -> dict[str, str]:
    return {name: str(detail.get(name) or "") for name in _DIMENSIONS}


def _text(detail: dict[str, Any], name: str) -> str:
    value = detail.get(name)
    if not isinstance(value, str) or not value:
        raise BadFact(f"{name} must be a non-empty string, not {value!r}")
    return value


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadFact(f"{name} must be a whole number, not {value!r}")
    return value


def _flag(detail: dict[str, Any], name: str) -> bool | None:
    value = detail.get(name)
    if value is not None and not isinstance(value, bool):
        raise BadFact(f"{name} must be true, false or null, not {value!r}")
    return value


def _date(detail: dict[str, Any], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_text(detail, name))
    except ValueError as exc:
        raise BadFact(f"{name} must be a date YYYY-MM-DD, not {detail.get(name)!r}") from exc


def _ist(detail: dict[str, Any], name: str) -> dt.date:
    try:
        when = dt.datetime.fromisoformat(_text(detail, name).replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadFact(f"{name} must be an ISO timestamp, not {detail.get(name)!r}") from exc
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(IST).date()
