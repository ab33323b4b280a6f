"""The workspace's use cases: one function per route, each authorising the caller first and
applying their scope inside the query it makes.

Cases outside the caller's scope answer 404 (their existence must not leak); an action the
role may not attempt answers 403; only the current holder files an ATR or transfers. A
citizen's phone leaves this module in clear only from ``reveal_phone``, which is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samvad.escalation import cases as escalation
from samvad.escalation.model import LEVELS, CaseError
from samvad.feedback import service as feedback
from samvad.feedback.answers import AnswerError, Answers
from samvad.phones import mask
from samvad.workspace.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthenticated
from samvad.workspace.policy import authorize
from samvad.workspace.roles import Official

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
CASE_STATUSES = ("open", "resolved", "overdue")
CALL_OUTCOMES = ("answered", "no_answer", "busy", "wrong_number", "refused")
RETRYABLE = ("no_answer", "busy")
UPLOAD_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".jsonl": "application/x-ndjson",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_PREFIX = "cases/"
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,119}")


class CaseViews(Protocol):
    def list(self, scope: Mapping[str, str]) -> list[dict]:
        """Cases whose department/district/office_code equal every field of ``scope``."""
        ...


class CallLists(Protocol):
    def entries(self, list_id: str) -> list[dict]: ...


class CallAttempts(Protocol):
    def record(self, list_id: str, visit_key: str, attempt: dict) -> int: ...
    def for_list(self, list_id: str) -> dict[str, list[dict]]: ...


class Uploads(Protocol):
    def presign(self, key: str, content_type: str, max_bytes: int) -> dict: ...
    def list(self, prefix: str) -> list[dict]: ...
    def download_url(self, key: str) -> str: ...


class AuditLog(Protocol):
    def append(self, entry: dict) -> None: ...
    def recent(self, days: int, limit: int) -> list[dict]: ...


class Notifier(Protocol):
    def notify(self, official_id: str, text: str) -> None: ...


@dataclass
class WorkspacePorts:
    escalation: escalation.EscalationPorts
    case_views: CaseViews
    call_lists: CallLists
    call_attempts: CallAttempts
    visits: Any  # get(visit_key) -> dict | None (holds the phone: never returned but by reveal)
    feedback: feedback.FeedbackPorts
    uploads: Uploads
    audit: AuditLog
    notifier: Notifier
    retry_after_hours: tuple[float, ...] = (2.0, 4.0)
    busy_retry_minutes: float = 30.0
    call_attempts_max: int = 3
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def audit(ports: WorkspacePorts, who: Official | None, what: str, target: str, **detail) -> None:
    """Append who did what to which, when and from where (never a phone number)."""
    ports.audit.append(
        {
            "at": _iso(ports.clock()),
            "who": who.official_id if who else str(detail.pop("username", "")),
            "role": who.role if who else "",
            "what": what,
            "target": target,
            "from": who.source_ip if who else str(detail.pop("source_ip", "")),
            **{k: v for k, v in detail.items() if v not in (None, "")},
        }
    )


def me(official: Official) -> dict:
    authorize(official, "me")
    return official.as_dict()


# -- cases ------------------------------------------------------------------------------------


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
    age = ""
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
    }


def list_cases(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    """Every case within the caller's scope, filtered by ``status``, ``level``, ``overdue``,
    ``service``, ``office`` and ``mine`` (held by me)."""
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
    overdue, mine = _flag(query, "overdue"), _flag(query, "mine")
    service, office = (query.get("service") or "").strip(), (query.get("office") or "").strip()
    wanted = {"status": status, "service": service, "office_code": office}
    found = [
        case
        for case in _cases_in_scope(official, ports)
        if all(case[k] == v for k, v in wanted.items() if v)
        and (level is None or case["level"] == level)
        and (overdue is None or (case["status"] == "overdue") == overdue)
        and (mine is None or (case["holder"] == official.official_id) == mine)
    ]
    return {"cases": found}


def _flag(query: Mapping[str, str], name: str) -> bool | None:
    value = (query.get(name) or "").strip().lower()
    if not value:
        return None
    if value not in ("true", "false", "1", "0"):
        raise BadRequest(name, "must be true or false")
    return value in ("true", "1")


def _cases_in_scope(official: Official, ports: WorkspacePorts) -> list[dict]:
    now = ports.clock()
    cases = ports.case_views.list(_scope_filter(official))
    return sorted(
        (_case_summary(c, now) for c in cases if official.scope.covers(c)),
        key=lambda c: (c["deadline"] or "~", c["case_id"]),
    )


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
    answers = ports.feedback.store.get(case["visit_key"]) or {}
    visit = ports.visits.get(case["visit_key"]) or {}
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
    }


AUDIT_VIEW = ("at", "who", "what", "from_level", "to_level", "reason", "holder", "note", "text")
ANSWER_VIEW = (
    "rating", "work_done", "bribe_asked", "wants_officer", "free_text", "channel", "received_at",
)  # fmt: skip


def _holder_only(official: Official, case: dict) -> None:
    if (case.get("holder") or {}).get("official_id") != official.official_id:
        raise Forbidden(f"only the current holder may act on {case['case_id']}")


def file_atr(official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts):
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
        text = f"{text.strip()}\n[attachment: {attachment}]"
    try:
        result = escalation.file_atr(case_id, text, official.official_id, ports.escalation)
    except CaseError as error:
        raise Conflict(str(error)) from None
    audit(ports, official, "atr", case_id, level=result["level"], attachment=attachment)
    return result


def _attachment_prefix(case_id: str) -> str:
    return f"{ATTACHMENT_PREFIX}{case_id}/atr/"


def _file_type(filename: Any, types: Mapping[str, str]) -> str:
    if not isinstance(filename, str) or not _FILENAME.fullmatch(filename):
        raise BadRequest("filename", "letters, digits, . _ - and spaces; at most 120")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in types:
        raise BadRequest("filename", f"must end in one of {', '.join(sorted(types))}")
    return types[suffix]


def attachment_upload(
    official: Official, case_id: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    """A presigned POST for a photo or PDF (≤ 5 MB) under the case, for its holder; the
    bucket's default encryption (KMS) applies. Its key then goes with the ATR."""
    authorize(official, "cases.atr")
    content_type = _file_type(body.get("filename"), ATTACHMENT_TYPES)
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


