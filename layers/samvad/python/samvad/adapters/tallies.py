"""The Tallies table (``resources.TALLIES``): report counters, each event counted once."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import number, plain, scalar, written
from samvad.reports.rollups import REVISION, Target, targets
from samvad.reports.tally import TallyUpdate

DAY = 86400
OVERDUE_PARTITION = "overdue"
RESOLVED_OVERDUE_DAYS = 30  # a resolved case leaves the overdue partition after this
MAX_ITEMS = 100
"""The most items one ``TransactWriteItems`` may hold."""


class DynamoTallies:
    """Tallies in one table: markers and their increments in one transaction.

    ``TransactWriteItems``: Put each update's marker ``<identity>`` only if absent, ADD the
    counters to the day's and the month's item of the grain and to the day's office and
    department rollups (``reports.rollups``), and set the overdue-list fields of a case. A
    repeated event fails its marker's condition and the whole transaction: nothing is counted
    twice, and nothing half-counted. ``apply_all`` writes a batch of updates this way with
    the increments of an item merged (a transaction may touch an item once, and holds at most
    ``MAX_ITEMS``); the updates whose markers were refused are dropped and the rest written
    again."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def apply(self, update: TallyUpdate) -> bool:
        return self.apply_all([update])[0]

    def apply_all(self, updates: Sequence[TallyUpdate]) -> list[bool]:
        """Apply each update unless its identity was applied before (or earlier in
        ``updates``); True for each one applied. An error other than a refused marker
        raises: the transactions written before it hold whole updates, and a repeat of the
        batch counts only the rest."""
        first: dict[str, int] = {}
        for index, update in enumerate(updates):
            first.setdefault(update.identity, index)
        applied = [False] * len(updates)
        for chunk in _chunks([updates[i] for i in first.values()]):
            for update in self._write(chunk):
                applied[first[update.identity]] = True
        return applied

    def _write(self, chunk: list[TallyUpdate]) -> list[TallyUpdate]:
        """Write ``chunk`` in one transaction; the updates written (those whose markers
        were not refused)."""
        while chunk:
            items = [self._marker(update.identity) for update in chunk]
            items += [{"Update": self._increment(*merged)} for merged in _merged(chunk)]
            items += [{"Update": self._overdue(case, fields)} for case, fields in _cases(chunk)]
            try:
                self._client.transact_write_items(TransactItems=items)
                return chunk
            except ClientError as error:
                refused = _refused(error, len(chunk))  # only markers have a condition
                if not refused:
                    raise
                chunk = [update for i, update in enumerate(chunk) if i not in refused]
        return []

    def first_time(self, identity: str) -> bool:
        return written(lambda: self._client.put_item(**self._marker(identity)["Put"]))

    def _marker(self, identity: str) -> dict:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": {"S": identity},
                    "sk": {"S": "applied"},
                    "expires_at": {"N": str(int(time.time()) + self._ttl)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _increment(self, target: Target, add: Mapping[str, Decimal], writes: int) -> dict:
        names, values, adds = {}, {}, []
        for i, (counter, amount) in enumerate(sorted(add.items())):
            names[f"#c{i}"] = counter
            values[f":c{i}"] = {"N": str(amount)}
            adds.append(f"#c{i} :c{i}")
        if target.rollup:  # the backfill's check that nothing wrote the item since it read it
            names["#rev"], values[":rev"] = REVISION, {"N": str(writes)}
            adds.append("#rev :rev")
        sets = target.attributes
        for i, (attribute, value) in enumerate(sets.items()):
            names[f"#s{i}"] = attribute
            values[f":s{i}"] = {"S": value}
        assignments = ", ".join(f"#s{i} = :s{i}" for i in range(len(sets)))
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": target.partition}, "sk": {"S": target.key}},
            "UpdateExpression": f"ADD {', '.join(adds)} SET {assignments}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _overdue(self, case_id: str, overdue: Mapping[str, object]) -> dict:
        fields = dict(overdue)
        if "resolved_at" in fields:
            fields["expires_at"] = int(time.time()) + RESOLVED_OVERDUE_DAYS * DAY
        names = {f"#o{i}": k for i, k in enumerate(fields)}
        values = {f":o{i}": scalar(v) for i, v in enumerate(fields.values())}
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": OVERDUE_PARTITION}, "sk": {"S": case_id}},
            "UpdateExpression": "SET " + ", ".join(f"#o{i} = :o{i}" for i in range(len(fields))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def replace_rollup(
        self,
        partition: str,
        key: str,
        fields: Mapping[str, str | float],
        revision: int | None,
        existed: bool,
    ) -> bool:
        """The backfill's write (``reports.backfill``): Put a rollup whole, with its revision
        + 1, only if nothing wrote it since it was read; False when refused."""
        item = {name: scalar(value) for name, value in fields.items()}
        item |= {"pk": {"S": partition}, "sk": {"S": key}}
        item[REVISION] = {"N": str((revision or 0) + 1)}
        condition: dict[str, Any] = {"ExpressionAttributeNames": {"#rev": REVISION}}
        if not existed:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        elif revision is None:
            condition["ConditionExpression"] = "attribute_exists(pk) AND attribute_not_exists(#rev)"
        else:
            condition["ConditionExpression"] = "#rev = :rev"
            condition["ExpressionAttributeValues"] = {":rev": {"N": str(revision)}}
        return written(lambda: self._client.put_item(TableName=self._table, Item=item, **condition))

    def rows(self, partition: str, prefix: str = "") -> list[dict]:
        """The tally items of a partition (those whose sort key starts with ``prefix``), as
        plain dicts without their keys."""
        condition, values = "pk = :p", {":p": {"S": partition}}
        if prefix:
            condition += " AND begins_with(sk, :s)"
            values[":s"] = {"S": prefix}
        return [
            {k: v for k, v in plain(item).items() if k not in ("pk", "sk")}
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
            for item in page["Items"]
        ]

    def overdue_cases(self) -> list[dict]:
        """Cases on the overdue list that are not resolved."""
        return [
            plain(item)
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :p",
                FilterExpression="attribute_exists(case_id) AND attribute_not_exists(resolved_at)",
                ExpressionAttributeValues={":p": {"S": OVERDUE_PARTITION}},
            )
            for item in page["Items"]
        ]


def _items_of(update: TallyUpdate) -> set[tuple[str, str]]:
    """The items an update writes besides its marker."""
    keys = {(target.partition, target.key) for target in targets(update)}
    return keys | ({(OVERDUE_PARTITION, update.case_id)} if update.overdue else set())


def _chunks(updates: list[TallyUpdate]) -> list[list[TallyUpdate]]:
    """``updates`` in order, cut where the next one's marker and new items would take a
    transaction past ``MAX_ITEMS``."""
    chunks: list[list[TallyUpdate]] = []
    taken: set[tuple[str, str]] = set()
    for update in updates:
        keys = _items_of(update)
        if not chunks or len(chunks[-1]) + len(taken | keys) + 1 > MAX_ITEMS:
            chunks.append([])
            taken = set()
        chunks[-1].append(update)
        taken |= keys
    return chunks


def _merged(chunk: list[TallyUpdate]) -> list[tuple[Target, dict[str, Decimal], int]]:
    """Each item the chunk adds to, once: its target (later updates' attributes over earlier
    ones'), the counters summed (as decimals, as DynamoDB adds them) and how many updates."""
    merged: dict[tuple[str, str], tuple[Target, dict[str, Decimal], int]] = {}
    for update in chunk:
        for target in targets(update):
            earlier, add, writes = merged.get((target.partition, target.key), (target, {}, 0))
            attributes = earlier.attributes | target.attributes
            for counter, amount in update.add.items():
                add[counter] = add.get(counter, Decimal(0)) + Decimal(number(amount))
            merged[(target.partition, target.key)] = (
                dataclasses.replace(target, attributes=attributes),
                add,
                writes + 1,
            )
    return list(merged.values())


def _cases(chunk: list[TallyUpdate]) -> list[tuple[str, dict]]:
    """Each case's overdue-list fields, once: later updates' fields over earlier ones'."""
    cases: dict[str, dict] = {}
    for update in chunk:
        if update.overdue:
            cases.setdefault(update.case_id, {}).update(update.overdue)
    return list(cases.items())


def _refused(error: ClientError, markers: int) -> set[int]:
    """The indexes of the markers (the transaction's first items) a cancellation refused."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        return set()
    reasons = error.response.get("CancellationReasons") or []
    return {
        i for i, reason in enumerate(reasons[:markers])
        if reason.get("Code") == "ConditionalCheckFailed"
    }  # fmt: skip
