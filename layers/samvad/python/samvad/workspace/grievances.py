"""Inbound grievances in the workspace: the contact centre registers one for a caller, sees
what could not be registered; the holder relays a question to the anonymous citizen; a
permitted role unmasks the citizen's number, audited. Routes: ``samvad.workspace.
grievance_routes``. Scope is checked here, in the domain, for every request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from samvad.grievances import GrievanceError, Registration, Submission, register
from samvad.grievances.model import VISIT_PREFIX
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.relay import ask
from samvad.workspace.cases import _case_in_scope, _holder_only
from samvad.workspace.errors import BadRequest, Conflict, Forbidden, NotFound
from samvad.workspace.policy import authorize
from samvad.workspace.ports import WorkspacePorts, audit
from samvad.workspace.roles import Official

FIELDS = ("phone", "department", "service", "category", "language", "call_id")


def _grievances(ports: WorkspacePorts) -> GrievancePorts:
    if ports.grievances is None:
        raise Conflict("inbound grievances are not configured for this workspace")
    return ports.grievances


def register_for_caller(official: Official, body: Mapping[str, Any], ports: WorkspacePorts) -> dict:
    """A grievance taken on the phone by a contact-centre agent (role ``caller``), within
    the agent's scope (a department-scoped agent registers for that department only)."""
    authorize(official, "grievances.register")
    for name in FIELDS:
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise BadRequest(name, "is required")
    where = {
        "department": body["department"].strip(),
        "district": str(body.get("district") or "").strip(),
        "office_code": str(body.get("office_code") or "").strip(),
    }
    if official.scope.department and where["department"] != official.scope.department:
        raise Forbidden(f"you register grievances for {official.scope.department} only")
    submission = Submission(
        channel="agent",
        phone=body["phone"],
        department=where["department"],
        service=body["service"].strip(),
        office_code=where["office_code"] or None,
        category=body["category"].strip(),
        text=str(body.get("text") or "") or None,
        voice_key=None,
        language=body["language"].strip(),
        source_id=body["call_id"].strip(),
        source=official.official_id,
        by=official.official_id,
        district=where["district"],
    )
    result = register(_grievances(ports), submission)
    if not isinstance(result, Registration):
        raise BadRequest(result.field, result.message)
    audit(ports, official, "grievance_registered", result.reference, case_id=result.case_id)
    return {"reference": result.reference, "case_id": result.case_id, "folded": result.folded}


def rejects(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    """What citizens sent that could not be registered, on a day (default today), in the
    agent's department when scoped; phones only hashed."""
    authorize(official, "grievances.rejects")
    day = (query.get("date") or "").strip() or ports.clock().date().isoformat()
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise BadRequest("date", "must be YYYY-MM-DD") from None
    found = [
        {k: v for k, v in item.items() if k not in ("phone_hash", "expires_at")}
        for item in _grievances(ports).store.rejects(day)
        if not official.scope.department or item.get("department") == official.scope.department
    ]
    return {"date": day, "rejects": found}


def ask_citizen(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    """The holder's question, relayed to the citizen by SMS (the number never shown)."""
    authorize(official, "grievances.ask")
    case = _case_in_scope(official, case_id, ports)
    _holder_only(official, case)
    try:
        result = ask(
            _grievances(ports), case, str(body.get("question") or ""), official.official_id
        )
    except GrievanceError as error:
        raise BadRequest(error.field, str(error)) from None
    audit(ports, official, "grievance_question", case_id, sent=str(result["sent"]))
    return result


def unmask(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    """The citizen's number of an inbound grievance, for a permitted role, with a reason;
    audited (who, which case, why, from where)."""
    authorize(official, "grievances.unmask")
    reason = str(body.get("reason") or "").strip()
    if not reason:
        raise BadRequest("reason", "say why the number is needed")
    case = _case_in_scope(official, case_id, ports)
    if case.get("case_type") != "grievance":
        raise NotFound(f"{case_id} is not an inbound grievance")
    phone = _grievances(ports).citizens.phone(VISIT_PREFIX + str(case.get("reference") or ""))
    if not phone:
        raise NotFound(f"no number is kept for {case_id}")
    audit(ports, official, "grievance_unmask", case_id, reason=reason)
    return {"case_id": case_id, "phone": phone}
