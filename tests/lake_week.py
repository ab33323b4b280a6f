"""A synthetic week of contract-shaped domain events (``samvad_dev.demo.report_events``) for the
lake's tests: contacts with retries, feedback with missing answers, cases that are resolved,
escalated because the citizen said "not resolved" or did not answer, timed out, overdue.

The week spans a month end (28 Oct – 3 Nov), and some cases open late in the UTC evening, on
the next India-time day, so month and IST boundaries are exercised."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from samvad import resources
from samvad_dev.demo import report_events as ev

FIRST_DAY = dt.date(2026, 10, 28)
DAYS = [FIRST_DAY + dt.timedelta(days=n) for n in range(7)]


@dataclass
class Week:
    events: list[tuple[str, dict]] = field(default_factory=list)
    """Each event once, in publishing order."""
    selections: list[dict] = field(default_factory=list)

    def add(self, detail_type: str, detail: dict) -> None:
        self.events.append((detail_type, detail))

    def of(self, detail_type: str) -> list[dict]:
        return [detail for kind, detail in self.events if kind == detail_type]


def synthetic_week(seed: int = 11, visits_per_office: int = 8) -> Week:
    rng = random.Random(seed)
    offices = ev.offices(3, 4, seed=seed)
    quality = {o.office_code: 0.95 - 0.07 * i for i, o in enumerate(offices)}
    week = Week()
    for day in DAYS:
        selected = []
        for office in offices:
            for n in range(visits_per_office):
                key = ev.visit_key(office, day, n)
                selected.append(_selection_entry(office, key, day, rng))
                _contact_and_feedback(week, office, key, day, quality[office.office_code], rng)
        week.selections.append({"run_date": day.isoformat(), "selected": selected})
    return week


def _selection_entry(office: ev.Office, key: str, day: dt.date, rng: random.Random) -> dict:
    return {
        "visit_key": key,
        "score": f"{rng.randrange(16**8):08x}",
        "stratum": f"{office.department}#{office.service}#{office.office_code}",
        "visit_date": (day - dt.timedelta(days=1)).isoformat(),
        "phone_hash": f"{rng.randrange(16**16):016x}",
        "district": office.district,
        "language": "or",
        "caller": "contact-centre",
        "channel": "ivr_call",
    }


def _contact_and_feedback(
    week: Week, office: ev.Office, key: str, day: dt.date, quality: float, rng: random.Random
) -> None:
    if rng.random() < 0.3:  # a first attempt nobody picked up
        week.add(resources.CONTACT_OUTCOME, ev.outcome(office, key, day, "no_answer", 1, False))
        attempt = 2
    else:
        attempt = 1
    answered = rng.random() < 0.8
    result = "answered" if answered else rng.choice(("busy", "gave_up"))
    week.add(resources.CONTACT_OUTCOME, ev.outcome(office, key, day, result, attempt))
    if not answered:
        return
    good = rng.random() < quality
    rating = rng.choice((4, 5)) if good else rng.choice((1, 2, 3, None))
    work_done = True if good else rng.choice((True, False, None))
    money = (not good) and rng.random() < 0.2
    detail = ev.feedback(office, key, day, rating, work_done, money)
    week.add(resources.FEEDBACK_RECORDED, detail)
    if detail["poor"]:
        _case(week, office, key, day, rng)


def _case(week: Week, office: ev.Office, key: str, day: dt.date, rng: random.Random) -> None:
    hour = rng.choice((5, 12, 20))  # 20:00 UTC is the next day in India
    opened = dt.datetime.combine(day, dt.time(hour, 0), dt.UTC)
    week.add(resources.CASE_OPENED, ev.case_opened(office, key, opened))
    path = rng.choice(("resolved", "not_resolved", "no_answer", "timeout", "open"))
    at = opened + dt.timedelta(days=1)
    if path == "resolved":
        week.add(resources.CASE_RESOLVED, ev.case_resolved(office, key, opened, at))
    elif path in ("not_resolved", "no_answer"):
        reason = f"citizen_{path}"
        week.add(resources.CASE_ESCALATED, ev.case_escalated(office, key, at, 2, reason))
        later = at + dt.timedelta(days=1)
        if rng.random() < 0.5:  # the level-2 ATR convinced the citizen
            week.add(resources.CASE_RESOLVED, ev.case_resolved(office, key, opened, later, 2))
        else:
            week.add(
                resources.CASE_ESCALATED,
                ev.case_escalated(office, key, later, 3, "citizen_not_resolved"),
            )
    elif path == "timeout":
        for level in (2, 3, 4):
            step = opened + dt.timedelta(days=level - 1)
            week.add(
                resources.CASE_ESCALATED, ev.case_escalated(office, key, step, level, "sla_timeout")
            )
        week.add(
            resources.CASE_OVERDUE, ev.case_overdue(office, key, opened + dt.timedelta(days=5))
        )
