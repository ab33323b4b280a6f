"""Citizens who call in: the inbound flow played as Amazon Connect would, against the real
inbound IVR handler on the local stack.

``InboundCaller.call(keys, phone)`` walks ``infra/connect/inbound_flow.json`` with
``local.contact_flow``; every Lambda block invokes ``functions/inbound_ivr`` with Connect's
``ContactFlowEvent`` for an inbound contact (a fresh ContactId per call unless given, so a
replay with the same id is what Connect's retries look like).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections import Counter
from collections.abc import Iterable

from samvad import resources
from samvad_dev.local.cloud import ACCOUNT, REGION, REPO_ROOT, LocalCloud
from samvad_dev.local.contact_flow import FlowRun, run_flow
from samvad_dev.local.voice_messages import record_voice_message

INBOUND_NUMBER = "+911800000155"
"""The toll-free number citizens dial (local stand-in for the claimed DID)."""


@functools.cache
def inbound_flow() -> dict:
    """The deployed inbound flow, with a stand-in for the function's ARN."""
    text = (REPO_ROOT / "infra" / "connect" / "inbound_flow.json").read_text(encoding="utf-8")
    return json.loads(text.replace("${InboundIvrFunctionArn}", "local:inbound_ivr"))


class InboundCaller:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.counts: Counter[str] = Counter()

    def call(
        self, keys: Iterable[str | None], phone: str, contact_id: str | None = None
    ) -> FlowRun:
        contact_id = contact_id or str(uuid.uuid4())
        self.counts["ivr_calls"] += 1
        run = run_flow(
            inbound_flow(),
            lambda parameters, attributes: self._invoke(contact_id, phone, parameters, attributes),
            keys,
            {},
        )
        if run.recorded and self.cloud.env.get(resources.CONNECT_RECORDINGS_ENV):
            record_voice_message(self.cloud, contact_id)  # as Connect does when the call ends
            self.counts["voice_messages_recorded"] += 1
        return run

    def _invoke(self, contact_id: str, phone: str, parameters: dict, attributes: dict) -> dict:
        event = {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "Attributes": attributes,
                    "Channel": "VOICE",
                    "ContactId": contact_id,
                    "InitialContactId": contact_id,
                    "InitiationMethod": "INBOUND",
                    "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"},
                    "InstanceARN": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/local-simulator",
                    "SystemEndpoint": {"Address": INBOUND_NUMBER, "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": parameters,
            },
        }
        return self.cloud.invoke("inbound_ivr", event)
