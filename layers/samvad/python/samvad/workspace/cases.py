"""Cases in the workspace: every case within the caller's scope, the case page, the holder's
ATR (with an optional photo or PDF) and transfer, and the dashboard of my scope.

A case outside the caller's scope answers 404 (its existence must not leak); only the
current holder files an ATR or transfers; the escalation domain does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from samvad import resources
from samvad.escalation import cases as escalation
from samvad.escalation.model import LEVELS, CaseError
from samvad.phones import mask
from samvad.reports import figures, inbound
from samvad.workspace.errors import BadRequest, Conflict, Forbidden, NotFound
from samvad.workspace.policy import authorize
from samvad.workspace.ports import BadCursor, CaseFilter, WorkspacePorts, audit
from samvad.workspace.roles import Official
from samvad.workspace.uploads import file_type

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))

CASE_STATUSES = ("open", "resolved", "overdue")
ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
ATTACHMENT_SIGNATURES = {
    ".jpg": ("JPEG", b"\xff\xd8\xff"),
    ".jpeg": ("JPEG", b"\xff\xd8\xff"),
    ".png": ("PNG", b"\x89PNG\r\n\x1a\n"),
    ".pdf": ("PDF", b"%PDF-"),
}
"""What an attachment's first bytes must be for its name's type (the presigned POST binds only
the declared content type, not the bytes)."""
PAGE_SIZE = 200
MAX_PAGE_SIZE = 500
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_PREFIX = "cases/"


def _scope_filter(official: Official) -> dict[str, str]:
    scope = official.scope
    wanted = {
        "department": scope.department,
        "district": scope.district,
        "office_code": scope.office_code,
    }
    return {k: v for k, v in wanted.items() if v}


def _case_summary(case: dict, now: dt.datetime) -> dict:
    holder = case.get("holder") or {}
    opened = str(case.get("opened_at") or "")
    age: float | str = ""
    if opened:
        opened_at = dt.datetime.fromisoformat(opened.replace("Z", "+00:00"))
        age = round((now - opened_at).total_seconds() / 86400, 1)
    return {
        "case_id": case["case_id"],
        "type": "grievance",
        "department": case.get("department", ""),
        "district": case.get("district", ""),
        "office_code": case.get("office_code", ""),
        "office_name": case.get("office_name", ""),
        "service": case.get("service", ""),
        "level": int(case.get("level") or 0),
        "holder": holder.get("official_id", ""),
        "status": case.get("status", ""),
        "stage": case.get("stage", ""),
        "deadline": case.get("deadline", ""),
        "opened_at": opened,
        "age_days": age,
        **_inbound_summary(case),
    }


def _inbound_summary(case: dict) -> dict:
    """An inbound grievance's reference, category and channel; feedback cases say so."""
    if case.get("case_type") != "grievance":
        return {"origin": "feedback"}
    fields = ("reference", "category", "channel")
    return {"origin": "inbound", **{k: str(case.get(k) or "") for k in fields}}


