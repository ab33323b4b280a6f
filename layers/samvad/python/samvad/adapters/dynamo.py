"""DynamoDB adapters: visits (batched), the upload ledger, the directory and versioned config."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

BATCH_WRITE = 25
BATCH_GET = 100
MAX_ATTEMPTS = 10
THROTTLES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
}


class IncompleteBatch(RuntimeError):
    """Items stayed unprocessed after every retry; the caller's message will be redelivered."""


class Batches:
    """BatchWriteItem and BatchGetItem with UnprocessedItems/Keys and throttling retried.

    Backoff is exponential with full jitter (AWS's advice); after ``MAX_ATTEMPTS`` the
    remaining work raises ``IncompleteBatch`` rather than being dropped.
    """

    def __init__(
        self,
        client=None,
        sleep: Callable[[float], None] = time.sleep,
        base_delay: float = 0.05,
        max_delay: float = 5.0,
    ):
        self._client = make_client("dynamodb", client)
        self._sleep = sleep
        self._base = base_delay
        self._max = max_delay
        self.requests = 0

    def write(self, table: str, items: list[dict]) -> None:
        for start in range(0, len(items), BATCH_WRITE):
            pending = {
                table: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE]]
            }
            self._until_done(
                lambda p: self._client.batch_write_item(RequestItems=p), pending, "UnprocessedItems"
            )

    def get(
        self, table: str, keys: list[dict], projection: str | None = None, names: dict | None = None
    ) -> list[dict]:
        found: list[dict] = []
        for start in range(0, len(keys), BATCH_GET):
            request: dict = {"Keys": keys[start : start + BATCH_GET], "ConsistentRead": True}
            if projection:
                request["ProjectionExpression"] = projection
            if names:
                request["ExpressionAttributeNames"] = names

            def call(pending):
                response = self._client.batch_get_item(RequestItems=pending)
                found.extend(response.get("Responses", {}).get(table, []))
                return response

            self._until_done(call, {table: request}, "UnprocessedKeys")
        return found

    def _until_done(self, call, pending: dict, unprocessed_field: str) -> None:
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                self._sleep(random.uniform(0, min(self._max, self._base * 2**attempt)))
            self.requests += 1
            try:
                response = call(pending)
            except ClientError as error:
                if error.response["Error"]["Code"] in THROTTLES:
                    continue
                raise
            pending = response.get(unprocessed_field) or {}
            if not pending:
                return
        raise IncompleteBatch(
            f"{_count(pending)} items still unprocessed after {MAX_ATTEMPTS} attempts"
        )


def _count(pending: dict) -> int:
    return sum(len(v) if isinstance(v, list) else len(v.get("Keys", [])) for v in pending.values())


class DynamoVisitStore:
    def __init__(self, table: str, client=None, batches: Batches | None = None):
        self._table = table
        self._batches = batches or Batches(client)

    def sources_of(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        items = self._batches.get(
            self._table,
            [{"visit_key": {"S": k}} for k in keys],
            projection="visit_key, source_upload, source_row",
        )
        return {
            i["visit_key"]["S"]: (i["source_upload"]["S"], int(i["source_row"]["N"])) for i in items
        }

    def put_all(self, items: list[dict]) -> None:
        self._batches.write(self._table, items)


class DynamoLedger:
    """One item per uploaded object version: status, attempts and the final report."""

    def __init__(self, table: str, client=None, retention_days: int = 400, clock=time.time):
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


class DynamoDirectory:
    """Offices and services per department; remembers which upload first named each."""

    def __init__(self, table: str, client=None, batches: Batches | None = None):
        self._table = table
        self._batches = batches or Batches(client)

    def record_new(self, department: str, entries: dict[str, dict], upload_id: str) -> list[str]:
        if not entries:
            return []
        keys = [{"department": {"S": department}, "entry": {"S": e}} for e in entries]
        known = {
            i["entry"]["S"]: i.get("first_upload", {}).get("S")
            for i in self._batches.get(self._table, keys, projection="entry, first_upload")
        }
        fresh = [e for e in entries if e not in known]
        items = []
        for entry in fresh:
            item = {
                "department": {"S": department},
                "entry": {"S": entry},
                "first_upload": {"S": upload_id},
            }
            item.update({k: {"S": v} for k, v in entries[entry].items() if v})
            items.append(item)
        if items:
            self._batches.write(self._table, items)
        return sorted(fresh + [e for e, first in known.items() if first == upload_id])


class DynamoConfig:
    """Versioned documents: version 0 holds a copy of the latest, versions 1..n the history."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def latest(self, name: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={"name": {"S": name}, "version": {"N": "0"}},
            ConsistentRead=True,
        ).get("Item")
        return json.loads(item["document"]["S"]) if item else None

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
        stamp = {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
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
        self._client.transact_write_items(
            TransactItems=[
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
