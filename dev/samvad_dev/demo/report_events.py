"""Synthetic domain events in the contracts' shapes (docs/contracts.md), for tests, the bench
and a reports-only demo. No phone number or free text: the contracts carry none."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from samvad import resources


@dataclass(frozen=True)
class Office:
    department: str
    service: str
    office_code: str
    district: str
    official_id: str
    office_name: str = ""

    def fields(self) -> dict:
        return {
            "department": self.department,
            "service": self.service,
            "office_code": self.office_code,
            "district": self.district,
            "official_id": self.official_id,
        }


def visit_key(office: Office, day: dt.date, n: int) -> str:
    identity = f"{office.office_code}|{office.service}|{day}|{n}"
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def envelope(detail_type: str, detail: dict) -> dict:
    """The event as EventBridge delivers it to an SQS target."""
    return {
        "version": "0",
        "id": hashlib.sha256(repr(sorted(detail.items())).encode()).hexdigest()[:36],
        "detail-type": detail_type,
        "source": resources.EVENT_SOURCE,
        "account": "123456789012",
        "time": "2026-11-23T12:00:00Z",
        "region": "ap-south-1",
        "resources": [],
        "detail": detail,
    }


def feedback(
    office: Office,
    key: str,
    run_date: dt.date,
    rating: int | None,
    work_done: bool | None,
    bribe_asked: bool | None = False,
    channel: str = "ivr_call",
) -> dict:
    reasons = [
        reason
        for reason, hit in (
            ("low_rating", rating is not None and rating <= 2),
            ("work_not_done", work_done is False),
            ("money_asked", bribe_asked is True),
        )
        if hit
    ]
    return {
        "visit_key": key,
        "run_date": run_date.isoformat(),
        "channel": channel,
        "language": "or",
        "rating": rating,
        "work_done": work_done,
        "bribe_asked": bribe_asked,
        "wants_officer": False,
        "poor": bool(reasons),
        "reasons": reasons,
        **office.fields(),
        "office_name": office.office_name,
        "visit_date": (run_date - dt.timedelta(days=1)).isoformat(),
        "received_at": f"{run_date.isoformat()}T07:00:00Z",
    }


def outcome(
    office: Office, key: str, run_date: dt.date, result: str, attempt: int = 1, final=True
) -> dict:
    return {
        "visit_key": key,
        "kind": "survey",
        "run_date": run_date.isoformat(),
        "caller": "contact-centre",
        "channel": "sms" if result == "sms_sent" else "ivr_call",
        "attempt": attempt,
        "outcome": result,
        "final": final,
        **office.fields(),
        "at": f"{run_date.isoformat()}T06:00:00Z",
    }


def case_opened(office: Office, key: str, at: dt.datetime) -> dict:
    return {
        "case_id": f"case-{key}",
        "visit_key": key,
        "level": 1,
        "opened_at": at.isoformat(),
        "deadline": (at + dt.timedelta(days=3)).isoformat(),
        **office.fields(),
    }


def case_escalated(office: Office, key: str, at: dt.datetime, to_level: int, reason: str) -> dict:
    return {
        "case_id": f"case-{key}",
        "visit_key": key,
        "from_level": to_level - 1,
        "to_level": to_level,
        "reason": reason,
        "at": at.isoformat(),
        "deadline": (at + dt.timedelta(days=3)).isoformat(),
        **office.fields(),
    }


def case_resolved(
    office: Office, key: str, opened: dt.datetime, resolved: dt.datetime, level: int = 1
) -> dict:
    return {
        "case_id": f"case-{key}",
        "visit_key": key,
        "level": level,
        "opened_at": opened.isoformat(),
        "resolved_at": resolved.isoformat(),
        **office.fields(),
    }


def case_overdue(office: Office, key: str, since: dt.datetime) -> dict:
    return {
        "case_id": f"case-{key}",
        "visit_key": key,
        "level": 4,
        "since": since.isoformat(),
        **office.fields(),
    }


def offices(departments: int = 3, per_department: int = 4, seed: int = 1) -> list[Office]:
    """A small state: each department's offices in distinct districts, one official each."""
    rng = random.Random(seed)
    districts = ["Khordha", "Cuttack", "Ganjam", "Mayurbhanj", "Balasore", "Sundargarh",
                 "Jajpur", "Kendujhar", "Puri", "Sambalpur"]  # fmt: skip
    codes = ["health", "revenue", "police", "energy", "water", "transport", "panchayat", "food"]
    result = []
    for d in range(departments):
        department = codes[d % len(codes)]
        for o in range(per_department):
            district = districts[(d + o) % len(districts)]
            code = f"{department[:3].upper()}-{district[:3].upper()}-{o + 1:03d}"
            result.append(
                Office(
                    department=department,
                    service=f"{department[:3]}-svc-{o % 2 + 1}",
                    office_code=code,
                    district=district,
                    official_id=f"OD-{department[:3].upper()}-{rng.randrange(10_000, 99_999)}",
                    office_name=f"{district} {department} office {o + 1}",
                )
            )
    return result


def day_of_events(offices_: list[Office], per_office: int, day: dt.date, seed: int) -> list:
    """A day's tallied events as a queue delivers them (shuffled), ``(detail-type, detail)``:
    per visit an unanswered call, an answered one and its feedback; for a poor rating its
    case opened, escalated, overdue at the CM's office and resolved (fractional hours)."""
    rng = random.Random(seed)
    at = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
    events: list[tuple[str, dict]] = []
    for office in offices_:
        for n in range(per_office):
            key = visit_key(office, day, n)
            rating = rng.choice((1, 2, 4, 5))
            events += [
                (resources.CONTACT_OUTCOME, outcome(office, key, day, "no_answer", 1, False)),
                (resources.CONTACT_OUTCOME, outcome(office, key, day, "answered", 2)),
                (resources.FEEDBACK_RECORDED, feedback(office, key, day, rating, rating > 3)),
            ]
            if rating < 4:
                opened = at + dt.timedelta(minutes=n)
                resolved = opened + dt.timedelta(hours=rng.uniform(1, 90))
                events += [
                    (resources.CASE_OPENED, case_opened(office, key, opened)),
                    (
                        resources.CASE_ESCALATED,
                        case_escalated(office, key, opened, 2, "sla_timeout"),
                    ),
                    (resources.CASE_OVERDUE, case_overdue(office, key, opened)),
                    (
                        resources.CASE_RESOLVED,
                        case_resolved(office, key, opened, resolved, level=4),
                    ),
                ]
    rng.shuffle(events)
    return events
