"""The call desk's telephony and hand-back: a bridged call through Amazon Connect (or,
locally, a simulated contact centre), and a no-answer's next attempt handed to the
dispatcher through a one-time EventBridge Scheduler schedule."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client

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


class SchedulerRequeue:
    """A dispatch message delivered to the dispatch queue at a time: one schedule per name
    (a repeat is a ``ConflictException``: the same hand-over, already scheduled)."""

    def __init__(self, queue_arn: str, role_arn: str, client: Any = None) -> None:
        self._arn = queue_arn
        self._role = role_arn
        self._client = make_client("scheduler", client)

    def later(self, message: dict, at: dt.datetime, name: str) -> None:
        when = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        try:
            self._client.create_schedule(
                Name="c-" + hashlib.sha256(name.encode()).hexdigest()[:48],
                GroupName=resources.DISPATCH_SCHEDULE_GROUP,
                ScheduleExpression=f"at({when})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._arn,
                    "RoleArn": self._role,
                    "Input": json.dumps(message, sort_keys=True),
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 10},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise
