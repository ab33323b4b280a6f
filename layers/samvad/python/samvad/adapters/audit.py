"""The workspace's audit log in the ``Audit`` table: append-only, one partition per day.

``pk`` is ``day#<YYYY-MM-DD>`` (UTC), ``sk`` is ``<ISO time>#<random>``; each entry is written
with ``attribute_not_exists`` so nothing is ever overwritten, and nothing here updates or
deletes. Entries expire after ``retention_days`` (TTL ``expires_at``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from typing import Any

from samvad.adapters.aws import client as make_client

DAY = 86400
AUDIT_RETENTION_DAYS = 7 * 365


class DynamoAuditLog:
    def __init__(
        self, table: str, client: Any = None, retention_days: int = AUDIT_RETENTION_DAYS
    ) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def append(self, entry: dict) -> None:
        at = str(entry["at"])
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"day#{at[:10]}"},
                "sk": {"S": f"{at}#{secrets.token_hex(6)}"},
                "entry": {"S": json.dumps(entry, ensure_ascii=False, sort_keys=True)},
                "expires_at": {"N": str(int(time.time()) + self._ttl)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def append_once(self, entry: dict, key: str, unless: tuple[str, ...] = ()) -> bool:
        """Write ``entry`` under the sort key ``key`` (its day's partition) in one
        transaction with a check that none of ``unless`` exists; False if any key is taken
        (the entry was written before: a replay)."""
        items: list[dict] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **_key(key),
                        "entry": {"S": json.dumps(entry, ensure_ascii=False, sort_keys=True)},
                        "expires_at": {"N": str(int(time.time()) + self._ttl)},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        items += [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": _key(other),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for other in unless
        ]
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons") or []
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                return False
            raise
        return True

    def recent(self, today: dt.date, days: int, limit: int) -> list[dict]:
        """The ``days`` days' entries ending ``today`` (UTC), newest first, at most ``limit``."""
        found: list[dict] = []
        for back in range(days):
            day = (today - dt.timedelta(days=back)).isoformat()
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"day#{day}"}},
                ScanIndexForward=False,
            )
            for page in pages:
                found.extend(json.loads(item["entry"]["S"]) for item in page["Items"])
                if len(found) >= limit:
                    return found[:limit]
        return found


def _key(sort_key: str) -> dict:
    """An entry's key: the day of its sort key's time is the partition."""
    return {"pk": {"S": f"day#{sort_key[:10]}"}, "sk": {"S": sort_key}}


class DynamoCallAttempts:
    """The call desk's attempts per list and visit (``pk`` ``calldesk#<list id>``), in the
    same table: what an official's call gave, when to try again."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def for_list(self, list_id: str) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"calldesk#{list_id}"}},
            ConsistentRead=True,
        )
        for page in pages:
            for item in page["Items"]:
                visit_key = item["sk"]["S"].rsplit("#", 1)[0]
                found.setdefault(visit_key, []).append(json.loads(item["attempt"]["S"]))
        return found

    def record_as(self, list_id: str, visit_key: str, number: int, attempt: dict) -> bool:
        """Store ``attempt`` as number ``number`` (a conditional write); False if taken."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"calldesk#{list_id}"},
                    "sk": {"S": f"{visit_key}#{number:02d}"},
                    "attempt": {"S": json.dumps(attempt, sort_keys=True)},
                    "expires_at": {"N": str(int(time.time()) + self._ttl)},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
