"""The escalation part of ``samvad demo``: poor feedback → cases → officials and citizens.

``run_escalation(cloud, poor_feedback, seed, start)`` loads a directory for the offices in the
feedback and the SLA (7, 3, 2 and 2 days per level), publishes each ``FeedbackPoor`` (as the
feedback function does; a repeat opens no second case) and runs the real state machine on a
simulated clock (``EscalationRuntime.on_clock``). Simulated officials and citizens act on each
case's own schedule, drawn from ``seed``, the case and its round: an official files an ATR
on a given day of the level's SLA or never; after an ATR the citizen confirms, says it is not
resolved, or does not answer (``CaseConfirmation`` on the bus, as the feedback function
publishes it) on a given day of the confirmation window. The clock then jumps to the next
action or deadline, so the outcome is the seed's and not the machine's, and a run takes as
long as its transitions. It returns the summary block once every case is resolved or overdue
at the CM's office (``all_settled``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.escalation import cases
from samvad.escalation.model import CaseError, case_id_for
from samvad_dev.local.escalation import local_ports

SLA_DAYS = {"1": 7, "2": 3, "3": 2, "4": 2}
CONFIRM_DAYS = 5
RENOTIFY_DAYS = 60
FILES_ATR = {1: 0.55, 2: 0.6, 3: 0.65, 4: 0.7}  # chance an official at a level acts in time
CITIZEN = (("resolved", 0.6), ("not_resolved", 0.25), ("no_answer", 0.15))
ACT_AT = dt.timedelta(hours=1)
"""Officials and citizens act an hour past a whole day after the assignment or the ATR:
never at the instant of one of the case's own deadlines."""
MAX_SIMULATED = dt.timedelta(days=365)
SETTLED = ("resolved", "overdue")
TALLIED = ("atrs_filed", "atrs_refused", "officials_silent", *(f"citizen_{a}" for a, _ in CITIZEN))
Progress = Callable[[int, int], None]


@dataclass(frozen=True, order=True)
class Action:
    at: dt.datetime
    case_id: str
    kind: str  # "atr" or the citizen's answer: "resolved", "not_resolved"
    level: int
    by: str = ""
    visit_key: str = ""


def demo_directory(poor_feedback: list[dict]) -> dict:
    officials, heads, districts, departments = {}, {}, {}, {}

    def official(official_id: str, name: str, n: int) -> str:
        officials[official_id] = {
            "name": name,
            "phone": f"+9198765{n:05d}",
            "email": f"{official_id}@example.gov.in",
        }
        return official_id

    for detail in poor_feedback:
        office, district = detail.get("office_code", ""), detail.get("district", "")
        department = detail.get("department", "")
        if office and office not in heads:
            heads[office] = official(f"head-{office}".lower(), f"Head of {office}", len(officials))
        if district and district not in districts:
            districts[district] = official(
                f"dc-{district}".lower(), f"Collector {district}", len(officials)
            )
        if department and department not in departments:
            departments[department] = official(
                f"sec-{department}".lower(), f"Secretary {department}", len(officials)
            )
    cmo = official("cmo", "Chief Minister's grievance cell", len(officials))
    return {
        "officials": officials,
        "office_heads": heads,
        "district": districts,
        "department": departments,
        "cm_office": cmo,
    }


def run_escalation(
    cloud: Any,
    poor_feedback: list[dict],
    seed: int,
    start: dt.datetime,
    progress: Progress | None = None,
    each_step: Callable[[], None] | None = None,
) -> dict:
    """Escalate every poor feedback from ``start`` until every case has settled;
    ``each_step`` is called whenever the stage has settled, before the clock moves."""
    started = time.monotonic()
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish(resources.ESCALATION_DIRECTORY_CONFIG, demo_directory(poor_feedback))
    config.publish(
        resources.ESCALATION_SLA_CONFIG,
        {
            "time_factor": 1,
            "default": SLA_DAYS,
            "confirm_days": CONFIRM_DAYS,
            "overdue_renotify_days": RENOTIFY_DAYS,
        },
    )
    runtime = cloud.escalation
    runtime.on_clock(start)
    try:
        ports = local_ports(cloud)
        bus = EventBridgePublisher(cloud.names.bus, cloud.client("events"))
        for detail in poor_feedback:
            bus.publish(resources.FEEDBACK_POOR, detail)
        ids = sorted({case_id_for(d["visit_key"]) for d in poor_feedback})
        planned: set[tuple[str, int, str]] = set()
        timeline: list[Action] = []
        tally: Counter[str] = Counter(dict.fromkeys(TALLIED, 0))
        while True:
            runtime.settle()
            if each_step is not None:
                each_step()
            found = _cases(cloud)
            settled = sum(1 for i in ids if found.get(i, {}).get("status") in SETTLED)
            if progress:
                progress(settled, len(ids))
            if settled == len(ids):
                break
            for case_id in ids:
                if case_id in found:
                    timeline += _plan(found[case_id], seed, planned, tally)
            moments = [action.at for action in timeline]
            deadline = runtime.clock.next_deadline()
            if deadline is not None:
                moments.append(deadline)
            if not moments or min(moments) - start > MAX_SIMULATED:
                break  # nothing left to happen: a case stalled
            now = min(moments)
            runtime.advance(now)
            due = sorted(a for a in timeline if a.at <= now)
            timeline = [a for a in timeline if a.at > now]
            for action in due:
                _act(action, ports, bus, tally)
        final = runtime.clock.now
    finally:
        runtime.off_clock()
    found = _cases(cloud, full=True)
    summary = _summary([found.get(i) for i in ids], tally)
    summary.update(
        all_settled=summary["still_open"] == 0 and summary["stalled"] == 0,
        sla_days={f"L{k}": v for k, v in SLA_DAYS.items()},
        simulated_days=round((final - start) / dt.timedelta(days=1), 2),
        seconds=round(time.monotonic() - started, 1),
    )
    return summary


