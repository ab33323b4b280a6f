"""The case clerk: opens cases, answers the state machine's callbacks, files ATRs and records
citizens' confirmations. Everything is idempotent: a replayed message changes nothing.

The state machine owns the clock (waits, timeouts, escalation); the clerk owns the case item
and its audit trail, and is the only holder of task tokens: a token arrives here through
the stage's own SNS → SQS subscription and leaves only in ``SendTaskSuccess``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from samvad import resources
from samvad.escalation import directory, notices
from samvad.escalation.model import (
    LEVELS,
    CaseError,
    LevelTiming,
    SlaPolicy,
    case_id_for,
    execution_name,
    seconds,
)
from samvad.phones import mask
from samvad.ports import CaseStore, ConfigReader, TaskTokens


class NoticeSender(Protocol):
    """The officials' notices topic: ``texts`` (``default``, ``sms``, ``email``) to the
    subscriptions of ``official_id``."""

    def send(self, official_id: str, texts: dict, subject: str, attributes: dict) -> None: ...


log = logging.getLogger(__name__)
CASE_FIELDS = ("department", "service", "office_code", "office_name", "district", "official_id")
EVENT_FIELDS = ("department", "service", "office_code", "district", "official_id")
MAX_ATR_CHARS = 4000
MACHINE_FIELDS = (
    "level",
    "round",
    "official_id",
    "deadline",
    "assigned_at",
    "reminder_seconds",
    "final_seconds",
    "confirm_seconds",
    "renotify_seconds",
    "language",
    "event",
)
"""What the state machine gets of an assignment: ids, times, waits and the level's event. The
notices' texts (the citizen's masked number, the case page's URL) and the holder's name stay
in the Cases table: the clerk sends the notices itself (``send_notice``), so the execution
history (kept 90 days) holds none of them."""
NOTICES = ("notice", "reminder", "overdue")
"""The texts an assignment keeps in the case item, one per wait of the ATR."""
SIGNAL_FIELDS = ("round", "resolved", "by", "at", "received_at", "channel")
"""What a callback hands the state machine: never the ATR's text."""


@dataclass(frozen=True)
class EscalationPorts:
    cases: CaseStore
    tasks: TaskTokens
    phone_of: Callable[[str], str | None]  # visit_key → E.164, read from Visits
    config: ConfigReader
    atr_link: Callable[[str, str, dt.datetime], str] | None = None
    grievance_of: Callable[[str], dict | None] | None = None  # reference → grievance record
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    notices: NoticeSender | None = None  # None: no notices topic here (officials not told)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _entry(
    at: str, who: str, what: str, from_level: int, to_level: int, reason: str, **extra: Any
) -> dict[str, Any]:
    return {
        "at": at,
        "who": who,
        "what": what,
        "from_level": from_level,
        "to_level": to_level,
        "reason": reason,
        **{k: v for k, v in extra.items() if v},
    }


# -- opening ----------------------------------------------------------------------------------


def open_case(detail: dict, ports: EscalationPorts) -> dict:
    """One case per visit: store it (if new) and start its execution (named after it).

    A replay finds the stored case and starts the same execution with the same input again,
    which covers a crash between the two writes; an existing execution is success.
    """
    if not isinstance(detail, dict):
        raise CaseError("FeedbackPoor detail must be an object")
    case_id = case_id_for(detail.get("visit_key"))
    policy = SlaPolicy.from_document(ports.config.latest(resources.ESCALATION_SLA_CONFIG))
    now = _iso(ports.clock())
    case = {
        "case_id": case_id,
        "visit_key": detail["visit_key"],
        **{f: str(detail.get(f) or "") for f in CASE_FIELDS},
        "reasons": [str(r) for r in detail.get("reasons") or []],
        "language": str(detail.get("language") or "or"),
        "status": "open",
        "stage": "opening",
        "level": 0,
        "round": 0,
        "opened_at": now,
        "waits": {},
        "signals": {},
        "audit": [],
        "execution_name": execution_name(case_id),
    }
    payload = {
        "case": {k: case[k] for k in ("case_id", "visit_key", *EVENT_FIELDS)},
        "opened_at": now,
        "factor": policy.time_factor,
        "step": {"level": 1, "round": 1, "from_level": 0, "reason": "opened"},
    }
    case["execution_input"] = json.dumps(payload, sort_keys=True)
    created = ports.cases.create(case)
    if not created:
        case = ports.cases.get(case_id) or case
        payload = json.loads(case["execution_input"])
    started = ports.tasks.start(case["execution_name"], payload)
    return {"case_id": case_id, "created": created, "started": started}


