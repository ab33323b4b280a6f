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
long as its transitions. After each step only the cases that can have changed are read: those
whose official or citizen acted, and, when a wait timed out, the open ones with nothing
planned. The inbound grievances' cases in ``poor_feedback`` (``case_type: grievance``, opened
by ``demo/inbound``) are planned alike and counted apart (``inbound_cases``). It returns the
summary block once every case is resolved or overdue at the CM's office (``all_settled``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.items import Batches, plain
from samvad.escalation import cases
from samvad.escalation.model import CaseError, case_id_for
from samvad.grievances.register import case_id_of
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


def demo_directory(poor_feedback: list[dict], staff: dict[str, dict] | None = None) -> dict:
    """The holders of every office, district and department in ``poor_feedback``, and the
    offices' ``staff`` (``synthetic.staff_directory``: the officials the visits name)."""
    officials: dict[str, dict] = {}
    heads: dict[str, str] = {}
    districts: dict[str, str] = {}
    departments: dict[str, str] = {}

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
        "officials": (staff or {}) | officials,
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
    staff: dict[str, dict] | None = None,
) -> dict:
    """Escalate every poor feedback from ``start`` until every case has settled;
    ``each_step`` is called whenever the stage has settled, before the clock moves;
    ``staff`` joins the directory (see ``demo_directory``)."""
    started = time.monotonic()
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish(resources.ESCALATION_DIRECTORY_CONFIG, demo_directory(poor_feedback, staff))
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
            if detail.get("case_type") != "grievance":  # inbound ones are opened already
                bus.publish(resources.FEEDBACK_POOR, detail)
        ids = sorted({case_id_for(d["visit_key"]) for d in poor_feedback})
        plans = _Plans(seed)
        known: dict[str, dict] = {}
        to_read = set(ids)
        while True:
            runtime.settle()
            if each_step is not None:
                each_step()
            _drain_observer(cloud)
            for case in _read(cloud, to_read):
                known[case["case_id"]] = case
                plans.plan(case)
            open_ = [i for i in ids if known.get(i, {}).get("status") not in SETTLED]
            if progress:
                progress(len(ids) - len(open_), len(ids))
            if not open_:
                break
            moments = [action.at for action in plans.pending.values()]
            deadline = runtime.clock.next_deadline()
            if deadline is not None:
                moments.append(deadline)
            if not moments or min(moments) - start > MAX_SIMULATED:
                break  # nothing left to happen: a case stalled
            now = min(moments)
            timed_out = runtime.advance(now)
            due = plans.due(now)
            for action in due:
                _act(action, ports, bus, plans.tally(action.case_id))
            # a case changes when its holder or citizen acts, or when one of its waits ends
            to_read = {action.case_id for action in due}
            if timed_out:
                to_read.update(i for i in open_ if i not in plans.pending)
        final = runtime.clock.now
    finally:
        runtime.off_clock()
    found = _cases(cloud)
    feedback = [found.get(i) for i in ids if not is_inbound(i)]
    inbound = [found.get(i) for i in ids if is_inbound(i)]
    summary = _summary(feedback, plans.tallies[False])
    summary.update(
        # the citizens' own grievances (demo/inbound), planned alike and counted apart
        inbound_cases=_settlement(inbound) | dict(sorted(plans.tallies[True].items())),
        all_settled=all(_settlement(c)["settled"] for c in (feedback, inbound)),
        sla_days={f"L{k}": v for k, v in SLA_DAYS.items()},
        simulated_days=round((final - start) / dt.timedelta(days=1), 2),
        ended_at=final.astimezone(dt.UTC).isoformat(),
        seconds=round(time.monotonic() - started, 1),
    )
    return summary


PLANNING = (
    "case_id, visit_key, #status, stage, #round, #level, holder.official_id, "
    "assignment.#round, assignment.assigned_at, assignment.deadline, signals.atr, stalled"
)
PLANNING_NAMES = {"#status": "status", "#round": "round", "#level": "level"}


def _drain_observer(cloud: Any) -> None:
    """Empty the observer queue (every domain event; nothing reads it during this stage):
    moto's SQS reads every queue attribute, each a pass over the queue's messages, for each
    message sent to it, so each case event cost more than the one before (the queue held 215
    events at the end of a 100-visit demo's escalation, several hundred at 600 visits). Not
    through ``domain_events``, which ``--faults`` wraps to count repeated events: the fault
    log's figures stay what they were."""
    cloud.escalation.discard(cloud.names.events_queue)


