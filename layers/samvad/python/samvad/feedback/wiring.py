"""Build the feedback ports from settings and route each kind of invocation."""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from typing import Any

from samvad import clock, resources
from samvad.adapters.acknowledgements import DynamoAcknowledgements
from samvad.adapters.contacts import DynamoContacts
from samvad.adapters.dispatches import DynamoDispatchLedger
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.feedback import DynamoFeedback
from samvad.adapters.feedback_links import DynamoLinks
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.sms import SnsSms
from samvad.adapters.visits import DynamoVisits
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.wiring import current_policy
from samvad.feedback.connect import handle_connect
from samvad.feedback.service import FeedbackPorts
from samvad.feedback.sms import handle_sms_reply
from samvad.feedback.web import WebRequest, handle_web, request_body
from samvad.grievances.ports import GrievancePorts
from samvad.link_tokens import LinkSigner
from samvad.logs import logger_for
from samvad.pii import PhoneHasher
from samvad.settings import FeedbackSettings

_log = logger_for("feedback")


@functools.cache
def feedback_ports(settings: FeedbackSettings) -> FeedbackPorts:
    days = settings.retention_days
    return FeedbackPorts(
        store=DynamoFeedback(settings.feedback_table, retention_days=days),
        visits=DynamoVisits(settings.visits_table),
        contacts=DynamoContacts(settings.contacts_table, retention_days=days),
        events=EventBridgePublisher(settings.event_bus),
        hasher=PhoneHasher(secret_bytes(settings.phone_hash_secret_id)),
        links=DynamoLinks(
            settings.links_table,
            LinkSigner(secret_bytes(settings.link_secret_id)),
            "",  # feedback redeems links; dispatch issues them
        ),
        ledger=DynamoDispatchLedger(settings.dispatches_table, retention_days=days),
        sms=SnsSms(),
        acks=DynamoAcknowledgements(settings.contacts_table),
        clock=clock.now,
    )


def kind_of(event: dict[str, Any]) -> str:
    """``connect``, ``sms`` (SNS records), ``web`` (function URL), ``requests`` (SQS records:
    SMS requested by the workspace) or ``unknown``."""
    if event.get("Name") == "ContactFlowEvent" or "ContactData" in (event.get("Details") or {}):
        return "connect"
    records = event.get("Records") or []
    if records and records[0].get("EventSource") == "aws:sns":
        return "sms"
    if records and records[0].get("eventSource") == "aws:sqs":
        return "requests"  # SMS the workspace asked for (``requested_sms``)
    if event.get("version") == "2.0" and "requestContext" in event:
        return "web"
    return "unknown"


def connect_invocation(event: dict, settings: FeedbackSettings) -> dict[str, str]:
    return handle_connect(event, _ports(settings))


def sms_replies(event: dict, settings: FeedbackSettings) -> list[str]:
    ports = _ports(settings)
    return [handle_sms_reply(json.loads(r["Sns"]["Message"]), ports) for r in event["Records"]]


def web_request(event: dict, settings: FeedbackSettings) -> dict:
    """A Lambda function URL request (payload 2.0) → its response."""
    http = event["requestContext"]["http"]
    body = request_body(event.get("body") or "", bool(event.get("isBase64Encoded")))
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    request = WebRequest(
        method=http["method"].upper(),
        path=event.get("rawPath") or http.get("path", "/"),
        query=dict(event.get("queryStringParameters") or {}),
        body=body,
        content_type=headers.get("content-type", ""),
        source=str(http.get("sourceIp") or ""),
    )
    if request.path.startswith("/atr/"):
        return _atr_request(request)
    response = handle_web(request, _ports(settings))
    return {"statusCode": response.status, "headers": response.headers, "body": response.body}


def _atr_request(request: WebRequest) -> dict:
    """An official's old signed ATR link: retired (``samvad.escalation.http``)."""
    from samvad.escalation.http import handle_atr_request

    status, response_headers, body = handle_atr_request(request.method, request.path)
    return {"statusCode": status, "headers": response_headers, "body": body}


def _ports(settings: FeedbackSettings) -> FeedbackPorts:
    policy = current_policy(settings.config_table)
    return replace(
        feedback_ports(settings),
        policy=policy,
        grievances=grievance_ports_for(settings, policy),
        schemes=_schemes(settings, policy),
    )


def _schemes(settings: FeedbackSettings, policy: NotifyPolicy) -> Any:
    """Scheme requests by SMS (``samvad.schemes``): notices from config, subscriptions on the
    Contacts table."""
    from samvad.adapters.scheme_subscribers import DynamoSubscribers
    from samvad.schemes.service import SchemePorts

    ports = feedback_ports(settings)
    return SchemePorts(
        config=_config(settings.config_table), sms=ports.sms or SnsSms(), policy=policy,
        hasher=ports.hasher, subscribers=DynamoSubscribers(settings.contacts_table),
        opt_outs=ports.contacts, clock=clock.now,
    )  # fmt: skip


@functools.cache
def _config(table: str) -> Any:
    from samvad.adapters.config import DynamoConfig

    return DynamoConfig(table)


def grievance_ports_for(settings: FeedbackSettings, policy: NotifyPolicy) -> GrievancePorts | None:
    """The grievance ports, when the stack gives this function the Grievances table."""
    if not settings.grievances_table:
        return None
    from samvad.adapters.grievances import DirectoryOffices
    from samvad.grievances.wiring import grievance_ports

    ports = grievance_ports(
        grievances_table=settings.grievances_table,
        visits_table=settings.visits_table,
        cases_table=settings.cases_table,
        config_table=settings.config_table,
        rate_limits_table=settings.rate_limits_table,
        event_bus=settings.event_bus,
        phone_hash_secret_id=settings.phone_hash_secret_id,
    )
    offices = DirectoryOffices(settings.directory_table, lambda: _departments(ports))
    return replace(ports, policy=policy, offices=offices, status_url=_status_url(settings))


def _status_url(settings: FeedbackSettings) -> str:
    """The public status page on the feedback function URL (its base from the stack)."""
    from samvad.grievances.outbox import STATUS_PATH

    return f"{settings.feedback_url.rstrip('/')}{STATUS_PATH}" if settings.feedback_url else ""


def requested_sms(event: dict, settings: FeedbackSettings) -> dict:
    """SQS records, each an EventBridge ``GrievanceSmsRequested`` (``grievances.outbox``):
    the SMS the workspace may not send. Failed records are retried, then dead-lettered."""
    from samvad.grievances.outbox import send_requested

    ports = grievance_ports_for(settings, current_policy(settings.config_table))
    failures, outcomes = [], []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            if body.get("detail-type") != resources.GRIEVANCE_SMS_REQUESTED or ports is None:
                raise ValueError(f"not an SMS request: {body.get('detail-type')!r}")
            outcomes.append(send_requested(ports, body.get("detail") or {}))
        except Exception as error:
            _log.warning("SMS request failed", extra={"error": type(error).__name__})
            failures.append({"itemIdentifier": record["messageId"]})
    _log.info("SMS requests", extra={"outcomes": outcomes})
    return {"batchItemFailures": failures}


def _departments(ports: GrievancePorts) -> list[str]:
    from samvad.grievances.catalogue import departments

    return sorted(departments(ports.config))
