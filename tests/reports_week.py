"""A synthetic week driven through the reports domain on in-memory fakes (the events
``samvad demo`` publishes, from ``samvad_dev.demo.report_events``), without the local cloud."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from samvad import resources
from samvad.reports.service import ReportPorts, record_event
from samvad_dev.demo import report_events as ev
from tests.reports_fakes import memory_report_ports

WEEK = [dt.date(2026, 11, 17) + dt.timedelta(days=n) for n in range(7)]
OVERDUE_PHONE = "+919876543210"


def synthetic_week(
    per_office: int = 6, seed: int = 7, services: int = 1
) -> tuple[ReportPorts, list[ev.Office]]:
    """A week of 12 offices of uneven quality: ``per_office`` visits a day each, 75% answer;
    poor feedback opens a case (most resolved; the first goes overdue at the CM's office).
    With ``services`` > 1 an office's visits rotate over that many services."""
    rng = random.Random(seed)
    offices = ev.offices(3, 4, seed=seed)
    quality = {o.office_code: 0.95 - 0.07 * i for i, o in enumerate(offices)}
    first = ev.visit_key(_service(offices[0], 0, services), WEEK[0], 0)
    ports = memory_report_ports(phones={first: OVERDUE_PHONE}, now=_after(WEEK[-1]))

    def publish(detail_type: str, detail: dict) -> None:
        record_event(ev.envelope(detail_type, detail), ports)

    overdue_done = False
    for day in WEEK:
        start = dt.datetime.combine(day, dt.time(4, 0), dt.UTC)
        for counter in offices:
            for n in range(per_office):
                office = _service(counter, n, services)
                key = ev.visit_key(office, day, n)
                answered = key == first or rng.random() < 0.75
                result = "answered" if answered else "no_answer"
                publish(resources.CONTACT_OUTCOME, ev.outcome(office, key, day, result))
                if not answered:
                    continue
                good = key != first and rng.random() < quality[office.office_code]
                rating = rng.choice((4, 5)) if good else rng.choice((1, 2))
                publish(resources.FEEDBACK_RECORDED, ev.feedback(office, key, day, rating, good))
                if good:
                    continue
                opened = start + dt.timedelta(hours=2)
                publish(resources.CASE_OPENED, ev.case_opened(office, key, opened))
                if not overdue_done:
                    overdue_done = True
                    for level in (2, 3, 4):
                        at = opened + dt.timedelta(days=level - 1)
                        detail = ev.case_escalated(office, key, at, level, "sla_timeout")
                        publish(resources.CASE_ESCALATED, detail)
                    since = opened + dt.timedelta(days=4)
                    publish(resources.CASE_OVERDUE, ev.case_overdue(office, key, since))
                elif rng.random() < 0.6:
                    resolved = opened + dt.timedelta(hours=rng.choice((5, 20, 40)))
                    detail = ev.case_resolved(office, key, opened, resolved)
                    publish(resources.CASE_RESOLVED, detail)
    return ports, offices


def _service(office: ev.Office, n: int, services: int) -> ev.Office:
    """The office's ``n``-th visit, for one of ``services`` services (its own when 1)."""
    if services == 1:
        return office
    return dataclasses.replace(office, service=f"{office.service}-{n % services}")


def _after(day: dt.date) -> dt.datetime:
    """06:00 India time on the day after ``day``, when its report runs."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), dt.UTC)
