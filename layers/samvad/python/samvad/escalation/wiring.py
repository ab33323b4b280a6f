"""Build the escalation ports from the environment; route one queue message to the clerk."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable

from samvad import clock, resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.config import DynamoConfig
from samvad.adapters.notices import SnsNotices
from samvad.adapters.state_machine import StepFunctionsTasks
from samvad.adapters.visits import DynamoVisits
from samvad.escalation import cases, grievance_cases
from samvad.escalation.model import CaseError
from samvad.escalation.notices import CLERK, SENDER_ATTRIBUTE, case_page
from samvad.settings import EscalationSettings

TASKS = {"assign", "await_atr", "await_confirmation"}


def escalation_ports(settings: EscalationSettings | None = None) -> cases.EscalationPorts:
    """Ports over the stack's resources (``settings``, else the function's environment),
    built once per environment: a warm Lambda reuses them; a new local stack in the same
    process (another endpoint) gets its own."""
    settings = settings or EscalationSettings.from_env()
    return _ports_for(settings, os.environ.get("AWS_ENDPOINT_URL", ""))


@functools.lru_cache(maxsize=4)
def _ports_for(settings: EscalationSettings, endpoint: str) -> cases.EscalationPorts:
    atr_link = None
    if settings.workspace_url:

        def atr_link(case_id: str, official_id: str, deadline: dt.datetime) -> str:
            return case_page(settings.workspace_url, case_id)

    return cases.EscalationPorts(
        cases=DynamoCases(settings.cases_table),
        tasks=StepFunctionsTasks(settings.state_machine_arn),
        phone_of=DynamoVisits(settings.visits_table).phone,
        config=DynamoConfig(settings.config_table),
        atr_link=atr_link,
        grievance_of=_grievance_reader(settings.grievances_table),
        clock=clock.now,  # the local runtime's simulated time when it sets one
        notices=SnsNotices(settings.notices_topic_arn) if settings.notices_topic_arn else None,
    )


def _grievance_reader(table: str) -> Callable[[str], dict | None] | None:
    if not table:
        return None
    from samvad.adapters.grievances import DynamoGrievances

    store = DynamoGrievances(table)
    return lambda reference: store.get(f"ref#{reference}")


def handle_message(body: str, ports: cases.EscalationPorts) -> dict:
    """One SQS body: an EventBridge event (``FeedbackPoor``, ``CaseConfirmation``) or an SNS
    notification from the state machine (``task|token|state``). Malformed input raises
    ``CaseError``: the message is retried and then kept in the dead-letter queue."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError):
        raise CaseError("message body is not JSON") from None
    if not isinstance(message, dict):
        raise CaseError("message body is not a JSON object")
    if message.get("Type") == "Notification":
        if _a_notice(message):
            return {"result": "not_a_task"}  # the clerk's own notice to an official
        return _task(str(message.get("Message") or ""), ports)
    kind, detail = message.get("detail-type"), message.get("detail")
    if message.get("source") != resources.EVENT_SOURCE or not isinstance(detail, dict):
        raise CaseError("not a Samvad event (source/detail) nor a state machine task")
    if kind == resources.FEEDBACK_POOR:
        return cases.open_case(detail, ports)
    if kind == resources.CASE_CONFIRMATION:
        return cases.record_confirmation(detail, ports)
    if kind == resources.GRIEVANCE_REGISTERED:
        return grievance_cases.open_grievance_case(detail, ports)
    raise CaseError(f"unexpected event type {kind!r}")


def _a_notice(message: dict) -> bool:
    """A notice the clerk sent to an official (``sender = clerk``): the stage's queue
    subscription filters these out; should one arrive, it is not a task."""
    sender = (message.get("MessageAttributes") or {}).get(SENDER_ATTRIBUTE) or {}
    return sender.get("Value") == CLERK


def _task(text: str, ports: cases.EscalationPorts) -> dict:
    task, _, rest = text.partition("|")
    task, _, notice = task.partition(":")  # await_atr:<notice>: the clerk sends that notice
    token, _, state_json = rest.partition("|")
    if task not in TASKS or not token:
        raise CaseError(f"unknown state machine task {task!r}")
    try:
        state = json.loads(state_json)
        case_id = state["case"]["case_id"]
    except (ValueError, KeyError, TypeError):
        raise CaseError(f"state machine task {task!r} carries no case state") from None
    if task == "assign":
        output = cases.assign(state, ports)
        sent = ports.tasks.send_success(token, output)
        return {"case_id": case_id, "task": task, "result": "sent" if sent else "token_gone"}
    kind = "atr" if task == "await_atr" else "confirmation"
    result = cases.record_wait(kind, state, token, ports)
    answer = {"case_id": case_id, "task": task, "result": result}
    if notice and result == "waiting":  # the holder is told only while the ATR is awaited
        answer["notice"] = cases.send_notice(notice, state, token, ports)
    return answer
