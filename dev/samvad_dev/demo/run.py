"""``samvad demo``: one synthetic day of Odisha's departments, end to end on the local stack.

Intake: every department uploads yesterday's visits (CSV, XLSX, JSON Lines, with a few
percent of realistic mistakes), one clerk uploads a damaged ``.xls`` (quarantined), and one S3
event is delivered twice. Sampling: the 09:00 schedule fires today and on the next two days (the
daily cycle, which also reveals the secrets of the dates whose window has closed), and
today's sample is verified from the revealed secrets. Dispatch: today's sample is called and
sent SMS on a simulated clock (09:05–21:00 IST), simulated citizens answer, reply, fill the
web form or say STOP, and their feedback is recorded. Escalation: every poor feedback opens a
case that the real state machine escalates on moto's Step Functions engine, with the real SLAs
on a simulated clock, and simulated officials and citizens acting on a schedule drawn from the
seed. Reports: each day's and the week's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from samvad import resources
from samvad_dev.demo.console import Console
from samvad_dev.demo.dispatch import contact_day
from samvad_dev.demo.escalation import run_escalation
from samvad_dev.demo.faults import channel_log, injected, repeated_messages
from samvad_dev.demo.inbound import simulate_inbound
from samvad_dev.demo.inbound_ivr import run_inbound_ivr
from samvad_dev.demo.lake import LakeTap
from samvad_dev.demo.reports import run_reports
from samvad_dev.demo.synthetic import generate_visits, staff_directory, write_day
from samvad_dev.local import flows
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.flows import ingest_files, queued_messages, sample_day, verify_day
from samvad_dev.local.reports import pump_reports

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE2 (Excel 97) header
FILE_FIELDS = ("format", "rows", "accepted", "rejected", "duplicates", "quarantined")


def run_demo(
    visits: int,
    seed: int,
    out: Path,
    days: int = 1,
    console: Console | None = None,
    log: Path | None = None,
    faults: float = 0.0,
    today: dt.date | None = None,
) -> dict:
    """``days`` days of visits, each sampled the next morning and contacted that day (the last
    run date is today); then escalation of every poor feedback, and the reports.

    ``console`` shows progress (silent by default); with ``log``, whatever the handlers and
    the emulator write to stderr goes to that file instead of the terminal. ``faults``: the
    fraction of the handlers' AWS calls that fail (``samvad_dev.demo.faults``)."""
    console = console or Console()
    started = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    day = (today or dt.datetime.now(IST).date()) - dt.timedelta(days=days)
    synthetic = generate_visits(visits, seed=seed, day=day)
    files = write_day(synthetic, out / "uploads")
    mistake = out / "uploads" / f"revenue-{day.isoformat()}-register.xls"
    mistake.write_bytes(LEGACY_XLS)
    files.append(("revenue", mistake))
    console.say(
        f"generated {synthetic.total_rows} rows for {day} in {len(files)} files "
        f"({sum(synthetic.injected.values())} with injected mistakes)"
    )

    reports = []
    with (
        _young_collections_only(),
        _stderr_to(log),
        LocalCloud(stage="demo", seed=seed, in_process=True) as cloud,
        injected(cloud, faults, seed) as fault_log,
    ):
        tallied: Counter[str] = Counter()
        lake = LakeTap.open(cloud)

        def tally() -> None:
            """Deliver the reports queue as it fills (moto's SQS slows down with every
            message a queue holds: drained at the end, it took most of the run)."""
            tallied.update(pump_reports(cloud))
            lake.pump()

        with console.bar("intake", len(files), "file") as update:
            for number, (department, path) in enumerate(files, start=1):
                (report,) = ingest_files(cloud, [path], department)
                reports.append(report | {"path": path})
                update(number)
        for report in reports:
            console.say(f"  {report['path'].name}: " + _one_line(report))
        replay = _redeliver(cloud, reports[0])
        stored = _count(cloud, resources.VISITS)
        later = [_later_day(cloud, visits, seed, out, day + dt.timedelta(days=k), console, tally)
                 for k in range(1, days)]  # fmt: skip
        sampling = _sample(cloud, day + dt.timedelta(days=1), later, console, tally)
        poor = sampling.pop("poor_feedback")
        inbound = simulate_inbound(cloud, seed, visits)  # citizens who come forward (issue 11)
        ivr = run_inbound_ivr(cloud, seed, day + dt.timedelta(days=days))  # and who call in
        inbound.cases.extend(ivr.cases)
        inbound.phones.extend(ivr.phones)
        last_run = day + dt.timedelta(days=days)
        cases = poor + inbound.cases  # poor feedback's cases and the inbound grievances'
        with console.bar("escalation", len(cases), "case") as update:
            escalation = run_escalation(
                cloud,
                cases,
                seed,
                start=dt.datetime.combine(last_run, dt.time(21, 0), IST),
                progress=lambda settled, total: update(settled),
                each_step=tally,
                staff=staff_directory(seed),  # the visits' officials, named in the reports
            )
        console.say(
            f"escalation: {escalation['cases_opened']} cases over "
            f"{escalation['simulated_days']} simulated days: {escalation['resolved']} "
            f"resolved, {escalation['overdue']} overdue at the CM's office"
            + ("" if escalation["all_settled"] else f", {escalation['still_open']} STILL OPEN")
        )
        grievances = escalation["inbound_cases"]
        console.say(
            f"  and {grievances['opened']} inbound grievance cases: {grievances['resolved']} "
            f"resolved, {grievances['overdue']} overdue at the CM's office"
            + ("" if grievances["settled"] else f", {grievances['still_open']} STILL OPEN")
        )
        run_dates = [day + dt.timedelta(days=k + 1) for k in range(days)]
        # the reports see the cases as escalation left them: their clock is its end, so the
        # overdue list's days overdue are counted to then, not to the wall clock's today
        cloud.simulated_now = dt.datetime.fromisoformat(escalation["ended_at"])
        with console.bar("reports", days + 1, "report") as update:
            written = run_reports(
                cloud, run_dates, out=out, progress=update, tallied_before=tallied
            )
        reporting = {k: written[k] for k in ("tallied", "reads")} | written["local"]
        inbound_summary = ivr.into(inbound.summary(cloud))
        lake_export = lake.export(out)
        run = sampling["run"]
        run["selection"] = _download(cloud, run.pop("selection_key"), out)
        intake_files = _download_intake(cloud, reports, out)
        channels = channel_log(cloud)

    totals: Counter[str] = Counter()
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
        "inbound": inbound_summary,
        "reports": reporting,
        "lake": lake_export,
        "files": intake_files,
        "channels": channels,
        "seconds": round(time.monotonic() - started, 1),
    }
    if fault_log is not None:
        summary["faults"] = fault_log.summary()
    if not sampling["verification"]["ok"] or not sampling["rerun_changed_nothing"]:
        raise RuntimeError(f"sampling check failed: {json.dumps(sampling, default=str)[:2000]}")
    if stored != totals["accepted"]:
        raise RuntimeError(f"{stored} visits stored but {totals['accepted']} accepted")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