# -- the state machine's callbacks ------------------------------------------------------------


def assign(state: dict, ports: EscalationPorts) -> dict:
    """Record the assignment of ``state["step"]`` (a new round) and return what the state
    machine needs: holder, deadline, scaled waits, notice texts and the level's event."""
    case_id, step = state["case"]["case_id"], state["step"]
    level, round_ = int(step["level"]), int(step["round"])
    case = _need(ports, case_id)
    if int(case.get("round", 0)) >= round_:
        return _for_machine(case["assignment"])  # a replay: the stored answer
    policy = SlaPolicy.from_document(ports.config.latest(resources.ESCALATION_SLA_CONFIG))
    factor = float(state.get("factor") or policy.time_factor)
    holder = directory.holder_for(
        ports.config.latest(resources.ESCALATION_DIRECTORY_CONFIG), level, case
    )
    now = ports.clock()
    days = policy.days(case["department"], case["service"], level, case.get("case_type", ""))
    timing = LevelTiming.of(days, factor)
    deadline = now + dt.timedelta(seconds=timing.sla_seconds)
    anonymous = case.get("case_type") == "grievance"  # forwarded without the citizen's phone
    phone = None if anonymous else ports.phone_of(case["visit_key"])
    link = ports.atr_link(case_id, holder.official_id, deadline) if ports.atr_link else ""
    holder_view = {
        "level": level,
        "official_id": holder.official_id,
        "name": holder.name,
        "title": holder.title,
    }
    citizen = mask(phone) if phone else ("anonymous" if anonymous else "unknown")
    texts = notices.texts(case, holder_view, deadline, citizen, link)
    reason = str(step.get("reason") or "opened")
    from_level = int(step.get("from_level") or 0)
    at = _iso(now)
    event_fields = {f: case.get(f, "") for f in EVENT_FIELDS}
    if from_level == 0:
        event = {
            "detail_type": resources.CASE_OPENED,
            "detail": {
                "case_id": case_id,
                "visit_key": case["visit_key"],
                "level": level,
                "opened_at": case["opened_at"],
                "deadline": _iso(deadline),
                **event_fields,
            },
        }
    else:
        event = {
            "detail_type": resources.CASE_ESCALATED,
            "detail": {
                "case_id": case_id,
                "visit_key": case["visit_key"],
                "from_level": from_level,
                "to_level": level,
                "reason": reason,
                "at": at,
                "deadline": _iso(deadline),
                **event_fields,
            },
        }
    assignment = {
        "level": level,
        "round": round_,
        "official_id": holder.official_id,
        "deadline": _iso(deadline),
        "assigned_at": at,
        "reminder_seconds": timing.reminder_seconds,
        "final_seconds": timing.final_seconds,
        "confirm_seconds": seconds(policy.confirm_days, factor),
        "renotify_seconds": seconds(policy.renotify_days, factor),
        "language": case.get("language") or "or",
        **texts,
        "event": event,
    }
    what = "opened" if from_level == 0 else ("reassigned" if from_level == level else "escalated")
    entry = _entry(
        at,
        "system",
        what,
        from_level,
        level,
        reason,
        holder=holder.official_id,
        note=holder.note,
        deadline=_iso(deadline),
    )
    fields = {
        "level": level,
        "holder": holder_view,
        "deadline": _iso(deadline),
        "stage": "awaiting_atr",
        "assignment": assignment,
    }
    if not ports.cases.assign(case_id, round_, fields, entry):
        return _for_machine(_need(ports, case_id)["assignment"])  # a concurrent replay won
    log.info("case %s assigned: L%s round %s", case_id, level, round_)
    return _for_machine(assignment)


def _for_machine(assignment: dict) -> dict:
    return {k: assignment[k] for k in MACHINE_FIELDS if k in assignment}


def record_wait(kind: str, state: dict, token: str, ports: EscalationPorts) -> str:
    """The state machine waits for ``kind`` (``atr`` or ``confirmation``): keep its token, and
    if the answer is already here (it raced ahead), deliver it at once."""
    case_id, round_ = state["case"]["case_id"], int(state["step"]["round"])
    fields = (
        {"stage": "awaiting_confirmation"} if kind == "confirmation" else {"stage": "awaiting_atr"}
    )
    case = ports.cases.set_wait(case_id, kind, round_, token, fields)
    if case is None:
        return "stale"  # the case has moved on; this wait has ended already
    return _deliver_if_ready(case, kind, round_, ports)