def list_cases(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    """One page of the cases within the caller's scope (``limit``, default 200, and the
    ``cursor`` of the page before), filtered by ``status``, ``level``, ``overdue``,
    ``service``, ``office`` and ``mine`` (held by me); ``next`` is the next page's cursor."""
    authorize(official, "cases.list")
    status = (query.get("status") or "").strip()
    if status and status not in CASE_STATUSES:
        raise BadRequest("status", f"must be one of {', '.join(CASE_STATUSES)}")
    level_text = (query.get("level") or "").strip()
    level = None
    if level_text:
        if not level_text.isdigit() or int(level_text) not in LEVELS:
            raise BadRequest("level", "must be 1, 2, 3 or 4")
        level = int(level_text)
    limit_text = (query.get("limit") or str(PAGE_SIZE)).strip()
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_PAGE_SIZE:
        raise BadRequest("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    overdue, mine = _flag(query, "overdue"), _flag(query, "mine")
    if overdue is not None and status and (status == "overdue") != overdue:
        return {"cases": [], "next": ""}  # status and overdue contradict each other
    me = official.official_id
    filters = CaseFilter(
        status="overdue" if overdue else status,
        not_status="overdue" if overdue is False else "",
        level=level,
        service=(query.get("service") or "").strip(),
        office_code=(query.get("office") or "").strip(),
        holder=me if mine else "",
        not_holder=me if mine is False else "",
    )
    cases, cursor = _page_in_scope(
        official, ports, filters, int(limit_text), (query.get("cursor") or "").strip()
    )
    return {"cases": cases, "next": cursor}


def _flag(query: Mapping[str, str], name: str) -> bool | None:
    value = (query.get(name) or "").strip().lower()
    if not value:
        return None
    if value not in ("true", "false", "1", "0"):
        raise BadRequest(name, "must be true or false")
    return value in ("true", "1")


def _page_in_scope(
    official: Official, ports: WorkspacePorts, filters: CaseFilter, limit: int, cursor: str
) -> tuple[list[dict], str]:
    """A page of the query (the scope's and the filters'); ``Scope.covers`` still decides
    each case."""
    now = ports.clock()
    try:
        cases, after = ports.case_views.page(_scope_filter(official), filters, limit, cursor)
    except BadCursor as error:
        raise BadRequest("cursor", str(error)) from None
    summaries = (_case_summary(c, now) for c in cases if official.scope.covers(c))
    return sorted(summaries, key=lambda c: (c["deadline"] or "~", c["case_id"])), after


def _cases_in_scope(official: Official, ports: WorkspacePorts) -> list[dict]:
    """Every case within the scope (all pages)."""
    found, cursor = _page_in_scope(official, ports, CaseFilter(), MAX_PAGE_SIZE, "")
    while cursor:
        more, cursor = _page_in_scope(official, ports, CaseFilter(), MAX_PAGE_SIZE, cursor)
        found.extend(more)
    return sorted(found, key=lambda c: (c["deadline"] or "~", c["case_id"]))


def _case_in_scope(official: Official, case_id: str, ports: WorkspacePorts) -> dict:
    """The stored case, or ``NotFound`` when it does not exist or is outside the scope."""
    case = ports.escalation.cases.get(case_id) if case_id else None
    if case is None or not official.scope.covers(case):
        raise NotFound(f"no case {case_id} in your scope")
    return case


def get_case(official: Official, case_id: str, ports: WorkspacePorts) -> dict:
    """The case page: summary, history, the citizen's answers, a masked phone."""
    authorize(official, "cases.read")
    case = _case_in_scope(official, case_id, ports)
    inbound = case.get("case_type") == "grievance"  # forwarded anonymously: no phone at all
    answers = {} if inbound else ports.feedback.store.get(case["visit_key"]) or {}
    visit = {} if inbound else ports.visits.get(case["visit_key"]) or {}
    phone = str(visit.get("phone") or "")
    history = [
        {k: v for k, v in entry.items() if k in AUDIT_VIEW} for entry in case.get("audit", [])
    ]
    holder = (case.get("holder") or {}).get("official_id")
    can_act = holder == official.official_id and case.get("status") != "resolved"
    atr = (case.get("signals") or {}).get("atr") or {}
    return {
        **_case_summary(case, ports.clock()),
        "level_title": LEVELS.get(int(case.get("level") or 0), ""),
        "reasons": list(case.get("reasons") or []),
        "language": case.get("language", ""),
        "citizen_phone": mask(phone) if phone else "",
        "answers": {k: answers.get(k) for k in ANSWER_VIEW if k in answers},
        "history": history,
        "can_act": can_act,
        "can_file_atr": can_act and int(atr.get("round", -1)) != int(case.get("round") or 0),
        **(
            {
                "text": case.get("text", ""),
                "has_voice": bool(case.get("voice_key")),
                "voice_ready": bool(case.get("voice_object")),  # copied: GET …/voice plays it
            }
            if inbound
            else {}
        ),
    }


AUDIT_VIEW = ("at", "who", "what", "from_level", "to_level", "reason", "holder", "note", "text")
ANSWER_VIEW = (
    "rating", "work_done", "bribe_asked", "wants_officer", "free_text", "channel", "received_at",
)  # fmt: skip


def _holder_only(official: Official, case: dict) -> None:
    if (case.get("holder") or {}).get("official_id") != official.official_id:
        raise Forbidden(f"only the current holder may act on {case['case_id']}")


def file_atr(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    authorize(official, "cases.atr")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text", "say what was done (a non-empty text)")
    if len(text) > escalation.MAX_ATR_CHARS:
        raise BadRequest("text", f"at most {escalation.MAX_ATR_CHARS} characters")
    attachment = body.get("attachment") or ""
    if attachment and (
        not isinstance(attachment, str)
        or not attachment.startswith(_attachment_prefix(case_id))
        or ".." in attachment
    ):
        raise BadRequest("attachment", "must be a key returned for this case's attachment")
    case = _case_in_scope(official, case_id, ports)
    _holder_only(official, case)
    if attachment:
        _check_attachment(attachment, ports)
        text = f"{text.strip()}\n[attachment: {attachment}]"
    try:
        result = escalation.file_atr(case_id, text, official.official_id, ports.escalation)
    except CaseError as error:
        raise Conflict(str(error)) from None
    audit(ports, official, "atr", case_id, level=result["level"], attachment=attachment)
    return result


def _check_attachment(key: str, ports: WorkspacePorts) -> None:
    """The attachment was uploaded, and its bytes are the type its name says."""
    suffix = "." + key.rsplit(".", 1)[-1].lower() if "." in key else ""
    if suffix not in ATTACHMENT_SIGNATURES:
        raise BadRequest("attachment", "must be a .jpg, .jpeg, .png or .pdf file")
    kind, signature = ATTACHMENT_SIGNATURES[suffix]
    head = ports.uploads.first_bytes(key, len(signature))
    if head is None:
        raise BadRequest("attachment", "was not uploaded: send the file to its link, then file")
    if head != signature:
        raise BadRequest("attachment", f"is not a {kind} file, as its name says: upload it again")


def _attachment_prefix(case_id: str) -> str:
    return f"{ATTACHMENT_PREFIX}{case_id}/atr/"


def attachment_upload(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    """A presigned POST for a photo or PDF (≤ 5 MB) under the case, for its holder; the
    bucket's default encryption (KMS) applies. Its key then goes with the ATR."""
    authorize(official, "cases.atr")
    content_type = file_type(body.get("filename"), ATTACHMENT_TYPES)
    case = _case_in_scope(official, case_id, ports)
    _holder_only(official, case)
    key = f"{_attachment_prefix(case_id)}L{case.get('level')}-{body['filename']}"
    post = ports.uploads.presign(key, content_type, MAX_ATTACHMENT_BYTES)
    audit(ports, official, "atr_attachment", case_id, key=key)
    return {"key": key, "max_bytes": MAX_ATTACHMENT_BYTES, **post}


def attachment_link(official: Official, case_id: str, key: str, ports: WorkspacePorts) -> dict:
    """A short-lived link to one of the case's attachments, for whoever may read the case."""
    authorize(official, "cases.read")
    _case_in_scope(official, case_id, ports)
    if not key.startswith(_attachment_prefix(case_id)) or ".." in key:
        raise NotFound("no such attachment on this case")
    return {"key": key, "url": ports.uploads.download_url(key)}


def voice_link(official: Official, case_id: str, ports: WorkspacePorts) -> dict:
    """A short-lived link to an inbound grievance's voice message (copied into the case by
    ``samvad.grievances.voice``), for whoever may read the case; each play is audited."""
    authorize(official, "cases.read")
    case = _case_in_scope(official, case_id, ports)
    key = str(case.get("voice_object") or "")
    if case.get("case_type") != "grievance" or not key.startswith(f"{ATTACHMENT_PREFIX}{case_id}/"):
        raise NotFound(f"no voice message on {case_id} (yet)")
    audit(ports, official, "voice_message", case_id)
    return {"case_id": case_id, "url": ports.uploads.download_url(key)}


def transfer_case(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    authorize(official, "cases.transfer")
    for name in ("to", "reason"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise BadRequest(name, "is required (to: the department code; reason: why)")
    case = _case_in_scope(official, case_id, ports)
    _holder_only(official, case)
    to, reason = body["to"].strip(), body["reason"].strip()
    if to == case.get("department"):
        raise BadRequest("to", "the case is already with that department")
    directory = ports.escalation.config.latest(resources.ESCALATION_DIRECTORY_CONFIG) or {}
    if to not in (directory.get("department") or {}):
        raise BadRequest("to", f"{to!r} is not a department in the escalation directory")
    try:
        result = escalation.transfer(case_id, to, official.official_id, reason, ports.escalation)
    except CaseError as error:
        raise Conflict(str(error)) from None
    ports.notifier.notify(
        result["holder"],
        f"Samvad: case {case_id} was transferred to you (L{result['level']}), due "
        f"{result.get('deadline') or '-'}. Sign in to the workspace to see it.",
    )
    audit(ports, official, "transfer", case_id, to=to, new_holder=result["holder"])
    return result


def _figures(official: Official, ports: WorkspacePorts, partition: str) -> dict[str, float]:
    """The report counters of ``partition`` summed over the rows inside my scope."""
    totals: dict[str, float] = {}
    for row in ports.tallies.rows(partition) if ports.tallies else []:
        if not official.scope.covers(row):
            continue
        for name, value in row.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0) + value
    return dict(sorted(totals.items()))


def summary_of(counters: Mapping[str, float]) -> dict[str, Any]:
    """The report counters as the reports show them (``samvad.reports.figures``: response
    rate, satisfied share with its interval, cases …), and the inbound grievances registered."""
    return figures.figures(counters) | {
        "inbound_registered": int(counters.get(f"{inbound.PREFIX}registered", 0))
    }


def dashboard(official: Official, ports: WorkspacePorts) -> dict:
    """My scope's figures from the cases in it, and the ages of the cases I hold."""
    authorize(official, "dashboard")
    cases = _cases_in_scope(official, ports)
    by_status: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for case in cases:
        by_status[case["status"]] = by_status.get(case["status"], 0) + 1
        by_level[f"L{case['level']}"] = by_level.get(f"L{case['level']}", 0) + 1
    mine = [c for c in cases if c["holder"] == official.official_id]
    month = ports.clock().astimezone(IST).strftime("%Y-%m")
    counters = _figures(official, ports, f"month#{month}")
    return {
        "scope": official.scope.as_dict(),
        "month": month,
        "figures": counters,
        "summary": summary_of(counters),
        "cases": len(cases),
        "by_status": by_status,
        "by_level": by_level,
        "my_cases": [
            {k: c[k] for k in ("case_id", "level", "status", "deadline", "age_days")} for c in mine
        ],
    }
