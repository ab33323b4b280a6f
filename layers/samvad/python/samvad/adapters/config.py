"""The Config table (``resources.CONFIG``): versioned documents (plan, settings, directory)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from samvad.adapters.aws import client as make_client

SUPERSEDED_DAYS = 90
"""A replaced version (officials' names, phones, e-mails in the escalation directory) is kept
this long after it was replaced, then expires (TTL ``expires_at``); the current version and
its copy (version 0) never expire (docs/data-protection.md)."""


class DynamoConfig:
    """Versioned documents: version 0 holds a copy of the latest, versions 1..n the history."""

    def __init__(
        self,
        table: str,
        client: Any = None,
        superseded_days: int = SUPERSEDED_DAYS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._superseded = superseded_days * 86_400
        self._now = now
        self._kept: dict[str, tuple[str, str]] = {}  # name → (version, document text)

    def latest(self, name: str) -> dict | None:
        """The latest version, read whole only when its number is not the one kept from
        the last read (the escalation directory is 100 KB and more; a warm function reads
        it on every assignment): every call still sees a version published just before."""
        head = self._client.get_item(
            TableName=self._table,
            Key={"name": {"S": name}, "version": {"N": "0"}},
            ConsistentRead=True,
            ProjectionExpression="#l",
            ExpressionAttributeNames={"#l": "latest"},
        ).get("Item")
        if head is None:
            return None
        kept = self._kept.get(name)
        if kept is None or "latest" not in head or kept[0] != head["latest"]["N"]:
            item = self._client.get_item(
                TableName=self._table,
                Key={"name": {"S": name}, "version": {"N": "0"}},
                ConsistentRead=True,
            ).get("Item")
            if item is None:
                return None
            kept = (item.get("latest", {}).get("N", ""), item["document"]["S"])
            self._kept[name] = kept
        return json.loads(kept[1])  # a fresh copy: callers may change what they get

    def publish(self, name: str, document: dict, author: str = "cli") -> int:
        """Store a new version atomically; fails if someone published in between."""
        current = self._client.get_item(
            TableName=self._table,
            Key={"name": {"S": name}, "version": {"N": "0"}},
            ConsistentRead=True,
        ).get("Item")
        previous = int(current["latest"]["N"]) if current else 0
        version = previous + 1
        body = {"S": json.dumps(document, ensure_ascii=False, sort_keys=True)}
        now = self._now()
        stamp = {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        head_condition = (
            {
                "ConditionExpression": "latest = :prev",
                "ExpressionAttributeValues": {":prev": {"N": str(previous)}},
            }
            if current
            else {
                "ConditionExpression": "attribute_not_exists(#n)",
                "ExpressionAttributeNames": {"#n": "name"},
            }
        )
        superseded = [
            {
                "Update": {  # the version this one replaces starts to expire
                    "TableName": self._table,
                    "Key": {"name": {"S": name}, "version": {"N": str(previous)}},
                    "UpdateExpression": "SET expires_at = :t",
                    "ExpressionAttributeValues": {":t": {"N": str(int(now) + self._superseded)}},
                }
            }
        ]
        self._client.transact_write_items(
            TransactItems=[
                *(superseded if previous else []),
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {
                            "name": {"S": name},
                            "version": {"N": str(version)},
                            "document": body,
                            "author": {"S": author},
                            "published_at": stamp,
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {
                            "name": {"S": name},
                            "version": {"N": "0"},
                            "document": body,
                            "latest": {"N": str(version)},
                            "author": {"S": author},
                            "published_at": stamp,
                        },
                        **head_condition,
                    }
                },
            ]
        )
        return version
