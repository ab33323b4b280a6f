"""Open a case of type ``grievance`` from ``GrievanceRegistered``: the same case item and
state machine as a feedback case, at L1 of the office named or L2 when it is unknown.

The event carries no phone and no text; the grievance's text and voice key are read from
the grievance record (``ports.grievance_of``) onto the case item, which officials read, and
never into the execution input. Idempotent like ``open_case``.
"""

from __future__ import annotations

import json
from typing import Any

from samvad import resources
from samvad.escalation.cases import EVENT_FIELDS, EscalationPorts, _iso
from samvad.escalation.model import CaseError, SlaPolicy, execution_name

CASE_TYPE = "grievance"
GRIEVANCE_FIELDS = ("reference", "category", "channel")


def open_grievance_case(detail: dict, ports: EscalationPorts) -> dict:
    if not isinstance(detail, dict) or not detail.get("reference") or not detail.get("case_id"):
        raise CaseError("GrievanceRegistered detail needs reference and case_id")
    case_id, visit_key = str(detail["case_id"]), str(detail.get("visit_key") or "")
    if not visit_key:
        raise CaseError("GrievanceRegistered detail needs visit_key")
    policy = SlaPolicy.from_document(ports.config.latest(resources.ESCALATION_SLA_CONFIG))
    record = ports.grievance_of(str(detail["reference"])) if ports.grievance_of else None
    record = record or {}
    office = str(detail.get("office_code") or "")
    level = 1 if office else 2
    now = _iso(ports.clock())
    case: dict[str, Any] = {
        "case_id": case_id,
        "visit_key": visit_key,
        "case_type": CASE_TYPE,
        **{f: str(detail.get(f) or "") for f in GRIEVANCE_FIELDS},
        "department": str(detail.get("department") or ""),
        "service": str(detail.get("service") or ""),
        "office_code": office,
        "office_name": "",
        "district": str(detail.get("district") or ""),
        "official_id": "",
        "text": str(record.get("text") or ""),
        "voice_key": str(record.get("voice_key") or ""),
        "reasons": [f"grievance:{detail.get('category') or 'other'}"],
        "language": str(detail.get("language") or "or"),
        "status": "open",
        "stage": "opening",
        "level": 0,
        "round": 0,
        "opened_at": now,
        "registered_at": str(detail.get("registered_at") or now),
        "waits": {},
        "signals": {},
        "audit": [],
        "execution_name": execution_name(case_id),
    }
    payload = {
        "case": {k: case[k] for k in ("case_id", "visit_key", *EVENT_FIELDS)},
        "opened_at": now,
        "factor": policy.time_factor,
        "step": {
            "level": level,
            "round": 1,
            "from_level": 0,
            "reason": "opened" if office else "office_unknown",
        },
    }
    case["execution_input"] = json.dumps(payload, sort_keys=True)
    created = ports.cases.create(case)
    if not created:
        case = ports.cases.get(case_id) or case
        payload = json.loads(case["execution_input"])
    started = ports.tasks.start(case["execution_name"], payload)
    return {"case_id": case_id, "created": created, "started": started, "level": level}
