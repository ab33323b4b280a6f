"""One domain event → the counter increments it makes (pure; the store applies them).

Every update carries an ``identity`` unique to the event's occurrence (a visit's feedback, a
contact attempt, a case step): the store writes a marker under it in the same transaction as
the increments, so an event delivered twice counts once.

The tally grain is (day × department × service × office × official). The day is the sampling
run date for survey figures (sampled, contacts, feedback), so a day's response rate compares
like with like, and the India-time date of the step for cases.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from samvad import resources
from samvad.reports import inbound
from samvad.reports.periods import ist_date
from samvad.reports.stats import ttr_bucket

NO_OFFICIAL = "-"
"""The ``official_id`` of a tally row whose event named no official (an inbound grievance, a
visit without one): counted for its office, never listed as an official."""

OUTCOMES = ("answered", "no_answer", "busy", "sms_sent", "opted_out", "failed", "gave_up")
REACHED = ("answered", "sms_sent")
ESCALATION_REASONS = ("sla_timeout", "citizen_not_resolved", "citizen_no_answer", "transferred")
ACTED_ON = ("citizen_not_resolved", "citizen_no_answer")
"""Escalations that followed the official's action (the deadline was met, the citizen was not
satisfied or could not be reached), as opposed to a missed deadline (``sla_timeout``)."""
LEVELS = (1, 2, 3, 4)
TALLIED = (
    resources.SAMPLE_DRAWN, resources.CONTACT_OUTCOME, resources.FEEDBACK_RECORDED,
    resources.CASE_OPENED, resources.CASE_ESCALATED, resources.CASE_RESOLVED,
    resources.CASE_OVERDUE, resources.GRIEVANCE_REGISTERED,
)  # fmt: skip


def tally_pattern() -> dict:
    """The EventBridge pattern of the events tallied (the CDK rule and the local one)."""
    return {"source": [resources.EVENT_SOURCE], "detail-type": list(TALLIED)}


class BadEvent(ValueError):
    """An event that cannot be tallied; the message says which field is wrong."""


@dataclass(frozen=True)
class Grain:
    department: str
    service: str
    office_code: str
    official_id: str
    district: str = ""
    office_name: str = ""

    @property
    def key(self) -> str:
        return "#".join((self.department, self.service, self.office_code, self.official_id))


@dataclass(frozen=True)
class TallyUpdate:
    identity: str
    day: dt.date
    grain: Grain
    add: Mapping[str, float] = field(default_factory=dict)
    overdue: dict | None = None
    """Fields to set on the case's item of the overdue list (keyed by ``case_id``)."""
    case_id: str = ""


def updates_for(
    detail_type: str, detail: object, load_selection: Callable[[str], dict]
) -> list[TallyUpdate]:
    """The updates one event makes; [] for events reports do not tally."""
    if not isinstance(detail, dict):
        raise BadEvent(f"{detail_type}: detail must be an object")
    if detail_type == resources.SAMPLE_DRAWN:
        return _sampled(detail, load_selection)
    if detail_type == resources.GRIEVANCE_REGISTERED:
        return inbound.registered(detail)
    if inbound.is_inbound(detail):  # an SMS grievance names no service, a web one maybe no office
        detail = inbound.with_blanks_named(detail)
    builder = _BUILDERS.get(detail_type)
    updates = builder(detail) if builder else []
    if inbound.is_inbound(detail):  # a grievance case: its own counters, never the survey's
        return [inbound.separated(update, detail) for update in updates]
    return updates


# -- survey ----------------------------------------------------------------------------------


def _sampled(detail: dict, load_selection: Callable[[str], dict]) -> list[TallyUpdate]:
    run_date = _date(detail, "run_date")
    key = detail.get("selection_key") or f"{resources.SAMPLES_PREFIX}{run_date}/selection.json"
    selection = load_selection(key)
    counts: Counter[str] = Counter()
    districts: dict[str, str] = {}
    for entry in selection.get("selected", []):
        counts[entry["stratum"]] += 1
        districts.setdefault(entry["stratum"], entry.get("district", ""))
    updates = []
    for stratum, n in sorted(counts.items()):
        department, service, office = stratum.split("#", 2)
        grain = Grain(department, service, office, "", districts[stratum])
        updates.append(
            TallyUpdate(f"SampleDrawn#{run_date}#{stratum}", run_date, grain, {"sampled": n})
        )
    return updates


def _contact(detail: dict) -> list[TallyUpdate]:
    if detail.get("kind", "survey") != "survey":
        return []  # confirmation calls are the cases' business, not the survey's reach
    outcome = _choice(detail, "outcome", OUTCOMES)
    day = _date(detail, "run_date") if detail.get("run_date") else _stamp_date(detail, "at")
    add = {"attempts": 1}
    if detail.get("final"):
        add |= {"final_contacts": 1, f"outcome_{outcome}": 1}
        if outcome in REACHED:
            add["reached"] = 1
    identity = (
        f"ContactOutcome#{_text(detail, 'visit_key')}#survey#{int(detail.get('attempt') or 1)}"
    )
    return [TallyUpdate(identity, day, _grain(detail), add)]


def is_satisfied(rating: int | None, work_done: bool | None, money: bool | None) -> bool | None:
    """Satisfied: rating 4 or 5, work done, and no money asked. ``None`` when the answers given
    cannot decide it (a missing rating or "work done" with nothing negative said)."""
    if (rating is not None and rating < 4) or work_done is False or money is True:
        return False
    if rating is not None and work_done is True:
        return True
    return None


