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
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from samvad import resources
from samvad.adapters.events import EventBridgePublisher
from samvad_dev.demo import report_events as ev
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.flows import download
from samvad_dev.local.reports import pump_reports


def run_reports(
    cloud: LocalCloud,
    days: list[dt.date],
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    tallied_before: dict | None = None,
) -> dict:
    """Tally what is on the reports queue, then write each day's report and the week's.

    Returns ``{"tallied": {...}, "daily": {date: keys}, "weekly": keys, "reads": {...}}``
    (``keys``: S3 keys of ``summary``, ``dashboard`` and ``csv``); with ``out``, every report is
    also copied under ``out/reports/<day|week>/<label>/`` and ``"local"`` has the same shape
    with those paths. ``progress`` is told how many reports are written so far;
    ``tallied_before`` counts what was pumped to the reports function earlier."""
    tallied = dict(Counter(pump_reports(cloud)) + Counter(tallied_before or {}))
    tallied = {k: tallied.get(k, 0) for k in ("delivered", "failed")}
    written = []
    for period, date in [*(("day", d) for d in sorted(days)), ("week", max(days))]:
        written.append(cloud.invoke("reports", {"period": period, "date": date.isoformat()}))
        if progress is not None:
            progress(len(written))
    *daily, weekly = written
    labels = [day.isoformat() for day in sorted(days)]

    def shaped(files: list[dict]) -> dict:
        return {"daily": dict(zip(labels, files[:-1], strict=True)), "weekly": files[-1]}

    result = {
        "tallied": tallied,
        **shaped([r["keys"] for r in written]),
        "reads": {"daily": [r["reads"] for r in daily], "weekly": weekly["reads"]},
    }
    if out is not None:
        result["local"] = shaped([_download(cloud, r["keys"], Path(out)) for r in written])
    return result


def _download(cloud: LocalCloud, keys: dict, out: Path) -> dict:
    """The report's files copied to ``out / key``; the same shape with local paths."""

    def local(key: str) -> str:
        return download(cloud, key, out / key)

    return {
        "summary": local(keys["summary"]),
        "dashboard": local(keys["dashboard"]),
        "csv": {name: local(key) for name, key in keys["csv"].items()},
        "pages": [local(key) for key in keys.get("pages", [])],
    }


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
