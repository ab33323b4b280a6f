"""The Contacts table (``resources.CONTACTS``): a citizen's opt-out, last sampling and last SMS."""

from __future__ import annotations

import json
import time
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import Batches

DAY = 86400


class DynamoContacts:
    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._batches = Batches(self._client)
        self._ttl = retention_days * DAY

    def lookup(self, phone_hashes: list[str]) -> dict[str, dict]:
        if not phone_hashes:
            return {}
        items = self._batches.get(self._table, [{"phone_hash": {"S": h}} for h in phone_hashes])
        return {
            i["phone_hash"]["S"]: {
                "opted_out": i.get("opted_out", {}).get("BOOL", False),
                "last_sampled": i.get("last_sampled", {}).get("S"),
            }
            for i in items
        }

    def mark_sampled(self, phone_hashes: list[str], run_date: str) -> None:
        expires = str(int(time.time()) + self._ttl)
        for phone_hash in phone_hashes:
            self._client.update_item(
                TableName=self._table,
                Key={"phone_hash": {"S": phone_hash}},
                UpdateExpression="SET last_sampled = :d, expires_at = :t",
                ExpressionAttributeValues={":d": {"S": run_date}, ":t": {"N": expires}},
            )

    def opted_out(self, phone_hash: str) -> bool:
        item = self._client.get_item(
            TableName=self._table, Key={"phone_hash": {"S": phone_hash}}, ConsistentRead=True
        ).get("Item")
        return bool(item and item.get("opted_out", {}).get("BOOL"))

    def remember_sms(self, phone_hash: str, message: dict) -> None:
        """The last SMS contact sent to this citizen: an SMS reply without a reference
        (``previousPublishedMessageId``) is attached to it."""
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="SET last_sms = :m",
            ExpressionAttributeValues={":m": {"S": json.dumps(message, sort_keys=True)}},
        )

    def last_sms(self, phone_hash: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"phone_hash": {"S": phone_hash}}, ConsistentRead=True
        ).get("Item")
        return json.loads(item["last_sms"]["S"]) if item and "last_sms" in item else None

    def opt_out(self, phone_hash: str, when: str) -> None:
        """Record STOP for good (no expiry)."""
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="SET opted_out = :y, opted_out_at = :w REMOVE expires_at",
            ExpressionAttributeValues={":y": {"BOOL": True}, ":w": {"S": when}},
        )