# -- the call desk ----------------------------------------------------------------------------


def run_date(ports: WorkspacePorts) -> str:
    return ports.clock().astimezone(IST).date().isoformat()


def _list_id(official: Official, ports: WorkspacePorts) -> str:
    return f"{run_date(ports)}#{official.official_id}"


def list_calls(official: Official, ports: WorkspacePorts) -> dict:
    """Today's list for me (``CallLists`` ``<date>#<my official id>``), with progress."""
    authorize(official, "calls.list")
    list_id = _list_id(official, ports)
    attempts = ports.call_attempts.for_list(list_id)
    calls = []
    for entry in ports.call_lists.entries(list_id):
        key = entry["visit_key"]
        visit = ports.visits.get(key) or {}
        done = ports.feedback.store.get(key)
        tries = attempts.get(key, [])
        status = _call_status(done, tries, ports)
        phone = str(visit.get("phone") or "")
        calls.append(
            {
                "visit_key": key,
                **{f: str(visit.get(f) or "") for f in VISIT_VIEW},
                "language": str(visit.get("language") or entry.get("language") or "or"),
                "phone": mask(phone) if phone else "",
                "status": status["status"],
                "retry_at": status.get("retry_at", ""),
                "attempts": len(tries),
                "script": survey_script(str(visit.get("language") or "or"), visit),
            }
        )
    done_count = sum(1 for c in calls if c["status"] in ("done", "unreachable", "closed"))
    return {
        "run_date": run_date(ports),
        "caller": official.official_id,
        "done": done_count,
        "total": len(calls),
        "calls": calls,
    }


VISIT_VIEW = ("department", "service", "office_code", "office_name", "district", "visit_date")


SCRIPT_PROMPTS = ("greeting_cmo", "q_work_done", "q_rating", "q_bribe", "q_officer")


