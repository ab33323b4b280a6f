"""The Feedback table (``resources.FEEDBACK``): one answer per contact key, the first wins."""

from __future__ import annotations

import time
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain, to_item, written

DAY = 86400


class DynamoFeedback:
    """Feedback items (``resources.FEEDBACK``): the first answer for a key wins."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def put_new(self, key: str, item: dict[str, Any]) -> bool:
        record = {**item, "visit_key": key, "published": False}
        record["expires_at"] = int(time.time()) + self._ttl
        return written(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(record),
                ConditionExpression="attribute_not_exists(visit_key)",
            )
        )

    def get(self, key: str) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table, Key={"visit_key": {"S": key}}, ConsistentRead=True
        ).get("Item")
        return plain(item) if item else None

    def mark_published(self, key: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"visit_key": {"S": key}},
            UpdateExpression="SET published = :y",
            ExpressionAttributeValues={":y": {"BOOL": True}},
        )
