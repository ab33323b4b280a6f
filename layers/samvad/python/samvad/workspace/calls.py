"""The call desk: today's list for me with progress, the bridged **Call** (the contact centre
rings the official, then the citizen), recording what each call gave (answers → the feedback
domain, channel ``official_call``; no answer/busy → back on my own list for the next attempt,
at the dispatch policy's spacing and within its number of attempts), and the audited reveal
of a number, the only response with a phone in clear.

A call handed back is a call-list entry put on the list of the retry's day (India time) when
the retry is due (``Requeue``: a one-time schedule): it carries the attempt now due
(``attempt``) and how many attempts earlier days' lists hold (``earlier``). Until then the
desk shows the call as ``requeued``; then as ``retry``. After the last unanswered attempt,
when the dispatch policy has ``sms_fallback``, the citizen gets the SMS survey: an ``sms``
dispatch message handed to the dispatcher (``DispatchHandOff``), once per visit; the desk
shows ``sms_sent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from samvad import resources
from samvad.feedback import service as feedback
from samvad.feedback.answers import AnswerError, Answers
from samvad.phones import mask
from samvad.workspace.errors import BadRequest, Conflict, NotFound
from samvad.workspace.policy import authorize
from samvad.workspace.ports import DispatchHandOff, WorkspacePorts, audit, iso
from samvad.workspace.roles import Official

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
CALL_OUTCOMES = ("answered", "no_answer", "busy", "wrong_number", "refused")
RETRYABLE = ("no_answer", "busy")
REPORTED_AS = {"answered": "answered", "refused": "answered", "wrong_number": "failed"}
"""A desk outcome as the reports' ``ContactOutcome`` counts it (refused: reached, no survey)."""
FALLBACK_DELAY = dt.timedelta(minutes=1)
"""The SMS fallback's schedule is set this far ahead (a one-time schedule needs a future time)."""


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
        status = _call_status(entry, done, tries, ports)
        phone = str(visit.get("phone") or "")
        calls.append(
            {
                "visit_key": key,
                **{f: str(visit.get(f) or "") for f in VISIT_VIEW},
                "language": str(visit.get("language") or entry.get("language") or "or"),
                "phone": mask(phone) if phone else "",
                "status": status["status"],
                "retry_at": status.get("retry_at", ""),
                "attempts": _earlier(entry) + len(tries),
                "script": survey_script(str(visit.get("language") or "or"), visit),
            }
        )
    finished = ("done", "unreachable", "sms_sent", "closed", "requeued")
    done_count = sum(1 for c in calls if c["status"] in finished)
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


def _earlier(entry: Mapping[str, Any]) -> int:
    """Attempts made on earlier days' lists, for a call handed back to this one."""
    return int(entry.get("earlier") or 0)