def send_notice(notice: str, state: dict, token: str, ports: EscalationPorts) -> str:
    """Tell the holder of ``state``'s round that an ATR is awaited: the ``notice`` text
    (``notice``, ``reminder`` or ``overdue``) that ``assign`` kept in the case item, sent once
    per wait (the state machine's token names the wait; a replayed message finds it marked).
    A crash between sending and marking sends it again: at least once, never lost."""
    if notice not in NOTICES:
        raise CaseError(f"unknown notice {notice!r}")
    case_id, round_ = state["case"]["case_id"], int(state["step"]["round"])
    case = _need(ports, case_id)
    if case.get("status") == "resolved" or int(case.get("round", 0)) != round_:
        return "stale"
    mark = f"{round_}:{notice}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"
    if case.get("notice_sent") == mark:
        return "sent_before"
    assignment = case.get("assignment") or {}
    if ports.notices is None or not assignment.get(notice):
        return "no_notices"
    subject = f"Samvad grievance {case_id} (L{assignment.get('level')}): {notice}"
    ports.notices.send(
        str(assignment["official_id"]),
        assignment[notice],
        subject[:100],
        {"notice": notice, "case_id": case_id},
    )
    ports.cases.append(case_id, round_, {"notice_sent": mark}, None)
    return "sent"


def _deliver_if_ready(case: dict, kind: str, round_: int, ports: EscalationPorts) -> str:
    wait = case.get("waits", {}).get(kind) or {}
    signal = case.get("signals", {}).get(kind) or {}
    if int(wait.get("round", -1)) != round_ or int(signal.get("round", -2)) != round_:
        return "waiting"
    output = {k: signal[k] for k in SIGNAL_FIELDS if k in signal and k != "round"}
    if ports.tasks.send_success(wait["token"], output):
        ports.cases.mark_delivered(case["case_id"], kind, round_)
        return "delivered"
    return "token_gone"  # timed out meanwhile: the state machine has moved on


def _deliver_recorded(case: dict, kind: str, round_: int, ports: EscalationPorts) -> str | None:
    """Deliver ``case``'s (as just read) ``kind`` signal of this round if it was recorded but
    never delivered: the delivery failed half-way (``SendTaskSuccess`` throttled, its answer
    lost) and the event or the filing comes again. None when there is nothing to redo."""
    signal = (case.get("signals") or {}).get(kind) or {}
    if int(signal.get("round", -1)) != round_ or signal.get("delivered"):
        return None
    return _deliver_if_ready(case, kind, round_, ports)


# -- officials and citizens -------------------------------------------------------------------


def file_atr(case_id: str, text: str, by: str, ports: EscalationPorts) -> dict:
    """An official's action-taken report for the current level. It does not close the case:
    the citizen is asked next."""
    text, by = (text or "").strip(), (by or "").strip()
    if not text:
        raise CaseError("the action-taken report needs a text saying what was done")
    if len(text) > MAX_ATR_CHARS:
        raise CaseError(f"the action-taken report is longer than {MAX_ATR_CHARS} characters")
    if not by:
        raise CaseError("say who files the report (--by OFFICIAL)")
    case = _need(ports, case_id)
    if case["status"] == "resolved":
        raise CaseError(f"{case_id} is already resolved (confirmed by the citizen)")
    holder = (case.get("holder") or {}).get("official_id")
    if holder != by:
        raise CaseError(
            f"{case_id} is at L{case.get('level')} with {holder or 'nobody yet'}, not {by}"
        )
    round_ = int(case["round"])
    signal = case.get("signals", {}).get("atr") or {}
    if int(signal.get("round", -1)) == round_:
        _deliver_recorded(case, "atr", round_, ports)  # in case its delivery failed
        raise CaseError(f"an action-taken report was already filed at L{case['level']}")
    at = _iso(ports.clock())
    atr = {"round": round_, "text": text, "by": by, "at": at, "delivered": False}
    level = int(case["level"])
    entry = _entry(at, by, "atr_filed", level, level, "action_taken", text=text)
    updated = ports.cases.set_signal(case_id, "atr", round_, atr, entry)
    if updated is None:
        raise CaseError(f"{case_id} moved on while the report was being filed; show it again")
    delivery = _deliver_if_ready(updated, "atr", round_, ports)
    return {
        "case_id": case_id,
        "level": level,
        "filed_at": at,
        "next": "citizen confirmation",
        "delivery": delivery,
    }


