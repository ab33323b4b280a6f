"""The escalation part of ``samvad demo``: poor feedback → cases → officials and citizens.

``run_escalation(cloud, poor_feedback, seed)`` loads a directory for the offices in the
feedback and a compressed SLA (a 7-day L1 lasts ~6 s), publishes each ``FeedbackPoor`` (as
the feedback function does; a repeat opens no second case), then simulates: at each level an
official files an ATR in time or never; after an ATR the citizen confirms, says it is not
resolved, or does not answer (``CaseConfirmation`` on the bus, as the feedback function
publishes it). It returns the summary block once every case is resolved or overdue.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.escalation import cases
from samvad.escalation.model import case_id_for
from samvad.local.escalation import local_ports

L1_SECONDS = 6.0
SECONDS_PER_CASE = 0.8
"""The local engine works through the cases one transition at a time, so the compressed L1
must outlast a pass over all of them, or no simulated official could ever act in time."""
SLA_DAYS = {"1": 7, "2": 3, "3": 2, "4": 2}
FILES_ATR = {1: 0.55, 2: 0.6, 3: 0.65, 4: 0.7}  # chance an official at a level acts in time
CITIZEN = (("resolved", 0.6), ("not_resolved", 0.25), ("no_answer", 0.15))
TIMEOUT_SECONDS = 300


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


def run_escalation(cloud, poor_feedback: list[dict], seed: int) -> dict:
    started = time.monotonic()
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish(resources.ESCALATION_DIRECTORY_CONFIG, demo_directory(poor_feedback))
    l1_seconds = max(L1_SECONDS, SECONDS_PER_CASE * len({d["visit_key"] for d in poor_feedback}))
    factor = l1_seconds / (7 * 86400)
    config.publish(
        resources.ESCALATION_SLA_CONFIG,
        {
            "time_factor": factor,
            "default": SLA_DAYS,
            "confirm_days": 10,
            "overdue_renotify_days": 60,
        },
    )
    runtime = cloud.escalation
    ports = local_ports(cloud)
    bus = EventBridgePublisher(cloud.names.bus, cloud.client("events"))
    for detail in poor_feedback:
        bus.publish(resources.FEEDBACK_POOR, detail)
    ids = sorted({case_id_for(d["visit_key"]) for d in poor_feedback})
    acted: set[tuple[str, int, str]] = set()
    tally: Counter[str] = Counter()

    def step() -> bool:
        finished = 0
        for case_id in ids:
            case = ports.cases.get(case_id)
            if not case:
                continue
            if case["status"] in ("resolved", "overdue"):
                finished += 1
                continue
            _simulate(case, seed, ports, bus, acted, tally)
        return finished == len(ids)

    done = runtime.run_until(step, timeout=TIMEOUT_SECONDS, poll=0.3)
    summary = _summary([ports.cases.get(i) for i in ids], tally)
    summary.update(
        all_settled=done, seconds=round(time.monotonic() - started, 1), time_factor=factor
    )
    print(
        f"samvad demo: escalation: {summary['cases_opened']} cases, "
        f"{summary['resolved']} resolved, {summary['overdue']} overdue at the CM office",
        file=sys.stderr,
    )
    return summary


def _simulate(case, seed, ports, bus, acted, tally) -> None:
    case_id, level, round_ = case["case_id"], int(case["level"]), int(case["round"])
    rng = random.Random(f"{seed}|{case_id}|{round_}")
    files, citizen = rng.random() < FILES_ATR.get(level, 0.5), rng.random()
    wait = case.get("waits", {})
    if case["stage"] == "awaiting_atr" and (wait.get("atr") or {}).get("round") == round_:
        if files and (case_id, round_, "atr") not in acted:
            acted.add((case_id, round_, "atr"))
            cases.file_atr(
                case_id,
                f"Action taken at L{level}: inquiry held, remedy given",
                case["holder"]["official_id"],
                ports,
            )
            tally["atrs_filed"] += 1
    elif case["stage"] == "awaiting_confirmation" and (case_id, round_, "c") not in acted:
        acted.add((case_id, round_, "c"))
        answer, edge = "no_answer", 0.0
        for name, share in CITIZEN:
            edge += share
            if citizen < edge:
                answer = name
                break
        tally[f"citizen_{answer}"] += 1
        if answer != "no_answer":
            bus.publish(
                resources.CASE_CONFIRMATION,
                {
                    "case_id": case_id,
                    "visit_key": case["visit_key"],
                    "resolved": answer == "resolved",
                    "channel": "sms",
                    "level": level,
                    "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )


def _summary(found: list[dict | None], tally: Counter) -> dict:
    resolved: Counter[int] = Counter()
    escalated: Counter[int] = Counter()
    reasons: Counter[str] = Counter()
    overdue = still_open = 0
    for case in filter(None, found):
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
        **dict(sorted(tally.items())),
    }
