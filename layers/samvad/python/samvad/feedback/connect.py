"""The survey contact flow's Lambda invocations (Amazon Connect's ``ContactFlowEvent``).

The flow calls with ``Parameters.action`` (see docs/contracts.md): ``prompts`` (the texts or
recorded-prompt names for the contact's language), ``record`` (the keyed answers),
``confirm`` (resolved 1/2 for a case confirmation) or ``opt_out`` (the "never call me again"
key). The contact attributes are the ones notify set when it placed the call. Connect wants a
flat map of strings back; every response carries the prompt map, because the flow speaks its
closing words from ``$.External``, which each invocation replaces.
"""

from __future__ import annotations

from typing import Any

from samvad import messages
from samvad.feedback.answers import Answers
from samvad.feedback.service import FeedbackPorts, opt_out, record_confirmation, record_survey


def handle_connect(event: dict[str, Any], ports: FeedbackPorts) -> dict[str, str]:
    details = event.get("Details") or {}
    contact = details.get("ContactData") or {}
    attributes = contact.get("Attributes") or {}
    params = details.get("Parameters") or {}
    prompts = messages.prompts_for_contact(attributes)
    return {**prompts, **_act(params.get("action") or "record", contact, attributes, params, ports)}


def _act(
    action: str, contact: dict, attributes: dict, params: dict, ports: FeedbackPorts
) -> dict[str, str]:
    if action == "prompts":
        return {"status": "prompts"}
    if action == "opt_out":
        phone = (contact.get("CustomerEndpoint") or {}).get("Address", "")
        if not phone:
            return {"status": "no_phone"}
        opt_out(phone, "ivr", ports)
        return {"status": "opted_out"}
    visit_key = attributes.get("visit_key", "")
    if not visit_key:
        return {"status": "no_visit"}
    keyed = messages.ivr_answers(params)
    if action == "confirm":
        if keyed.resolved is None:
            return {"status": "no_answer"}
        result = record_confirmation(
            attributes.get("case_id", ""),
            int(attributes.get("round") or 1),
            visit_key,
            keyed.resolved,
            "ivr_call",
            ports,
        )
        return {"status": result.status}
    if action != "record":
        return {"status": "unknown_action"}
    answers = Answers(
        rating=keyed.rating,
        work_done=keyed.work_done,
        bribe_asked=keyed.bribe_asked,
        wants_officer=keyed.wants_officer,
    )
    if answers.empty and not answers.wants_officer:
        return {"status": "no_answers"}
    result = record_survey(
        visit_key,
        answers,
        attributes.get("channel") or "ivr_call",
        messages.normalise_language(attributes.get("language")),
        ports,
        run_date=attributes.get("run_date", ""),
    )
    return {"status": result.status, "poor": "true" if result.poor else "false"}
