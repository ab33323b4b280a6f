"""SMS to a grievance's citizen sent by the function that may send SMS, on request.

The workspace may not send SMS on AWS (its role holds no ``sns:Publish`` to phone numbers),
so when it registers a grievance for a caller or relays an official's question, it publishes
``GrievanceSmsRequested`` instead: ids only (the message id, the template, the reference,
the language), never a phone or a text. The feedback function receives it (a rule on the
bus → an SQS queue with a dead-letter queue) and ``send_requested`` resolves the phone
server-side from the grievance's visit item, claims the message id and sends: at most once per
message id, however often the request is published or delivered (an SMS that SNS refuses
gives its claim back, so the queue's retry sends it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from samvad import messages, resources
from samvad.grievances.model import VISIT_PREFIX, GrievanceError
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.references import parse_reference

TEMPLATES = frozenset({"grievance_registered", "grievance_folded", "grievance_question"})
"""The SMS a function without SMS rights may ask for (each takes ``ref``; the question a
``link`` to the status page too)."""
STATUS_PATH = "/g/status"
CLAIM_DAYS = 30


def message_id(key: str) -> str:
    """A request's id from the sender's own idempotency key (hashed: no channel ids leak)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def request_sms(
    ports: GrievancePorts, template: str, reference: str, language: str, key: str
) -> str:
    """Publish the request for ``template`` to the citizen of ``reference``; the same ``key``
    always gives the same message id, so a replay is sent at most once. Returns the id."""
    if template not in TEMPLATES:
        raise GrievanceError("template", f"{template!r} is not an SMS that can be requested")
    detail = {
        "message_id": message_id(key),
        "template": template,
        "reference": reference,
        "language": language,
    }
    ports.events.publish(resources.GRIEVANCE_SMS_REQUESTED, detail)
    return detail["message_id"]


def status_link(ports: GrievancePorts) -> str:
    """The public status page: ``https://<link_host>/g/status`` when the notify settings name
    a short host (an SMS variable holds 30 characters), else ``<feedback URL>/g/status``."""
    host = ports.policy.link_host if ports.policy is not None else ""
    if host:
        return f"https://{host.split('://', 1)[-1].rstrip('/')}{STATUS_PATH}"
    return ports.status_url or STATUS_PATH


def send_requested(ports: GrievancePorts, detail: Mapping[str, Any]) -> str:
    """Send one requested SMS: ``sent``, ``sent_already`` (this message id was claimed
    before), ``no_phone`` (erased, or no such grievance) or ``no_sms`` (SMS not configured).
    A request that is not one raises ``GrievanceError`` naming the field (to the DLQ)."""
    template = str(detail.get("template") or "")
    if template not in TEMPLATES:
        raise GrievanceError("template", f"{template!r} is not an SMS that can be requested")
    reference = parse_reference(str(detail.get("reference") or ""))
    if reference is None:
        raise GrievanceError("reference", "is not a grievance reference")
    identifier = str(detail.get("message_id") or "")
    if not identifier.isalnum() or len(identifier) > 64:
        raise GrievanceError("message_id", "must be the request's id (letters and digits)")
    if ports.sms is None or ports.policy is None:
        return "no_sms"
    phone = ports.citizens.phone(VISIT_PREFIX + reference)
    if not phone:
        return "no_phone"
    language = str(detail.get("language") or "or")
    variables = {"ref": reference}
    if template == "grievance_question":
        variables["link"] = status_link(ports)
    text = messages.sms(template, language, **variables)  # a bad link fails before the claim
    now = int(ports.clock().timestamp())
    key, claim = f"once#request#{identifier}", {"reference": reference, "template": template}
    _stored, created = ports.store.claim(key, claim | {"expires_at": now + CLAIM_DAYS * 86400}, now)
    if not created:
        return "sent_already"
    try:
        ports.sms.send(phone, text, ports.policy)
    except Exception:  # refused (throttled, an SNS error): not sent, so the retry may send
        ports.store.put(key, claim | {"expires_at": now - 1})  # an expired claim is free
        raise
    return "sent"
