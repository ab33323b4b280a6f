"""The reports stage of the demo: tally the week's events, write daily and weekly reports.

``run_reports(cloud, days)`` runs after the other stages have published their events on the
local bus: it pumps the reports queue into the real reports handler (as the SQS trigger would),
then invokes the handler as the daily schedule would for each day, and once for the week
ending on the last day. ``publish_synthetic_week`` stands in for the other stages when they
are not there (tests, a reports-only run): contract-shaped events for a few offices.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from samvad import resources
from samvad.adapters.events import EventBridgePublisher
from samvad.demo import report_events as ev
from samvad.local.cloud import LocalCloud
from samvad.local.reports import pump_reports


def run_reports(cloud: LocalCloud, days: list[dt.date], out: Path | None = None) -> dict:
    """Tally what is on the reports queue, then write each day's report and the week's.

    Returns ``{"tallied": {...}, "daily": {date: keys}, "weekly": keys, "bucket": name}``;
    with ``out``, every report file is also copied there and ``"paths"`` lists them."""
    tallied = pump_reports(cloud)
    daily = {
        day.isoformat(): cloud.invoke("reports", {"period": "day", "date": day.isoformat()})
        for day in sorted(days)
    }
    weekly = cloud.invoke("reports", {"period": "week", "date": max(days).isoformat()})
    result = {
        "tallied": tallied,
        "bucket": cloud.names.bucket,
        "daily": {day: r["keys"] for day, r in daily.items()},
        "weekly": weekly["keys"],
        "reads": {"daily": [r["reads"] for r in daily.values()], "weekly": weekly["reads"]},
    }
    if out is not None:
        result["paths"] = _download(cloud, [*daily.values(), weekly], Path(out))
    return result


def _download(cloud: LocalCloud, reports: list[dict], out: Path) -> list[str]:
    s3 = cloud.client("s3")
    paths = []
    for report in reports:
        keys = report["keys"]
        for key in (keys["summary"], keys["dashboard"], *keys["csv"].values(), *keys["pages"]):
            target = out / key
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(cloud.names.bucket, key, str(target))
            paths.append(str(target))
    return paths


def publish_synthetic_week(
    cloud: LocalCloud, days: list[dt.date], seed: int = 7, per_office: int = 14
) -> dict:
    """Publish contract-shaped events for ``days`` on the local bus: contacts and feedback for
    a dozen offices of uneven quality, cases for poor feedback (some resolved, some escalated,
    one overdue at the CM's office). Returns counts and the overdue case's visit key."""
    rng = random.Random(seed)
    publisher = EventBridgePublisher(cloud.env[resources.EVENT_BUS_ENV], cloud.client("events"))
    offices = ev.offices(3, 4, seed=seed)
    quality = {o.office_code: 0.9 - 0.06 * i for i, o in enumerate(offices)}
    counts = {"contacts": 0, "feedback": 0, "cases": 0}
    overdue_key = None
    for day in days:
        start = dt.datetime.combine(day, dt.time(4, 0), dt.UTC)
        for office in offices:
            for n in range(per_office):
                key = ev.visit_key(office, day, n)
                answered = rng.random() < 0.75
                result = "answered" if answered else rng.choice(("no_answer", "busy"))
                publisher.publish(resources.CONTACT_OUTCOME, ev.outcome(office, key, day, result))
                counts["contacts"] += 1
                if not answered:
                    continue
                good = rng.random() < quality[office.office_code]
                rating = rng.choice((4, 5)) if good else rng.choice((1, 2, 3))
                money = (not good) and rng.random() < 0.2
                detail = ev.feedback(office, key, day, rating, good or rng.random() < 0.5, money)
                publisher.publish(resources.FEEDBACK_RECORDED, detail)
                counts["feedback"] += 1
                if detail["poor"]:
                    counts["cases"] += 1
                    overdue_key = _case(publisher, office, key, start, rng, overdue_key, day, days)
    return counts | {"overdue_visit_key": overdue_key}


def _case(publisher, office, key, start, rng, overdue_key, day, days):
    opened = start + dt.timedelta(hours=2)
    publisher.publish(resources.CASE_OPENED, ev.case_opened(office, key, opened))
    if overdue_key is None and day == days[0]:  # the first poor case goes all the way up
        for level in (2, 3, 4):
            at = opened + dt.timedelta(days=level - 1)
            publisher.publish(
                resources.CASE_ESCALATED, ev.case_escalated(office, key, at, level, "sla_timeout")
            )
        publisher.publish(
            resources.CASE_OVERDUE, ev.case_overdue(office, key, opened + dt.timedelta(days=5))
        )
        return key
    if rng.random() < 0.6:
        resolved = opened + dt.timedelta(hours=rng.choice((5, 20, 40, 70)))
        publisher.publish(resources.CASE_RESOLVED, ev.case_resolved(office, key, opened, resolved))
    return overdue_key
