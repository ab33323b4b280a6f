"""The local telephony adapter: calls go to a queue the citizen simulator answers.

moto has no Amazon Connect outbound API, so the local runtime sets
``TELEPHONY_SIMULATOR_QUEUE_URL`` and the notify function "dials" by queueing the call; the
simulator (``samvad_dev.local.citizens``) picks it up, plays the survey flow against the real
feedback handler as Connect would, and reports the end of the call as a Connect contact
event. The same port as ``ConnectTelephony``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from samvad.adapters.aws import client as make_client

ENDED: dict[str, dict] = {}
"""Contact id → its DISCONNECTED detail, filled by the simulator (same process locally)."""


class SimulatedTelephony:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = make_client("sqs", client)

    def start_call(self, phone: str, attributes: dict[str, str], token: str) -> str:
        contact_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"samvad-sim/{token}"))
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(
                {"contact_id": contact_id, "phone": phone, "attributes": attributes}
            ),
        )
        return contact_id

    def describe(self, contact_id: str) -> dict:
        return ENDED.get(contact_id, {"contactId": contact_id})