def record_confirmation(detail: dict, ports: EscalationPorts) -> dict:
    """A ``CaseConfirmation``: the citizen's answer after an ATR. Stale or repeated answers
    change nothing (and say why)."""
    case_id = str(detail.get("case_id") or "")
    if not case_id or not isinstance(detail.get("resolved"), bool):
        raise CaseError("CaseConfirmation needs case_id and a boolean resolved")
    case = ports.cases.get(case_id)
    if case is None:
        return {"case_id": case_id, "result": "unknown_case"}
    round_ = int(case.get("round", 0))
    if case["status"] == "resolved":
        return {"case_id": case_id, "result": "already_resolved"}
    if int((case.get("signals", {}).get("atr") or {}).get("round", -1)) != round_:
        return {"case_id": case_id, "result": "no_report_pending"}
    if detail.get("round") is not None:  # one question per round: at L4, one per ATR
        if _number(detail["round"]) != round_:
            return {"case_id": case_id, "result": "answer_for_an_earlier_round"}
    elif "level" in detail and detail["level"] not in (None, case["level"]):
        return {"case_id": case_id, "result": "answer_for_an_earlier_level"}
    answer = {
        "round": round_,
        "resolved": detail["resolved"],
        "channel": str(detail.get("channel") or ""),
        "received_at": str(detail.get("received_at") or _iso(ports.clock())),
        "delivered": False,
    }
    level = int(case["level"])
    what = "citizen_confirmed_resolved" if detail["resolved"] else "citizen_not_resolved"
    entry = _entry(
        answer["received_at"], "citizen", what, level, level, what, channel=answer["channel"]
    )
    updated = ports.cases.set_signal(case_id, "confirmation", round_, answer, entry)
    if updated is None:  # answered before: this may be its event again, after a failed delivery
        current = ports.cases.get(case_id) or {}
        redone = _deliver_recorded(current, "confirmation", round_, ports)
        return {"case_id": case_id, "result": redone or "already_answered"}
    return {"case_id": case_id, "result": _deliver_if_ready(updated, "confirmation", round_, ports)}


def _number(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def transfer(case_id: str, department: str, by: str, reason: str, ports: EscalationPorts) -> dict:
    """Move the case to another department's holder at the same level. Logged, and the clock
    keeps running: the deadline and the waiting state machine are untouched."""
    department, by, reason = department.strip(), by.strip(), reason.strip()
    if not (department and by and reason):
        raise CaseError("a transfer needs --to DEPARTMENT, --by OFFICIAL and --reason")
    case = _need(ports, case_id)
    if case["status"] == "resolved":
        raise CaseError(f"{case_id} is resolved")
    if (case.get("holder") or {}).get("official_id") != by:
        raise CaseError(f"only the current holder can transfer {case_id}")
    level = int(case["level"])
    moved = {**case, "department": department}
    holder = directory.holder_for(
        ports.config.latest(resources.ESCALATION_DIRECTORY_CONFIG), level, moved
    )
    at = _iso(ports.clock())
    view = {
        "level": level,
        "official_id": holder.official_id,
        "name": holder.name,
        "title": holder.title,
    }
    entry = _entry(
        at,
        by,
        "transferred",
        level,
        level,
        "transferred",
        text=reason,
        holder=holder.official_id,
        note=f"to department {department}; deadline unchanged",
    )
    if not ports.cases.append(case_id, int(case["round"]), {"holder": view}, entry):
        raise CaseError(f"{case_id} moved on during the transfer; show it again")
    return {
        "case_id": case_id,
        "level": level,
        "holder": holder.official_id,
        "deadline": case.get("deadline"),
    }


def show(case_id: str, ports: EscalationPorts) -> dict:
    """The case as an operator sees it: no tokens, the audit trail in order."""
    case = _need(ports, case_id)
    hidden = {"waits", "execution_input", "assignment", "signals"}
    view = {k: v for k, v in case.items() if k not in hidden}
    view["level_title"] = LEVELS.get(int(case.get("level") or 0), "")
    return view


def _need(ports: EscalationPorts, case_id: str) -> dict:
    case = ports.cases.get(case_id)
    if case is None:
        raise CaseError(f"no such case: {case_id}")
    return case
