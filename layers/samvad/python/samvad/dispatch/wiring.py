"""Build the dispatch ports from settings and route one queue message to the right step."""

from __future__ import annotations

import functools
import json
import time
from dataclasses import replace

from samvad import clock, resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.contacts import DynamoContacts
from samvad.adapters.dispatches import DynamoDispatchLedger
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.feedback_links import DynamoLinks
from samvad.adapters.queues import Deferrer
from samvad.adapters.rate_limits import DynamoRateLimiter
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.sms import AtMostOnceSms
from samvad.adapters.telephony import ConnectTelephony
from samvad.adapters.visits import DynamoVisits
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import DispatchPorts, Result, call_ended, check_call, dispatch
from samvad.link_tokens import LinkSigner
from samvad.ports import Telephony
from samvad.settings import DispatchSettings

POLICY_TTL_SECONDS = 300.0


@functools.cache
def dispatch_ports(settings: DispatchSettings) -> DispatchPorts:
    days = settings.retention_days
    return DispatchPorts(
        ledger=DynamoDispatchLedger(settings.dispatches_table, retention_days=days),
        visits=DynamoVisits(settings.visits_table),
        contacts=DynamoContacts(settings.contacts_table, retention_days=days),
        sms=AtMostOnceSms(),
        links=DynamoLinks(
            settings.links_table,
            LinkSigner(secret_bytes(settings.link_secret_id)),
            settings.feedback_url,
        ),
        limiter=DynamoRateLimiter(settings.rate_limits_table),
        deferrer=Deferrer(
            settings.dispatch_queue_url,
            settings.dispatch_queue_arn,
            settings.scheduler_role_arn,
            max_sqs_delay=0 if clock.simulated() else None,
            dead_letter_arn=settings.deferred_dead_letter_arn,
        ),
        events=EventBridgePublisher(settings.event_bus),
        policy=NotifyPolicy(),
        telephony=telephony(settings),
        clock=clock.now,
        sleep=clock.sleep,
    )


def telephony(settings: DispatchSettings) -> Telephony | None:
    """Amazon Connect when an instance is configured; the local citizen simulator when the
    local runtime says so; else None (voice contacts go by SMS)."""
    if settings.connect_instance_id:
        return ConnectTelephony(
            settings.connect_instance_id, settings.connect_flow_id, settings.connect_source_phone
        )
    if settings.telephony_simulator_queue_url:
        from samvad.adapters.simulated import SimulatedTelephony

        return SimulatedTelephony(settings.telephony_simulator_queue_url)
    return None


@functools.cache
def _policy_source(config_table: str) -> DynamoConfig:
    return DynamoConfig(config_table)


_policy_cache: dict[str, tuple[float, NotifyPolicy]] = {}


def current_policy(config_table: str) -> NotifyPolicy:
    """The published notify settings, re-read at most every five minutes."""
    cached = _policy_cache.get(config_table)
    if cached and time.monotonic() - cached[0] < POLICY_TTL_SECONDS:
        return cached[1]
    policy = NotifyPolicy.from_document(
        _policy_source(config_table).latest(resources.NOTIFY_CONFIG)
    )
    _policy_cache[config_table] = (time.monotonic(), policy)
    return policy


def handle_queue_message(body: str, settings: DispatchSettings) -> Result:
    """A dispatch message, or an Amazon Connect contact event routed to the same queue."""
    document = json.loads(body)
    ports = replace(dispatch_ports(settings), policy=current_policy(settings.config_table))
    if document.get("source") == "aws.connect":
        return call_ended(document.get("detail") or {}, ports)
    if document.get("check_call"):
        return check_call(document, ports)
    return dispatch(document, ports)
