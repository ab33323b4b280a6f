"""``samvad demo``: one synthetic day of Odisha's departments, end to end on the local stack.

Intake: every department uploads yesterday's visits (CSV, XLSX, JSON Lines, with a few
percent of realistic mistakes), one clerk uploads an old ``.xls`` by mistake, and one S3 event
is delivered twice. Sampling: the 09:00 schedule fires today and on the next two days (the
daily cycle, which also reveals the secrets of the dates whose window has closed), and
today's sample is verified from the revealed secrets. Dispatch: today's sample is called and
sent SMS on a simulated clock (09:05–21:00 IST), simulated citizens answer, reply, fill the
web form or say STOP, and their feedback is recorded. Escalation: every poor feedback opens a
case that the real state machine escalates on moto's Step Functions engine, with the SLAs
compressed (a 7-day L1 lasts seconds) and simulated officials and citizens.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path

from samvad import resources
from samvad.demo.dispatch import contact_day
from samvad.demo.escalation import run_escalation
from samvad.demo.reports import run_reports
from samvad.demo.synthetic import generate_visits, write_day
from samvad.local.cloud import LocalCloud
from samvad.local.flows import ingest_files, queued_messages, sample_day, verify_day

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE2 (Excel 97) header


def run_demo(visits: int, seed: int, out: Path, days: int = 1) -> dict:
    """``days`` days of visits, each sampled the next morning and contacted that day (the last
    run date is today); then escalation of every poor feedback, and the reports."""
    started = time.monotonic()
    day = dt.datetime.now(IST).date() - dt.timedelta(days=days)
    synthetic = generate_visits(visits, seed=seed, day=day)
    files = write_day(synthetic, out / "uploads")
    mistake = out / "uploads" / f"revenue-{day.isoformat()}-register.xls"
    mistake.write_bytes(LEGACY_XLS)
    files.append(("revenue", mistake))
    _progress(
        f"generated {synthetic.total_rows} rows for {day} in {len(files)} files "
        f"({sum(synthetic.injected.values())} with injected mistakes)"
    )

    reports = []
    with LocalCloud(stage="demo") as cloud:
        for number, (department, path) in enumerate(files, start=1):
            (report,) = ingest_files(cloud, [path], department)
            reports.append(report)
            _progress(f"[{number}/{len(files)}] {path.name}: " + _one_line(report))
        replay = _redeliver(cloud, reports[0])
        stored = _count(cloud, resources.VISITS)
        later = [_later_day(cloud, visits, seed, out, day + dt.timedelta(days=k))
                 for k in range(1, days)]  # fmt: skip
        sampling = _sample(cloud, day + dt.timedelta(days=1), later)
        poor = sampling.pop("poor_feedback")
        _progress(f"escalating the {len(poor)} poor feedback on a compressed SLA clock")
        escalation = run_escalation(cloud, poor, seed)
        run_dates = [day + dt.timedelta(days=k + 1) for k in range(days)]
        reporting = run_reports(cloud, run_dates, out=out / "reports")
        _progress(f"reports written: {len(reporting.get('paths', []))} files under {out}/reports")

    totals = Counter()
    reasons: Counter[str] = Counter()
    for report in reports:
        totals.update(
            {k: report[k] for k in ("rows", "accepted", "rejected", "duplicates", "blank_rows")}
        )
        totals["quarantined"] += int(report["quarantined"])
        reasons.update(report["rejected_by_reason"])
    summary = {
        "day": day.isoformat(),
        "seed": seed,
        "visits_generated": synthetic.n,
        "rows_written": synthetic.total_rows,
        "mistakes_injected": dict(synthetic.injected),
        "totals": dict(totals),
        "rejected_by_reason": dict(reasons),
        "visits_in_table": stored,
        "replayed_event_changed_nothing": replay,
        "sampling": sampling,
        "escalation": escalation,
        "reports": reporting,
        "files": [
            {
                k: r[k]
                for k in (
                    "key",
                    "format",
                    "rows",
                    "accepted",
                    "rejected",
                    "duplicates",
                    "quarantined",
                    "quarantine_reason",
                    "rejects_key",
                    "report_key",
                )
            }
            for r in reports
        ],
        "seconds": round(time.monotonic() - started, 1),
    }
    if not sampling["verification"]["ok"] or not sampling["rerun_changed_nothing"]:
        raise RuntimeError(f"sampling check failed: {json.dumps(sampling, default=str)[:2000]}")
    if stored != totals["accepted"]:
        raise RuntimeError(f"{stored} visits stored but {totals['accepted']} accepted")
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    _progress(f"done in {summary['seconds']} s: {out / 'summary.json'}")
    return summary


def _later_day(cloud: LocalCloud, visits: int, seed: int, out: Path, day: dt.date):
    """Another day of uploads (``--days``): ingest it now, sample and contact it in turn."""
    synthetic = generate_visits(visits, seed=seed + day.toordinal(), day=day)
    files = write_day(synthetic, out / "uploads" / day.isoformat())

    def contact() -> tuple[dict, list[dict]]:
        for department, path in files:
            list(ingest_files(cloud, [path], department))
        run_date = day + dt.timedelta(days=1)
        run = sample_day(cloud, run_date)
        contacts, events = contact_day(cloud, run_date, seed=run_date.toordinal())
        _progress(f"{run_date}: sampled {run['sampled']}, {_contacted(contacts)}")
        return {"run_date": run_date.isoformat(), "sampled": run["sampled"], **contacts}, events

    return contact


def _contacted(contacts: dict) -> str:
    return (
        f"{contacts['calls_placed']} calls ({contacts['calls_answered']} answered), "
        f"{contacts['sms_sent']} SMS, {contacts['feedback']} feedback "
        f"({contacts['poor_feedback_events']} poor), {contacts['opt_outs']} opt-outs"
    )


def _sample(cloud: LocalCloud, today: dt.date, later=()) -> dict:
    """Today's run (and its rerun, which must change nothing), the later days (each ingested,
    sampled and contacted), two more sampling runs (which reveal the secrets), verification."""
    first = sample_day(cloud, today)
    _progress(
        f"sampled {first['sampled']} of {first['quota']} planned for {today}: "
        f"{first['by_channel']}; CM's office list: {first['by_caller'].get('cmo', 0)}"
    )
    rerun = sample_day(cloud, today)
    queued = queued_messages(cloud, cloud.names.dispatch_queue)
    contacts, events = contact_day(cloud, today, seed=today.toordinal())
    _progress(f"contacted on {today}: {_contacted(contacts)}")
    later_days = []
    for contact in later:
        summary, more = contact()
        later_days.append(summary)
        events += more
    last = today + dt.timedelta(days=len(later_days))
    following = [sample_day(cloud, last + dt.timedelta(days=d)) for d in (1, 2)]
    for run in following:
        _progress(f"sampled {run['sampled']} on {run['run_date']} (daily cycle)")
    verification = verify_day(cloud, today)
    _progress(
        f"verification of {today} from the revealed secrets: "
        f"{'OK' if verification['ok'] else 'FAILED'} "
        f"({verification.get('visits_checked', 0)} visits rescored)"
    )
    return {
        "run": first,
        "rerun_changed_nothing": rerun == first and queued == first["sampled"],
        "dispatch_messages_queued": queued,
        "contacts": contacts,
        "later_days": later_days,
        "poor_feedback": [
            e["detail"] for e in events if e["detail-type"] == resources.FEEDBACK_POOR
        ],
        "following_days": [
            {k: r[k] for k in ("run_date", "sampled", "by_channel")} for r in following
        ],
        "verification": verification,
    }


def _redeliver(cloud: LocalCloud, report: dict) -> bool:
    """Send the first upload's S3 event again, as S3 may; nothing may change."""
    before = _count(cloud, resources.VISITS)
    body = json.dumps(
        {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": report["bucket"]},
                        "object": {
                            "key": report["key"],
                            "eTag": report["upload_id"].rsplit("#", 1)[1],
                        },
                    },
                }
            ]
        }
    )
    cloud.client("sqs").send_message(
        QueueUrl=cloud.queue_urls[cloud.names.intake_queue], MessageBody=body
    )
    cloud.pump()
    return _count(cloud, resources.VISITS) == before


def _count(cloud: LocalCloud, spec: resources.TableSpec) -> int:
    pages = (
        cloud.client("dynamodb")
        .get_paginator("scan")
        .paginate(TableName=cloud.names.table(spec), Select="COUNT")
    )
    return sum(page["Count"] for page in pages)


def _one_line(report: dict) -> str:
    if report["quarantined"]:
        return f"QUARANTINED: {report['quarantine_reason']}"
    return (
        f"{report['rows']} rows, {report['accepted']} accepted, {report['rejected']} "
        f"rejected, {report['duplicates']} duplicates"
    )


def _progress(message: str) -> None:
    print(f"samvad demo: {message}", file=sys.stderr, flush=True)