def _feedback(detail: dict) -> list[TallyUpdate]:
    rating = detail.get("rating")
    if rating is not None and (isinstance(rating, bool) or rating not in (1, 2, 3, 4, 5)):
        raise BadEvent(f"FeedbackRecorded: rating must be 1–5 or null, not {rating!r}")
    work_done, money = _flag(detail, "work_done"), _flag(detail, "bribe_asked")
    day = (
        _date(detail, "run_date") if detail.get("run_date") else _stamp_date(detail, "received_at")
    )
    add: dict[str, float] = {"responses": 1}
    if rating is not None:
        add |= {"rated": 1, "rating_sum": rating, f"rating_{rating}": 1}
    if work_done is not None:
        add |= {"work_done_answered": 1, "work_done_yes": int(work_done)}
    if money is not None:
        add |= {"money_answered": 1, "money_yes": int(money)}
    if detail.get("poor"):
        add["poor"] = 1
    if detail.get("wants_officer"):
        add["wants_officer"] = 1
    satisfied = is_satisfied(rating, work_done, money)
    if satisfied is not None:
        add |= {"assessable": 1, "satisfied": int(satisfied)}
    identity = f"FeedbackRecorded#{_text(detail, 'visit_key')}"
    return [TallyUpdate(identity, day, _grain(detail), add)]


# -- cases -----------------------------------------------------------------------------------


def _opened(detail: dict) -> list[TallyUpdate]:
    case = _text(detail, "case_id")
    day = _stamp_date(detail, "opened_at")
    return [TallyUpdate(f"CaseOpened#{case}", day, _grain(detail), {"cases_opened": 1})]


def _escalated(detail: dict) -> list[TallyUpdate]:
    case = _text(detail, "case_id")
    low, high = _level(detail, "from_level"), _level(detail, "to_level")
    reason = _choice(detail, "reason", ESCALATION_REASONS)
    add = {f"escalated_l{high}": 1}
    if reason == "sla_timeout":
        add["sla_missed"] = 1
    elif reason in ACTED_ON:
        add["sla_met"] = 1
    identity = f"CaseEscalated#{case}#{low}#{high}"
    return [TallyUpdate(identity, _stamp_date(detail, "at"), _grain(detail), add)]


def _resolved(detail: dict) -> list[TallyUpdate]:
    case = _text(detail, "case_id")
    level = _level(detail, "level")
    opened, resolved = _stamp(detail, "opened_at"), _stamp(detail, "resolved_at")
    hours = max(0.0, (resolved - opened).total_seconds() / 3600)
    add = {
        f"resolved_l{level}": 1,
        "sla_met": 1,
        "ttr_hours_sum": round(hours, 3),
        f"ttr_{ttr_bucket(hours):02d}": 1,
    }
    overdue = {"resolved_at": detail["resolved_at"]} if level == 4 else None
    day = ist_date(detail["resolved_at"])
    return [TallyUpdate(f"CaseResolved#{case}", day, _grain(detail), add, overdue, case)]


def _overdue(detail: dict) -> list[TallyUpdate]:
    case = _text(detail, "case_id")
    grain = _grain(detail)
    overdue = {
        "case_id": case,
        "visit_key": _text(detail, "visit_key"),
        "level": _level(detail, "level"),
        "since": detail["since"],
        "department": grain.department,
        "service": grain.service,
        "office_code": grain.office_code,
        "district": grain.district,
        "official_id": grain.official_id,
    }
    add = {"overdue": 1, "sla_missed": 1}
    day = _stamp_date(detail, "since")
    return [TallyUpdate(f"CaseOverdue#{case}", day, grain, add, overdue, case)]


_BUILDERS: dict[str, Callable[[dict], list[TallyUpdate]]] = {
    resources.CONTACT_OUTCOME: _contact,
    resources.FEEDBACK_RECORDED: _feedback,
    resources.CASE_OPENED: _opened,
    resources.CASE_ESCALATED: _escalated,
    resources.CASE_RESOLVED: _resolved,
    resources.CASE_OVERDUE: _overdue,
}


# -- field checks ----------------------------------------------------------------------------


def _grain(detail: dict) -> Grain:
    return Grain(
        department=_text(detail, "department"),
        service=_text(detail, "service"),
        office_code=_text(detail, "office_code"),
        official_id=str(detail.get("official_id") or NO_OFFICIAL),
        district=str(detail.get("district") or ""),
        office_name=str(detail.get("office_name") or ""),
    )


def _text(detail: dict, name: str) -> str:
    value = detail.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(f"{name} is missing or blank")
    if "#" in value and name != "case_id":
        raise BadEvent(f"{name} must not contain '#': {value!r}")
    return value


def _choice(detail: dict, name: str, allowed: tuple[str, ...]) -> str:
    value = detail.get(name)
    if value not in allowed:
        raise BadEvent(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _flag(detail: dict, name: str) -> bool | None:
    value = detail.get(name)
    if value is not None and not isinstance(value, bool):
        raise BadEvent(f"{name} must be true, false or null, not {value!r}")
    return value


def _level(detail: dict, name: str) -> int:
    value = detail.get(name)
    if isinstance(value, bool) or value not in LEVELS:
        raise BadEvent(f"{name} must be a level 1–4, not {value!r}")
    return int(value)


def _date(detail: dict, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(detail.get(name)))
    except ValueError:
        raise BadEvent(f"{name} must be an ISO date, not {detail.get(name)!r}") from None


def _stamp(detail: dict, name: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(detail.get(name)).replace("Z", "+00:00"))
    except ValueError:
        raise BadEvent(f"{name} must be an ISO timestamp, not {detail.get(name)!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _stamp_date(detail: dict, name: str) -> dt.date:
    _stamp(detail, name)
    return ist_date(detail[name])