def survey_script(language: str, visit: Mapping[str, Any]) -> list[str]:
    """The survey's questions in the citizen's language, for a human caller to read."""
    from samvad.messages import catalog

    prompts = catalog(language)["prompts"]
    values = _Blank(
        office_name=visit.get("office_name") or "", service_name=visit.get("service") or ""
    )
    return [prompts[k]["text"].format_map(values) for k in SCRIPT_PROMPTS if k in prompts]


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _call_status(done: dict | None, tries: list[dict], ports: WorkspacePorts) -> dict:
    if done:
        return {"status": "done"}
    if not tries:
        return {"status": "to_call"}
    last = tries[-1]
    if last["outcome"] not in RETRYABLE:
        return {"status": "closed"}
    if len(tries) >= ports.call_attempts_max:
        return {"status": "unreachable"}
    return {"status": "retry", "retry_at": last.get("retry_at", "")}


def _on_my_list(official: Official, visit_key: str, ports: WorkspacePorts) -> dict:
    list_id = _list_id(official, ports)
    for entry in ports.call_lists.entries(list_id):
        if entry["visit_key"] == visit_key:
            return entry
    raise NotFound(f"{visit_key} is not on your call list for {run_date(ports)}")


def record_outcome(
    official: Official, visit_key: str, body: Mapping[str, Any], ports: WorkspacePorts
) -> dict:
    """What the call gave: ``answered`` with the answers (stored as feedback, channel
    ``official_call``), or ``no_answer``/``busy`` (retried later by the dispatch policy's
    spacing), ``wrong_number``/``refused`` (closed)."""
    authorize(official, "calls.outcome")
    outcome = body.get("outcome")
    if outcome not in CALL_OUTCOMES:
        raise BadRequest("outcome", f"must be one of {', '.join(CALL_OUTCOMES)}")
    entry = _on_my_list(official, visit_key, ports)
    list_id = _list_id(official, ports)
    now = ports.clock()
    if outcome == "answered":
        answers = _answers(body.get("answers"))
        visit = ports.visits.get(visit_key) or {}
        language = str(visit.get("language") or entry.get("language") or "or")
        recorded = feedback.record_survey(
            visit_key, answers, "official_call", language, ports.feedback, run_date(ports)
        )
        ports.call_attempts.record(list_id, visit_key, {"outcome": outcome, "at": _iso(now)})
        audit(ports, official, "call_outcome", visit_key, outcome=outcome)
        return {"visit_key": visit_key, "status": recorded.status, "poor": recorded.poor}
    tries = ports.call_attempts.for_list(list_id).get(visit_key, [])
    retry_at = ""
    if outcome in RETRYABLE and len(tries) + 1 < ports.call_attempts_max:
        if outcome == "busy":
            wait = dt.timedelta(minutes=ports.busy_retry_minutes)
        else:
            spacing = ports.retry_after_hours or (2.0,)
            wait = dt.timedelta(hours=spacing[min(len(tries), len(spacing) - 1)])
        retry_at = _iso(now + wait)
    attempt = {"outcome": outcome, "at": _iso(now), "retry_at": retry_at}
    number = ports.call_attempts.record(list_id, visit_key, attempt)
    audit(ports, official, "call_outcome", visit_key, outcome=outcome)
    return {"visit_key": visit_key, "status": outcome, "attempt": number, "retry_at": retry_at}


def _answers(raw: Any) -> Answers:
    if not isinstance(raw, Mapping):
        raise BadRequest("answers", "an answered call needs its answers (rating 1-5, …)")
    rating = raw.get("rating")
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating)
    if not isinstance(rating, int) or isinstance(rating, bool):
        raise BadRequest("answers.rating", "must be a number from 1 to 5")
    flags = {}
    for name in ("work_done", "bribe_asked", "wants_officer"):
        value = raw.get(name)
        if isinstance(value, str):
            value = {"yes": True, "true": True, "no": False, "false": False, "": None}.get(
                value.strip().lower(), value
            )
        if value is not None and not isinstance(value, bool):
            raise BadRequest(f"answers.{name}", "must be yes or no")
        flags[name] = value
    text = raw.get("free_text") or ""
    if not isinstance(text, str):
        raise BadRequest("answers.free_text", "must be text")
    try:
        return Answers(
            rating=rating,
            work_done=flags["work_done"],
            bribe_asked=flags["bribe_asked"],
            wants_officer=bool(flags["wants_officer"]),
            free_text=text.strip(),
        )
    except AnswerError as error:
        raise BadRequest("answers", str(error)) from None