def _read(cloud: Any, case_ids: set[str]) -> list[dict]:
    """The fields planning needs of ``case_ids`` (BatchGetItem, 100 a call), in id order."""
    if not case_ids:
        return []
    keys = [{"case_id": {"S": i}} for i in sorted(case_ids)]
    items = Batches(cloud.client("dynamodb")).get(
        cloud.names.table(resources.CASES), keys, PLANNING, PLANNING_NAMES
    )
    return sorted((plain(item) for item in items), key=lambda case: case["case_id"])


def _cases(cloud: Any) -> dict[str, dict]:
    """Every case item in full, by id (one scan, at the end)."""
    table = cloud.names.table(resources.CASES)
    pages = cloud.client("dynamodb").get_paginator("scan").paginate(TableName=table)
    return {case["case_id"]: case for page in pages for case in map(plain, page["Items"])}


def is_inbound(case_id: str) -> bool:
    """A case the inbound stream opened (a citizen's own grievance), not a poor feedback's."""
    return case_id.startswith(case_id_of(""))


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Plans:
    """What each case's holder or citizen will do, decided once per round from the seed:
    at most one action pending per case (its deadline comes after it)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.pending: dict[str, Action] = {}
        self.tallies = {kind: Counter(dict.fromkeys(TALLIED, 0)) for kind in (False, True)}
        self._planned: set[tuple[str, int, str]] = set()

    def plan(self, case: dict) -> None:
        action = self._next(case)
        if action is not None:
            self.pending[action.case_id] = action

    def due(self, now: dt.datetime) -> list[Action]:
        """The actions due by ``now``, taken off the plan, in time and case order."""
        due = sorted(a for a in self.pending.values() if a.at <= now)
        for action in due:
            del self.pending[action.case_id]
        return due

    def tally(self, case_id: str) -> Counter[str]:
        """What the officials and citizens did, for the feedback or the inbound cases."""
        return self.tallies[is_inbound(case_id)]

    def _once(self, case_id: str, round_: int, what: str) -> bool:
        if (case_id, round_, what) in self._planned:
            return False
        self._planned.add((case_id, round_, what))
        return True

    def _next(self, case: dict) -> Action | None:
        if case["status"] != "open":
            return None
        case_id, level, round_ = case["case_id"], int(case["level"]), int(case["round"])
        assignment = case.get("assignment") or {}
        atr = (case.get("signals") or {}).get("atr") or {}
        if case["stage"] == "awaiting_atr" and assignment.get("round") == round_:
            if not self._once(case_id, round_, "atr"):
                return None
            rng = random.Random(f"{self.seed}|{case_id}|{round_}|atr")
            if rng.random() >= FILES_ATR.get(level, 0.5):
                self.tally(case_id)["officials_silent"] += 1
                return None  # the deadline passes: the state machine escalates
            assigned = _instant(assignment["assigned_at"])
            days = max(1, (_instant(assignment["deadline"]) - assigned).days)
            at = assigned + dt.timedelta(days=rng.randrange(days)) + ACT_AT
            return Action(at, case_id, "atr", level, by=case["holder"]["official_id"])
        if case["stage"] == "awaiting_confirmation" and atr.get("round") == round_:
            if not self._once(case_id, round_, "confirmation"):
                return None
            rng = random.Random(f"{self.seed}|{case_id}|{round_}|citizen")
            roll, edge, answer = rng.random(), 0.0, "no_answer"
            for name, share in CITIZEN:
                edge += share
                if roll < edge:
                    answer = name
                    break
            self.tally(case_id)[f"citizen_{answer}"] += 1
            if answer == "no_answer":
                return None  # the confirmation window closes: the state machine escalates
            at = _instant(atr["at"]) + dt.timedelta(days=rng.randrange(CONFIRM_DAYS)) + ACT_AT
            return Action(at, case_id, answer, level, visit_key=case["visit_key"])
        return None


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


def _settlement(found: list[dict | None]) -> dict:
    """How the cases ended: every one resolved or overdue, none stalled, is ``settled``."""
    count = Counter(c["status"] if c else "missing" for c in found)
    stalled = sum(1 for c in found if c and c.get("stalled"))
    block = {
        "opened": sum(1 for c in found if c),
        "resolved": count["resolved"],
        "overdue": count["overdue"],
        "still_open": len(found) - count["resolved"] - count["overdue"],
        "stalled": stalled,
    }
    return block | {"settled": block["still_open"] == 0 and stalled == 0}


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
