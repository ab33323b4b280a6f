"""The SMS keywords on the two-way number: ``GRV`` registers, ``STATUS`` looks up.

``handle_keyword`` answers one inbound SMS that ``keywords.parse_keyword`` recognised; the
reply goes once per inbound message (claimed before sending). An SMS grievance names its
office by code; the department, office name and district come from the intake's directory.
A code that names no office, or a message without its text, is kept in the rejects and gets
the help text (nothing is lost; the contact centre sees it).
"""

from __future__ import annotations

import hashlib
from typing import Any

from samvad import messages
from samvad.grievances import relay
from samvad.grievances.keywords import Keyword
from samvad.grievances.model import Registration, StatusView, Submission
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.references import parse_reference
from samvad.grievances.register import register, reject
from samvad.grievances.status import status
from samvad.grievances.texts import status_words


def handle_keyword(keyword: Keyword, inbound: dict[str, Any], ports: GrievancePorts) -> str:
    """One keyword SMS; returns what happened (one word, for counting)."""
    phone = str(inbound.get("originationNumber") or "")
    body = str(inbound.get("messageBody") or "")
    message_id = (
        str(inbound.get("inboundMessageId") or "")
        or hashlib.sha256(f"{phone}|{body}".encode()).hexdigest()[:32]
    )
    now = ports.clock()
    if keyword.kind == "status":
        return _status(keyword, phone, message_id, ports)
    reference = parse_reference(keyword.office_code or "")
    if reference is not None and keyword.text:  # GRV <reference> <answer>: a relayed answer
        return relay.answer(ports, reference, phone, keyword.text)
    offices = (
        ports.offices.find(keyword.office_code) if keyword.office_code and ports.offices else []
    )
    office = offices[0] if len(offices) == 1 else None
    submission = Submission(
        channel="sms",
        phone=phone,
        department=str((office or {}).get("department") or ""),
        service="",
        office_code=keyword.office_code,
        category="other",
        text=keyword.text,
        voice_key=None,
        language=keyword.language,
        source_id=message_id,
        district=str((office or {}).get("district") or ""),
    )
    if keyword.problem or office is None:
        field = keyword.problem or "office_code"
        why = {
            "office_code": "no office has this code" if keyword.office_code else "no office code",
            "text": "the grievance has no text",
        }[field]
        reject(ports, submission, "invalid", field, why, now)
        _reply_once(ports, phone, message_id, "grievance_help", keyword.language)
        return "grievance_not_understood"
    result = register(ports, submission, now)
    if isinstance(result, Registration):
        return "grievance_folded" if result.folded else "grievance_registered"
    if result.reason == "invalid":
        _reply_once(ports, phone, message_id, "grievance_help", keyword.language)
    return f"grievance_{result.reason}"


def _status(keyword: Keyword, phone: str, message_id: str, ports: GrievancePorts) -> str:
    if keyword.reference is None:
        _reply_once(ports, phone, message_id, "grievance_help", keyword.language)
        return "status_not_understood"
    view = status(ports, keyword.reference, phone)
    language = keyword.language
    if not isinstance(view, StatusView):
        if view.reason != "rate_limited":
            _reply_once(ports, phone, message_id, "grievance_status_refused", language)
        return f"status_{view.reason}"
    if language == "en":  # ASCII "STATUS": answer in the language the grievance was made in
        language = view.language
    words = status_words(view, language)
    _reply_once(ports, phone, message_id, "grievance_status", language, ref=view.reference, **words)
    return "status_sent"


def _reply_once(
    ports: GrievancePorts, phone: str, message_id: str, template: str, language: str, **values: str
) -> bool:
    if ports.sms is None or ports.policy is None:
        return False
    now = int(ports.clock().timestamp())
    _stored, created = ports.store.claim(
        f"once#reply#sms#{message_id}", {"template": template, "expires_at": now + 30 * 86400}, now
    )
    if created:
        ports.sms.send(phone, messages.sms(template, language, **values), ports.policy)
    return created