PLANNING_FIELDS = (
    "case_id, visit_key, #status, stage, #round, #level, holder.official_id, "
    "assignment.#round, assignment.assigned_at, assignment.deadline, signals.atr, stalled"
)


def _cases(cloud: Any, full: bool = False) -> dict[str, dict]:
    """Every case item, by id, in one scan (cheaper than a read per case per step); only the
    fields planning needs unless ``full``."""
    table = cloud.names.table(resources.CASES)
    kwargs: dict[str, Any] = {"TableName": table}
    if not full:
        kwargs["ProjectionExpression"] = PLANNING_FIELDS
        kwargs["ExpressionAttributeNames"] = {
            "#status": "status",
            "#round": "round",
            "#level": "level",
        }
    pages = cloud.client("dynamodb").get_paginator("scan").paginate(**kwargs)
    plain = TypeDeserializer()
    found = {}
    for page in pages:
        for item in page["Items"]:
            case = _plain({k: plain.deserialize(v) for k, v in item.items()})
            found[case["case_id"]] = case
    return found


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _plan(case: dict, seed: int, planned: set, tally: Counter) -> list[Action]:
    """What the case's holder or citizen will do, decided once per round from the seed."""
    if case["status"] != "open":
        return []
    case_id, level, round_ = case["case_id"], int(case["level"]), int(case["round"])
    assignment = case.get("assignment") or {}
    atr = (case.get("signals") or {}).get("atr") or {}
    if case["stage"] == "awaiting_atr" and assignment.get("round") == round_:
        if (case_id, round_, "atr") in planned:
            return []
        planned.add((case_id, round_, "atr"))
        rng = random.Random(f"{seed}|{case_id}|{round_}|atr")
        if rng.random() >= FILES_ATR.get(level, 0.5):
            tally["officials_silent"] += 1
            return []  # the deadline passes: the state machine escalates
        assigned = _instant(assignment["assigned_at"])
        days = max(1, (_instant(assignment["deadline"]) - assigned).days)
        at = assigned + dt.timedelta(days=rng.randrange(days)) + ACT_AT
        return [Action(at, case_id, "atr", level, by=case["holder"]["official_id"])]
    if case["stage"] == "awaiting_confirmation" and atr.get("round") == round_:
        if (case_id, round_, "confirmation") in planned:
            return []
        planned.add((case_id, round_, "confirmation"))
        rng = random.Random(f"{seed}|{case_id}|{round_}|citizen")
        roll, edge, answer = rng.random(), 0.0, "no_answer"
        for name, share in CITIZEN:
            edge += share
            if roll < edge:
                answer = name
                break
        tally[f"citizen_{answer}"] += 1
        if answer == "no_answer":
            return []  # the confirmation window closes: the state machine escalates
        at = _instant(atr["at"]) + dt.timedelta(days=rng.randrange(CONFIRM_DAYS)) + ACT_AT
        return [Action(at, case_id, answer, level, visit_key=case["visit_key"])]
    return []


def _act(action: Action, ports: Any, bus: EventBridgePublisher, tally: Counter) -> None:
    if action.kind == "atr":
        try:
            cases.file_atr(
                action.case_id,
                f"Action taken at L{action.level}: inquiry held, remedy given",
                action.by,
                ports,
            )
            tally["atrs_filed"] += 1
        except CaseError:
            tally["atrs_refused"] += 1  # the case moved on first (it should not)
        return
    bus.publish(
        resources.CASE_CONFIRMATION,
        {
            "case_id": action.case_id,
            "visit_key": action.visit_key,
            "resolved": action.kind == "resolved",
            "channel": "sms",
            "level": action.level,
            "received_at": action.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )


def _summary(found: list[dict | None], tally: Counter) -> dict:
    resolved: Counter[int] = Counter()
    escalated: Counter[int] = Counter()
    reasons: Counter[str] = Counter()
    overdue = still_open = stalled = 0
    for case in filter(None, found):
        stalled += int(bool(case.get("stalled")))
        for entry in case["audit"]:
            if entry["what"] == "escalated":
                escalated[entry["from_level"]] += 1
                reasons[entry["reason"]] += 1
        if case["status"] == "resolved":
            resolved[case["level"]] += 1
        elif case["status"] == "overdue":
            overdue += 1
        else:
            still_open += 1
    return {
        "cases_opened": sum(1 for c in found if c),
        "resolved": sum(resolved.values()),
        "resolved_per_level": {f"L{k}": resolved[k] for k in range(1, 5)},
        "escalated_per_level": {f"L{k}": escalated[k] for k in range(1, 4)},
        "escalation_reasons": dict(reasons),
        "overdue": overdue,
        "still_open": still_open,
        "stalled": stalled,
        **dict(sorted(tally.items())),
    }