@contextlib.contextmanager
def _young_collections_only() -> Iterator[None]:
    """No full garbage collections while the demo runs. The emulator's state is millions of
    long-lived objects (items, queues, executions) that each full collection walked again:
    5.7 of a 600-visit run's 125 s, growing with each one. The cycles the run discards (moto's
    expression trees, one per update) die young and are still collected with the young
    generations; the peak memory stayed the same (721 MB against 741 MB)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def _stderr_to(log: Path | None) -> Iterator[None]:
    """Send stderr (handlers' JSON log lines, the emulator's noise) to ``log``, if given."""
    if log is None:
        yield
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as file, contextlib.redirect_stderr(file):
        yield


def _download(cloud: LocalCloud, key: str, out: Path) -> str:
    """The object at ``key`` copied to ``out / key``; its local path."""
    return flows.download(cloud, key, out / key)


def _download_intake(cloud: LocalCloud, reports: list[dict], out: Path) -> list[dict]:
    """Each upload's intake report and rejects, copied under ``out``: local paths."""
    files = []
    for report in reports:
        entry: dict[str, Any] = {"upload": str(report["path"])}
        entry |= {k: report[k] for k in FILE_FIELDS}
        entry["quarantine_reason"] = report.get("quarantine_reason")
        for field, key in (
            ("report", report.get("report_key")),
            ("rejects", report.get("rejects_key")),
        ):
            entry[field] = _download(cloud, key, out) if key else None
        files.append(entry)
    return files


def _later_day(
    cloud: LocalCloud,
    visits: int,
    seed: int,
    out: Path,
    day: dt.date,
    console: Console,
    tally: Callable[[], None],
):
    """Another day of uploads (``--days``): ingest it now, sample and contact it in turn."""
    # the same offices and officials every day (the seed's); the visits differ by day
    synthetic = generate_visits(visits, seed=seed, day=day)
    files = write_day(synthetic, out / "uploads" / day.isoformat())

    def contact() -> tuple[dict, list[dict]]:
        for department, path in files:
            list(ingest_files(cloud, [path], department))
        run_date = day + dt.timedelta(days=1)
        run = sample_day(cloud, run_date)
        contacts, events = contact_day(
            cloud, run_date, seed=run_date.toordinal(), console=console, each_round=tally
        )
        console.say(f"{run_date}: sampled {run['sampled']}, {_contacted(contacts)}")
        return {"run_date": run_date.isoformat(), "sampled": run["sampled"], **contacts}, events

    return contact


def _contacted(contacts: dict) -> str:
    return (
        f"{contacts['calls_placed']} calls ({contacts['calls_answered']} answered), "
        f"{contacts['sms_sent']} SMS, {contacts['feedback']} feedback "
        f"({contacts['poor_feedback_events']} poor), {contacts['opt_outs']} opt-outs"
    )


def _sample(
    cloud: LocalCloud, today: dt.date, later: Any, console: Console, tally: Callable[[], None]
) -> dict:
    """Today's run (and its rerun, which must change nothing), the later days (each ingested,
    sampled and contacted), two more sampling runs (which reveal the secrets), verification."""
    first = sample_day(cloud, today)
    console.say(
        f"sampled {first['sampled']} of {first['quota']} planned for {today}: "
        f"{first['by_channel']}; CM's office list: {first['by_caller'].get('cmo', 0)}"
    )
    rerun = sample_day(cloud, today)
    queued = queued_messages(cloud, cloud.names.dispatch_queue)
    queued -= repeated_messages(cloud, cloud.names.dispatch_queue)  # --faults: each once
    contacts, events = contact_day(
        cloud, today, seed=today.toordinal(), console=console, each_round=tally
    )
    console.say(f"contacted on {today}: {_contacted(contacts)}")
    later_days = []
    for contact in later:
        summary, more = contact()
        later_days.append(summary)
        events += more
    last = today + dt.timedelta(days=len(later_days))
    following = [sample_day(cloud, last + dt.timedelta(days=d)) for d in (1, 2)]
    for run in following:
        console.say(f"sampled {run['sampled']} on {run['run_date']} (daily cycle)")
    verification = verify_day(cloud, today)
    console.say(
        f"verification of {today} from the revealed secrets: "
        f"{'OK' if verification['ok'] else 'FAILED'} "
        f"({verification.get('visits_checked', 0)} visits rescored)"
    )
    return {
        "run": first,
        "rerun_changed_nothing": rerun == first and queued == first["dispatched"],
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
