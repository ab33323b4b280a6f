"""SNS topics: the reports' notices, and officials' subscriptions to case notices."""

from __future__ import annotations

import json
from typing import Any

from samvad.adapters.aws import client as make_client


class SnsNotifier:
    def __init__(self, topic_arn: str, client: Any = None) -> None:
        self._topic = topic_arn
        self._client = make_client("sns", client)

    def notify(self, subject: str, message: str) -> None:
        self._client.publish(TopicArn=self._topic, Subject=subject, Message=message)


class OfficialSubscriptions:
    """Officials' SMS and e-mail subscriptions to the notices topic, each filtered on its
    ``official_id`` so an official receives only their own cases' notices (never tokens)."""

    def __init__(self, topic_arn: str, client: Any = None) -> None:
        self._topic = topic_arn
        self._client = make_client("sns", client)

    def sync(self, officials: dict[str, dict]) -> dict[str, int]:
        existing = {
            (s["Protocol"], s["Endpoint"])
            for page in self._client.get_paginator("list_subscriptions_by_topic").paginate(
                TopicArn=self._topic
            )
            for s in page["Subscriptions"]
        }
        added = 0
        for official_id, details in officials.items():
            policy = json.dumps({"official_id": [official_id], "task": ["await_atr"]})
            for protocol, endpoint in (
                ("sms", details.get("phone")),
                ("email", details.get("email")),
            ):
                if endpoint and (protocol, endpoint) not in existing:
                    self._client.subscribe(
                        TopicArn=self._topic,
                        Protocol=protocol,
                        Endpoint=endpoint,
                        Attributes={"FilterPolicy": json.dumps(json.loads(policy))},
                    )
                    added += 1
        return {"subscriptions_added": added, "subscriptions_existing": len(existing)}
