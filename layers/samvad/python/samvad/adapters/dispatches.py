"""The dispatch ledger (``resources.DISPATCHES``): ``state`` and ``attempt#NN`` per contact."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain, written
from samvad.dispatch.service import FINAL_STATUSES, Contact

DAY = 86400


def _entry(attempt: int) -> str:
    return f"attempt#{attempt:02d}"


class DynamoDispatchLedger:
    """``state`` and ``attempt#NN`` items per contact key; see ``resources.DISPATCHES``."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def _key(self, key: str, entry: str) -> dict:
        return {"visit_key": {"S": key}, "entry": {"S": entry}}

    def _expires(self) -> dict:
        return {"N": str(int(time.time()) + self._ttl)}

    def claim(self, contact: Contact, now: dt.datetime, stale_before: dt.datetime) -> bool:
        """Two conditional writes, no transaction: the contact must not be finished, and the
        attempt must be free (new, released, or stale). A race lost on the second write leaves
        ``state`` as the winner wrote it (the same attempt number), so nothing is undone.

        The attempt carries this claim's own id: when the SDK retried the write after an
        answer lost in transit (the first try applied), the retry's refusal is our own claim
        and is recognised as such, not mistaken for another invocation's (which would drop
        the contact as a duplicate)."""
        claim_id = uuid.uuid4().hex
        finals = {f":f{i}": {"S": s} for i, s in enumerate(FINAL_STATUSES)}

        def claim_both() -> None:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(contact.key, "state"),
                UpdateExpression="SET #s = :progress, attempts = :n, #k = :k, "
                "updated_at = :now, expires_at = :exp",
                ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
                + ", ".join(finals)
                + ")",
                ExpressionAttributeNames={"#s": "status", "#k": "kind"},
                ExpressionAttributeValues={
                    ":progress": {"S": "in_progress"},
                    ":n": {"N": str(contact.attempt)},
                    ":k": {"S": contact.kind},
                    ":now": {"S": now.isoformat()},
                    ":exp": self._expires(),
                    **finals,
                },
            )
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(contact.key, _entry(contact.attempt)),
                    "outcome": {"S": "claimed"},
                    "claim_id": {"S": claim_id},
                    "channel": {"S": contact.channel},
                    "claimed_at": {"S": now.isoformat()},
                    "message": {"S": json.dumps(contact.to_message())},
                    "expires_at": self._expires(),
                },
                ConditionExpression="attribute_not_exists(entry) OR outcome = :unplaced OR "
                "(outcome = :claimed AND claimed_at < :stale)",
                ExpressionAttributeValues={
                    ":unplaced": {"S": "unplaced"},
                    ":claimed": {"S": "claimed"},
                    ":stale": {"S": stale_before.isoformat()},
                },
            )

        if written(claim_both):
            return True
        mine = self._get(contact.key, _entry(contact.attempt)) or {}
        return mine.get("claim_id") == claim_id and mine.get("outcome") == "claimed"

    def placed(self, contact: Contact, outcome: str, reference: str, now: dt.datetime) -> None:
        names, values = {"#o": "outcome"}, {":o": {"S": outcome}, ":t": {"S": now.isoformat()}}
        expression = "SET #o = :o, placed_at = :t"
        if reference:  # an index key may not be an empty string
            expression += ", #ref = :r"  # a reserved word
            names["#ref"] = "reference"
            values[":r"] = {"S": reference}
        self._client.update_item(
            TableName=self._table,
            Key=self._key(contact.key, _entry(contact.attempt)),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def unplaced(self, contact: Contact, reason: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(contact.key, _entry(contact.attempt)),
            UpdateExpression="SET #o = :u, #why = :r",
            ExpressionAttributeNames={"#o": "outcome", "#why": "reason"},
            ExpressionAttributeValues={":u": {"S": "unplaced"}, ":r": {"S": reason}},
        )

    def state(self, key: str) -> dict | None:
        return self._get(key, "state")

    def attempt(self, key: str, attempt: int) -> dict | None:
        item = self._get(key, _entry(attempt))
        if item and "message" in item:
            item["message"] = json.loads(item["message"])
        return item

    def _get(self, key: str, entry: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._key(key, entry), ConsistentRead=True
        ).get("Item")
        return plain(item) if item else None

    def ended(self, key: str, attempt: int, outcome: str, now: dt.datetime) -> bool:
        return written(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(key, _entry(attempt)),
                UpdateExpression="SET #o = :o, ended_at = :t",
                ConditionExpression="#o = :placed",
                ExpressionAttributeNames={"#o": "outcome"},
                ExpressionAttributeValues={
                    ":o": {"S": outcome},
                    ":t": {"S": now.isoformat()},
                    ":placed": {"S": "placed"},
                },
            )
        )

    def settle(self, key: str, attempt: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(key, _entry(attempt)),
            UpdateExpression="SET settled = :y",
            ExpressionAttributeValues={":y": {"BOOL": True}},
        )

    def finish(self, key: str, status: str, channel: str, now: dt.datetime) -> bool:
        finals = {f":f{i}": {"S": s} for i, s in enumerate(FINAL_STATUSES)}
        return written(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(key, "state"),
                UpdateExpression="SET #s = :s, final_channel = :c, finished_at = :t, "
                "expires_at = :exp",
                ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
                + ", ".join(finals)
                + ")",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":s": {"S": status},
                    ":c": {"S": channel},
                    ":t": {"S": now.isoformat()},
                    ":exp": self._expires(),
                    **finals,
                },
            )
        )

    def by_reference(self, reference: str) -> tuple[str, int] | None:
        items = self._client.query(
            TableName=self._table,
            IndexName=resources.BY_REFERENCE_INDEX.name,
            KeyConditionExpression="#ref = :r",
            ExpressionAttributeNames={"#ref": "reference"},
            ExpressionAttributeValues={":r": {"S": reference}},
        )["Items"]
        for item in items:
            entry = item["entry"]["S"]
            if entry.startswith("attempt#"):
                return item["visit_key"]["S"], int(entry.split("#", 1)[1])
        return None
