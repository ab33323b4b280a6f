"""Two-way SMS: a citizen's reply (End User Messaging → SNS topic → this function).

A message that starts with a grievance keyword (``GRV``, ``STATUS``, in any of the three
languages) goes to ``samvad.grievances.sms`` first and is never read as a survey answer;
one that starts with ``SCHEME`` (``योजना``, ``ଯୋଜନା``) to ``samvad.schemes`` next.

The inbound message names the number it came from and ``previousPublishedMessageId``, the
last message we sent to that number: that finds the contact (survey or confirmation) in the
dispatch ledger; failing that, the last SMS contact remembered for the number. The reply is
parsed in the contact's context (``4 Y`` for a survey, ``1``/``2`` for a confirmation,
``STOP`` any time, in ASCII, Odia or Devanagari) and acknowledged by SMS, within the caps of
``samvad.feedback.acks`` (one "not understood" per contact, a few acknowledgements a day).
"""

from __future__ import annotations

from typing import Any

from samvad import messages
from samvad.dispatch.service import Contact, MessageError
from samvad.feedback.acks import may_acknowledge
from samvad.feedback.answers import Answers
from samvad.feedback.service import FeedbackPorts, opt_out, record_confirmation, record_survey
from samvad.grievances.keywords import parse_keyword, script_of
from samvad.grievances.sms import handle_keyword
from samvad.logs import logger_for
from samvad.schemes.service import sms_request

log = logger_for("feedback")


def handle_sms_reply(inbound: dict[str, Any], ports: FeedbackPorts) -> str:
    """Handle one inbound SMS; returns what happened (one word, for counting)."""
    phone = inbound.get("originationNumber") or ""
    body = inbound.get("messageBody") or ""
    if not phone:
        return "no_sender"
    keyword = parse_keyword(body)  # GRV/STATUS before any survey reading ("GRV … stop …")
    if keyword is not None and ports.grievances is not None:
        return handle_keyword(keyword, inbound, ports.grievances)
    if ports.schemes is not None:  # SCHEME <keyword>, SCHEME ON/OFF (samvad.schemes)
        done = sms_request(body, phone, script_of(body), ports.schemes)
        if done is not None:
            return f"scheme_{done}"
    phone_hash = ports.hasher(phone)
    contact = _contact_of(inbound, phone_hash, ports)
    kind = (contact or {}).get("kind") or "survey"
    reply = messages.parse_reply(
        body, expecting="confirmation" if kind == "confirmation" else "feedback"
    )
    language = messages.normalise_language((contact or {}).get("language"))
    if reply.kind == "stop":
        if ports.contacts.opted_out(phone_hash):
            return "already_opted_out"
        opt_out(phone, "sms", ports)
        _send(phone, "opt_out_ack", language, ports)
        return "opted_out"
    if contact is None:
        log.info("an SMS reply with no contact to attach it to")
        return "no_contact"
    if reply.kind == "confirm" and kind == "confirmation":
        result = record_confirmation(
            contact["case_id"],
            int(contact.get("round") or 1),
            contact["visit_key"],
            bool(reply.resolved),
            "sms",
            ports,
        )
    elif reply.kind == "feedback" and kind == "survey":
        answers = Answers(
            rating=reply.rating, work_done=reply.work_done, bribe_asked=reply.bribe_asked
        )
        result = record_survey(
            contact["visit_key"],
            answers,
            "sms",
            language,
            ports,
            run_date=contact.get("run_date", ""),
        )
    else:
        template = "not_understood_confirmation" if kind == "confirmation" else "not_understood"
        _ack(phone, phone_hash, f"not_understood#{_key_of(contact)}", template, language, ports)
        return "not_understood"
    if result.status == "recorded":
        _ack(phone, phone_hash, f"thanks#{_key_of(contact)}", "thanks", language, ports)
    return result.status


def _contact_of(inbound: dict, phone_hash: str, ports: FeedbackPorts) -> dict | None:
    """The dispatch message of the contact this reply answers, if it was sent to this phone."""
    reference = inbound.get("previousPublishedMessageId") or ""
    ledger = ports.ledger
    found = ledger.by_reference(reference) if reference and ledger is not None else None
    if found is not None and ledger is not None:
        message = (ledger.attempt(*found) or {}).get("message")
    else:
        message = ports.contacts.last_sms(phone_hash)
    if not message:
        return None
    visit = ports.visits.get(message["visit_key"]) or {}
    if visit.get("phone_hash") != phone_hash:
        log.warning("an SMS reply from a number the contact was not sent to")
        return None
    return message


def _key_of(contact: dict) -> str:
    """The contact a reply answers: a survey per visit, a confirmation per case and round."""
    try:
        return Contact.from_message(contact).key
    except MessageError:
        return str(contact.get("visit_key"))


def _ack(
    phone: str, phone_hash: str, key: str, template: str, language: str, ports: FeedbackPorts
) -> None:
    """Acknowledge once per ``key``, within the number's daily cap."""
    if ports.acks is None or not may_acknowledge(ports.acks, phone_hash, key, ports.clock()):
        log.info("an SMS acknowledgement withheld (sent already, or the day's cap reached)")
        return
    _send(phone, template, language, ports)


def _send(phone: str, template: str, language: str, ports: FeedbackPorts) -> None:
    if ports.sms is None or ports.policy is None:
        return
    ports.sms.send(phone, messages.sms(template, language), ports.policy)
