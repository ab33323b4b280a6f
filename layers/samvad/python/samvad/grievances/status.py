"""Status on demand: a citizen gives the reference and proves the phone (the SMS sender's
number, the IVR caller's, or a one-time code sent to it); the answer is the level, the
state and the last action, never who holds the case nor any official's text."""

from __future__ import annotations

import datetime as dt
import hmac

from samvad.grievances.model import GrievanceError, Refusal, StatusView
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.references import parse_reference
from samvad.grievances.register import rules_of
from samvad.grievances.rules import checked_phone

STATES = {
    "opening": "open",
    "awaiting_atr": "open",
    "awaiting_confirmation": "awaiting_confirmation",
}


def status(
    ports: GrievancePorts,
    reference: str,
    phone: str,
    source: str = "",
    now: dt.datetime | None = None,
) -> StatusView | Refusal:
    """The grievance's status for the citizen whose phone registered it; a refusal that does
    not tell a wrong reference from a wrong phone (no probing of references)."""
    now = now or ports.clock()
    canonical = parse_reference(reference)
    if canonical is None:
        return Refusal("no_reference")
    try:
        phone_hash = ports.hasher(checked_phone(phone))
    except GrievanceError:
        return Refusal("no_match")
    if ports.limiter is not None:
        rate, at = rules_of(ports).status_rate(), now.timestamp()
        for name in (f"grv#status#{phone_hash}", f"grv#status-source#{source}" if source else ""):
            if name and ports.limiter.acquire(name, rate, at) > 0:
                return Refusal("rate_limited")
    record = ports.store.get(f"ref#{canonical}")
    if (
        record is None
        or record.get("state") == "rejected"
        or not hmac.compare_digest(str(record.get("phone_hash", "")), phone_hash)
    ):
        return Refusal("no_match")
    return view_of(record, ports.cases.get(str(record["case_id"])))


def view_of(record: dict, case: dict | None) -> StatusView:
    common = {
        "reference": str(record["reference"]),
        "language": str(record.get("language") or "or"),
        "department": str(record.get("department") or ""),
        "service": str(record.get("service") or ""),
        "category": str(record.get("category") or ""),
    }
    if case is None:  # registered; the escalation stage has not opened the case yet
        return StatusView(
            level=0,
            state="registered",
            last_action="registered",
            last_action_at=str(record.get("registered_at") or ""),
            **common,
        )
    audit = case.get("audit") or []
    last = audit[-1] if audit else {}
    state = (
        "resolved"
        if case.get("status") == "resolved"
        else STATES.get(str(case.get("stage") or ""), "open")
    )
    return StatusView(
        level=int(case.get("level") or 0),
        state=state,
        last_action=str(last.get("what") or "registered"),
        last_action_at=str(last.get("at") or case.get("opened_at") or ""),
        question=str(last.get("text") or "") if last.get("what") == "question_sent" else "",
        **common,
    )