def _call_status(
    entry: Mapping[str, Any], done: dict | None, tries: list[dict], ports: WorkspacePorts
) -> dict:
    if done:
        return {"status": "done"}
    made = _earlier(entry) + len(tries)
    if not tries:
        return {"status": "retry" if made else "to_call"}
    last = tries[-1]
    if last["outcome"] not in RETRYABLE:
        return {"status": "closed"}
    if made >= ports.call_attempts_max or not last.get("retry_at"):
        return {"status": "sms_sent" if last.get("sms_fallback") else "unreachable"}
    if last.get("requeued") and int(entry.get("attempt") or 1) <= made:
        return {"status": "requeued", "retry_at": last["retry_at"]}  # not back on the list yet
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
    spacing; after the last attempt, the SMS survey if the policy falls back to SMS),
    ``wrong_number``/``refused`` (closed)."""
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
        # A request repeated after a later failure finds its answered attempt stored: the
        # same number again (the tally counts it once), and nothing more stored.
        tries = ports.call_attempts.for_list(list_id).get(visit_key, [])
        stored = bool(tries) and tries[-1]["outcome"] == "answered"
        number = _earlier(entry) + len(tries) + (0 if stored else 1)
        _publish_contact(official, visit_key, number, "answered", ports)
        if not stored:  # False: a concurrent request stored this answer as the same number
            ports.call_attempts.record_as(
                list_id, visit_key, number, {"outcome": outcome, "at": iso(now)}
            )
        audit(ports, official, "call_outcome", visit_key, outcome=outcome)
        return {"visit_key": visit_key, "status": recorded.status, "poor": recorded.poor}
    tries = ports.call_attempts.for_list(list_id).get(visit_key, [])
    if _call_status(entry, None, tries, ports)["status"] == "requeued":
        raise Conflict(f"{visit_key} is handed back for a later attempt; it returns to your list")
    made = _earlier(entry) + len(tries)
    if made >= ports.call_attempts_max:
        raise Conflict(f"{visit_key} has had its {made} calls: there is no attempt left")
    number = made + 1
    retry_at = ""
    fallback = False
    if outcome in RETRYABLE and number < ports.call_attempts_max:
        if outcome == "busy":
            wait = dt.timedelta(minutes=ports.busy_retry_minutes)
        else:
            spacing = ports.retry_after_hours or (2.0,)
            wait = dt.timedelta(hours=spacing[min(made, len(spacing) - 1)])
        at = ports.calling_hours.next_open(now + wait)
        retry_at = iso(at)
        _hand_back(official, entry, list_id, number, at, ports)
    elif outcome in RETRYABLE and ports.dispatch is not None and ports.sms_fallback:
        _fall_back_to_sms(official, entry, number, ports, ports.dispatch)
        fallback = True
    if retry_at or fallback:
        _publish_contact(official, visit_key, number, outcome, ports, final=False)
    else:
        reported = REPORTED_AS.get(outcome, "gave_up")  # the last unanswered call: given up
        _publish_contact(official, visit_key, number, reported, ports)
    attempt: dict[str, Any] = {"outcome": outcome, "at": iso(now), "retry_at": retry_at}
    if ports.requeue is not None and retry_at:
        attempt["requeued"] = True
    if fallback:
        attempt["sms_fallback"] = True
    if not ports.call_attempts.record_as(list_id, visit_key, number, attempt):
        raise Conflict(f"attempt {number} on {visit_key} was just recorded; reload the list")
    audit(
        ports, official, "call_outcome", visit_key, outcome=outcome, sms_fallback=fallback or None
    )
    result = {"visit_key": visit_key, "status": outcome, "attempt": number, "retry_at": retry_at}
    return result | ({"sms_fallback": True} if fallback else {})


ENTRY_FIELDS = ("visit_key", "channel", "stratum", "visit_date", "district", "language")
"""What a call-list entry holds (``CallLists``), copied onto the list it returns to."""


def _hand_back(
    official: Official,
    entry: Mapping[str, Any],
    list_id: str,
    number: int,
    at: dt.datetime,
    ports: WorkspacePorts,
) -> None:
    """Put the call back on my list of the retry's day when the retry is due, as attempt
    ``number + 1``; scheduled before the attempt is stored: a request repeated after a
    failure finds the same attempt number and the same schedule name, so the hand-back is
    neither lost nor doubled."""
    if ports.requeue is None:
        return
    day = at.astimezone(IST).date().isoformat()
    returned = {f: entry[f] for f in ENTRY_FIELDS if entry.get(f) not in (None, "")}
    returned_to = f"{day}#{official.official_id}"
    returned |= {
        "list_id": returned_to,
        "attempt": number + 1,
        "earlier": _earlier(entry) if returned_to == list_id else number,
        "returned_at": iso(at),
    }
    ports.requeue.later(returned, at, f"calldesk#{entry['visit_key']}#{number + 1}")


def _publish_contact(
    official: Official,
    visit_key: str,
    number: int,
    outcome: str,
    ports: WorkspacePorts,
    final: bool = True,
) -> None:
    """``ContactOutcome`` for the desk's call ``number``, as the dispatcher publishes one for
    each of its calls: the reports count the survey's reach from it (the tally keys it by
    visit and attempt, so a repeated request's event counts once). No phone number; none
    for a visit that is not kept (erased: nothing to count it under)."""
    visit = ports.visits.get(visit_key)
    if not visit:
        return
    detail: dict[str, Any] = {
        "visit_key": visit_key,
        "kind": "survey",
        "channel": "official_call",
        "attempt": number,
        "outcome": outcome,
        "final": final,
        "at": ports.clock().isoformat(),
        "run_date": run_date(ports),
        "caller": official.official_id,
    }
    for name in ("department", "service", "office_code", "district", "official_id"):
        detail[name] = str(visit.get(name) or "")
    ports.feedback.events.publish(resources.CONTACT_OUTCOME, detail)


def _fall_back_to_sms(
    official: Official,
    entry: Mapping[str, Any],
    number: int,
    ports: WorkspacePorts,
    dispatcher: DispatchHandOff,
) -> None:
    """After the last unanswered call (``number``), the SMS survey, sent by the dispatcher
    (its pacing, DLT template, opt-outs, calling hours and ledger) as the contact's attempt
    ``number + 1``, the number its own fallback would give. Handed over before the attempt
    is stored, under one schedule name per visit: a request repeated after a failure hands
    over the same message again, which the Scheduler refuses (same name) and the ledger's
    claim on that attempt would not send twice."""
    key = str(entry["visit_key"])
    visit = ports.visits.get(key) or {}
    language = str(visit.get("language") or entry.get("language") or "").strip("-")
    message = {
        "kind": "survey",
        "visit_key": key,
        "channel": "sms",
        "attempt": number + 1,
        "run_date": run_date(ports),
        "caller": official.official_id,
        "language": language,
    }
    at = ports.calling_hours.next_open(ports.clock() + FALLBACK_DELAY)
    dispatcher.later(message, at, f"calldesk-sms#{key}")


def place_call(official: Official, visit_key: str, ports: WorkspacePorts) -> dict:
    """**Call**: a bridged call through the contact centre. The official's registered phone
    (the directory's) rings first, then the citizen is joined; neither sees the other's
    number, and neither number is in the response or the audit."""
    authorize(official, "calls.dial")
    entry = _on_my_list(official, visit_key, ports)
    list_id = _list_id(official, ports)
    tries = ports.call_attempts.for_list(list_id).get(visit_key, [])
    done = ports.feedback.store.get(visit_key)
    status = _call_status(entry, done, tries, ports)["status"]
    if status not in ("to_call", "retry"):
        raise Conflict(f"{visit_key} is {status}: there is no call to place")
    if ports.bridge is None:
        raise Conflict("no telephony is configured here: call from your own phone")
    directory = ports.escalation.config.latest(resources.ESCALATION_DIRECTORY_CONFIG) or {}
    own = str(
        ((directory.get("officials") or {}).get(official.official_id) or {}).get("phone") or ""
    )
    if not own:
        raise Conflict("you have no registered phone in the directory to ring first")
    citizen = str((ports.visits.get(visit_key) or {}).get("phone") or "")
    if not citizen:
        raise NotFound(f"no number is kept for {visit_key}")
    number = _earlier(entry) + len(tries) + 1
    contact_id = ports.bridge.bridge(own, citizen, f"{list_id}#{visit_key}#{number}")
    audit(ports, official, "call_placed", visit_key, contact_id=contact_id)
    return {"visit_key": visit_key, "contact_id": contact_id, "status": "ringing_you"}


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
