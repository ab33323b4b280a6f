"""EventBridge publisher for domain events (``IntakeCompleted`` …)."""

from __future__ import annotations

import json
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client


class EventBridgePublisher:
    def __init__(self, bus: str, client: Any = None) -> None:
        self._bus = bus
        self._client = make_client("events", client)

    def publish(self, detail_type: str, detail: dict) -> None:
        response = self._client.put_events(
            Entries=[
                {
                    "Source": resources.EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str, ensure_ascii=False),
                    "EventBusName": self._bus,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused {detail_type}: {response['Entries']}")
