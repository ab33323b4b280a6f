"""The Uploads table (``resources.UPLOADS``): the intake ledger, one item per object version."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from samvad.adapters.aws import client as make_client


class DynamoLedger:
    """One item per uploaded object version: status, attempts and the final report."""

    def __init__(
        self,
        table: str,
        client: Any = None,
        retention_days: int = 400,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * 86400
        self._clock = clock

    def finished_report(self, upload_id: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"upload_id": {"S": upload_id}}, ConsistentRead=True
        ).get("Item")
        if item and item.get("status", {}).get("S") == "COMPLETED":
            return json.loads(item["report"]["S"])
        return None

    def started(self, upload_id: str, meta: dict) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET #s = :s, meta = :m, expires_at = :t ADD attempts :one",
            ConditionExpression="attribute_not_exists(#s) OR #s <> :done",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": "IN_PROGRESS"},
                ":done": {"S": "COMPLETED"},
                ":m": {"S": json.dumps(meta)},
                ":one": {"N": "1"},
                ":t": {"N": str(int(self._clock()) + self._ttl)},
            },
        )

    def finished(self, upload_id: str, report: dict) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET #s = :s, report = :r",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": "COMPLETED"},
                ":r": {"S": json.dumps(report, default=str)},
            },
        )

    def chunk_done(self, upload_id: str, chunk: int, chunks: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET chunks = :n ADD chunks_done :c",
            ExpressionAttributeValues={":n": {"N": str(chunks)}, ":c": {"NS": [str(chunk)]}},
        )

    def failed(self, upload_id: str, reason: str) -> None:
        """Mark FAILED with the reason, unless the upload completed meanwhile (then no-op)."""
        # a finished upload stays finished: its report stands
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._mark_failed(upload_id, reason)

    def _mark_failed(self, upload_id: str, reason: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET #s = :s, failure = :r",
            ConditionExpression="attribute_not_exists(#s) OR #s <> :done",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": "FAILED"},
                ":r": {"S": reason},
                ":done": {"S": "COMPLETED"},
            },
        )

    def progress(self, upload_id: str) -> tuple[int, int]:
        """(chunks done, chunks): what a person watching the upload sees."""
        item = self._client.get_item(
            TableName=self._table, Key={"upload_id": {"S": upload_id}}, ConsistentRead=True
        ).get("Item", {})
        return len(item.get("chunks_done", {}).get("NS", [])), int(
            item.get("chunks", {}).get("N", "0")
        )
