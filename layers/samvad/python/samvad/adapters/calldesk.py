"""The call desk's telephony and hand-back: a bridged call through Amazon Connect (or,
locally, a simulated contact centre), and a no-answer's next attempt put back on the
official's call list by a one-time EventBridge Scheduler schedule; after the last one, the SMS
survey handed to the dispatcher the same way (``SchedulerDispatchHandOff``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import to_item
from samvad.adapters.queues import one_time_schedule

BRIDGE_ATTRIBUTE = "samvad_bridge_to"
"""The contact attribute the bridge flow transfers to (the citizen's number; Connect keeps
contact attributes in its own encrypted records, never in Samvad's logs or events)."""


class ConnectCallBridge:
    """``StartOutboundVoiceContact`` to the official's phone into the bridge contact flow,
    which then transfers to the citizen with the contact centre's number shown to both."""

    def __init__(
        self, instance_id: str, flow_id: str, source_phone: str, client: Any = None
    ) -> None:
        self._instance = instance_id
        self._flow = flow_id
        self._source = source_phone
        self._client = make_client("connect", client)

    def bridge(self, official_phone: str, citizen_phone: str, reference: str) -> str:
        request = {
            "InstanceId": self._instance,
            "ContactFlowId": self._flow,
            "DestinationPhoneNumber": official_phone,
            "Attributes": {BRIDGE_ATTRIBUTE: citizen_phone},
            "ClientToken": hashlib.sha256(reference.encode()).hexdigest()[:64],
        }
        if self._source:
            request["SourcePhoneNumber"] = self._source
        return str(self._client.start_outbound_voice_contact(**request)["ContactId"])


PLACED: dict[str, tuple[str, str]] = {}
"""Contact id → (the official's phone, the citizen's): the simulated calls of this process."""


class SimulatedCallBridge:
    """The local stack's contact centre: the call is "placed" (a stable contact id per
    reference) and kept in this process for the telephony simulator and tests."""

    def bridge(self, official_phone: str, citizen_phone: str, reference: str) -> str:
        contact_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"samvad-bridge/{reference}"))
        PLACED.setdefault(contact_id, (official_phone, citizen_phone))
        return contact_id


PUT_ITEM_TARGET = "arn:aws:scheduler:::aws-sdk:dynamodb:putItem"
"""EventBridge Scheduler's universal target for DynamoDB ``PutItem``: the schedule's input is
the request itself, so no function runs when a call returns to the desk."""
DAY = 86400


class SchedulerRequeue:
    """A call-list entry put on the official's list (``CallLists``) at a time, by a one-time
    schedule in the dispatch group that calls DynamoDB's ``PutItem`` as ``role_arn``; one
    schedule per name (a repeat is a ``ConflictException``: the same hand-back, already
    scheduled). The entry holds no phone number (a visit key, its stratum and language)."""

    def __init__(
        self, table: str, role_arn: str, retention_days: int = 400, client: Any = None
    ) -> None:
        self._table = table
        self._role = role_arn
        self._ttl = retention_days * DAY
        self._client = make_client("scheduler", client)

    def later(self, entry: dict, at: dt.datetime, name: str) -> None:
        item = {k: v for k, v in entry.items() if k != "expires_at"}
        item["expires_at"] = int(at.timestamp()) + self._ttl
        request = {"TableName": self._table, "Item": to_item(item)}
        target = {
            "Arn": PUT_ITEM_TARGET,
            "RoleArn": self._role,
            "Input": json.dumps(request, sort_keys=True),
        }
        one_time_schedule(
            self._client, "c-" + hashlib.sha256(name.encode()).hexdigest()[:48], at, target
        )


class SchedulerDispatchHandOff:
    """A dispatch message put on the dispatch queue at a time, by a one-time schedule in the
    dispatch group whose target is the queue itself (SQS ``SendMessage`` as ``role_arn``, the
    deferred dispatches' role; undeliverable: ``dead_letter_arn``); one schedule per name (a
    repeat is a ``ConflictException``: the same hand-over, already scheduled). The workspace
    function may create the schedule but not send to the queue itself. The message holds no
    phone number (a visit key, its language, the official who called)."""

    def __init__(
        self, queue_arn: str, role_arn: str, dead_letter_arn: str = "", client: Any = None
    ) -> None:
        self._queue = queue_arn
        self._role = role_arn
        self._dead_letters = (
            {"DeadLetterConfig": {"Arn": dead_letter_arn}} if dead_letter_arn else {}
        )
        self._client = make_client("scheduler", client)

    def later(self, message: dict, at: dt.datetime, name: str) -> None:
        target = {
            "Arn": self._queue,
            "RoleArn": self._role,
            "Input": json.dumps(message, sort_keys=True),
            **self._dead_letters,
        }
        one_time_schedule(
            self._client, "s-" + hashlib.sha256(name.encode()).hexdigest()[:48], at, target
        )