def reveal_phone(official: Official, visit_key: str, ports: WorkspacePorts) -> dict:
    """The citizen's number, for a permitted caller and a visit on today's list; audited."""
    authorize(official, "visits.phone")
    _on_my_list(official, visit_key, ports)
    visit = ports.visits.get(visit_key) or {}
    phone = str(visit.get("phone") or "")
    if not phone:
        raise NotFound(f"no number is kept for {visit_key}")
    audit(ports, official, "number_reveal", visit_key)
    return {"visit_key": visit_key, "phone": phone}


# -- uploads ----------------------------------------------------------------------------------


def _department_prefix(official: Official) -> str:
    return f"uploads/{official.scope.department}/"


def create_upload(official: Official, body: Mapping[str, Any], ports: WorkspacePorts) -> dict:
    """A presigned POST for ``uploads/<my department>/<filename>`` (size and type bound)."""
    authorize(official, "uploads.create")
    department = body.get("department")
    if not isinstance(department, str) or not department.strip():
        raise BadRequest("department", "is required (your department's code)")
    if department.strip() != official.scope.department:
        raise Forbidden(f"you may upload only for {official.scope.department}")
    content_type = _file_type(body.get("filename"), UPLOAD_TYPES)
    key = _department_prefix(official) + body["filename"]
    post = ports.uploads.presign(key, content_type, MAX_UPLOAD_BYTES)
    audit(ports, official, "upload", key)
    return {"key": key, "max_bytes": MAX_UPLOAD_BYTES, **post}


def list_uploads(official: Official, ports: WorkspacePorts) -> dict:
    """My department's uploads, newest first, each with its intake report."""
    authorize(official, "uploads.list")
    found = [
        u for u in ports.uploads.list(_department_prefix(official))
        if str(u.get("key", "")).startswith(_department_prefix(official))
    ]  # fmt: skip
    return {"uploads": found}


def rejects_link(official: Official, key: str, ports: WorkspacePorts) -> dict:
    """A short-lived download link for one of my department's rejects files."""
    authorize(official, "uploads.rejects")
    prefix = "rejects/" + official.scope.department + "/"
    if not key.startswith(prefix) or ".." in key:
        raise NotFound("no such rejects file for your department")
    return {"key": key, "url": ports.uploads.download_url(key)}


# -- dashboard and audit ----------------------------------------------------------------------


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
    return {
        "scope": official.scope.as_dict(),
        "cases": len(cases),
        "by_status": by_status,
        "by_level": by_level,
        "my_cases": [
            {k: c[k] for k in ("case_id", "level", "status", "deadline", "age_days")} for c in mine
        ],
    }


def audit_trail(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    authorize(official, "audit.list")
    days_text = (query.get("days") or "7").strip()
    if not days_text.isdigit() or not 1 <= int(days_text) <= 90:
        raise BadRequest("days", "must be a whole number from 1 to 90")
    return {"entries": ports.audit.recent(int(days_text), 1000)}


# -- sign-in ----------------------------------------------------------------------------------


class Identity(Protocol):
    def sign_in(self, username: str, password: str) -> dict | None:
        """``{"id_token", "expires_in", "official_id"}``, or None when refused."""
        ...


def sign_in(
    body: Mapping[str, Any], source_ip: str, identity: Identity, ports: WorkspacePorts
) -> dict:
    """USER_PASSWORD_AUTH (local and dev; production signs in through the hosted UI)."""
    for name in ("username", "password"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise BadRequest(name, "is required")
    username = body["username"].strip()
    result = identity.sign_in(username, body["password"])
    if result is None:
        audit(ports, None, "sign_in_refused", username, username=username, source_ip=source_ip)
        raise Unauthenticated("wrong username or password")
    ports.audit.append(
        {
            "at": _iso(ports.clock()),
            "who": result.get("official_id", ""),
            "role": "",
            "what": "sign_in",
            "target": username,
            "from": source_ip,
        }
    )
    return {"id_token": result["id_token"], "expires_in": result["expires_in"]}
