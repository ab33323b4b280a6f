"""Questions and answers between an official and an anonymous citizen, through the system.

The official's question goes on the case's audit trail (``question_sent``) and the citizen
gets an SMS pointing to the status page, where the question is shown after the one-time
code; the citizen answers by SMS ``GRV <reference> <answer>`` (``answer_received`` on the
trail). The phone is resolved here, server-side, from the grievance's visit item, and never
shown to the official. Each question is sent at most once (claimed before the SMS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from samvad import messages
from samvad.grievances.model import VISIT_PREFIX, GrievanceError
from samvad.grievances.outbox import request_sms, status_link
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.rules import checked_phone

MAX_QUESTION = 500
MAX_ANSWER = 1000


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def ask(ports: GrievancePorts, case: dict, question: str, by: str) -> dict:
    """Relay ``question`` from official ``by`` to the citizen of grievance ``case``."""
    question = " ".join((question or "").split())
    if not question:
        raise GrievanceError("question", "write the question for the citizen")
    if len(question) > MAX_QUESTION:
        raise GrievanceError("question", f"at most {MAX_QUESTION} characters")
    reference = str(case.get("reference") or "")
    if case.get("case_type") != "grievance" or not reference:
        raise GrievanceError("case_id", "questions are relayed for inbound grievances only")
    now = ports.clock()
    digest = hashlib.sha256(question.encode()).hexdigest()[:16]
    _stored, created = ports.store.claim(
        f"once#ask#{case['case_id']}#{case.get('round', 0)}#{digest}",
        {"by": by, "at": _iso(now)},
        int(now.timestamp()),
    )
    if not created:  # asked before: a request lost to a crash is published again (sent once)
        if ports.sms_by_request:
            _request(ports, case, reference, digest)
        return {"case_id": case["case_id"], "sent": False, "reason": "asked_already"}
    level = int(case.get("level") or 0)
    entry = {
        "at": _iso(now), "who": by, "what": "question_sent", "from_level": level,
        "to_level": level, "reason": "relay", "text": question,
    }  # fmt: skip
    ports.cases.append(case["case_id"], int(case.get("round") or 0), {}, entry)
    if ports.sms_by_request:  # the feedback function sends it (``outbox``)
        _request(ports, case, reference, digest)
        return {"case_id": case["case_id"], "sent": True}
    phone = ports.citizens.phone(VISIT_PREFIX + reference)
    sent = False
    if phone and ports.sms is not None and ports.policy is not None:
        language = str(case.get("language") or "or")
        text = messages.sms("grievance_question", language, ref=reference, link=status_link(ports))
        ports.sms.send(phone, text, ports.policy)
        sent = True
    return {"case_id": case["case_id"], "sent": sent}


def _request(ports: GrievancePorts, case: dict, reference: str, digest: str) -> None:
    language = str(case.get("language") or "or")
    key = f"ask#{case['case_id']}#{case.get('round', 0)}#{digest}"
    request_sms(ports, "grievance_question", reference, language, key)


def answer(ports: GrievancePorts, reference: str, phone: str, text: str) -> str:
    """The citizen's answer by SMS: on the case's trail when the phone is the grievance's."""
    text = " ".join((text or "").split())[:MAX_ANSWER]
    record = ports.store.get(f"ref#{reference}") or {}
    try:
        phone_hash = ports.hasher(checked_phone(phone))
    except GrievanceError:
        return "no_match"
    if not hmac.compare_digest(str(record.get("phone_hash", "")), phone_hash):
        return "no_match"
    case = ports.cases.get(str(record.get("case_id") or ""))
    if case is None or not text:
        return "no_case" if case is None else "empty"
    level = int(case.get("level") or 0)
    entry = {
        "at": _iso(ports.clock()), "who": "citizen", "what": "answer_received",
        "from_level": level, "to_level": level, "reason": "relay", "text": text,
    }  # fmt: skip
    ports.cases.append(str(case["case_id"]), int(case.get("round") or 0), {}, entry)
    return "answer_received"
