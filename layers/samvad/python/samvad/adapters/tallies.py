"""The Tallies table (``resources.TALLIES``): report counters, each event counted once."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import number, plain, scalar, written
from samvad.reports.rollups import REVISION, Target, targets
from samvad.reports.tally import TallyUpdate

DAY = 86400
OVERDUE_PARTITION = "overdue"
RESOLVED_OVERDUE_DAYS = 30  # a resolved case leaves the overdue partition after this


class DynamoTallies:
    """Tallies in one table: per event a marker and its increments in one transaction.

    ``TransactWriteItems``: Put the marker ``<identity>`` only if absent, ADD the counters
    to the day's and the month's item of the grain and to the day's office and department
    rollups (``reports.rollups``), and set the overdue-list fields of a case. A repeated
    event fails the marker's condition and the whole transaction: nothing is counted twice,
    and nothing half-counted."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def apply(self, update: TallyUpdate) -> bool:
        items = [self._marker(update.identity)]
        for target in targets(update):
            items.append({"Update": self._increment(target, update)})
        if update.overdue:
            items.append({"Update": self._overdue(update)})
        # only the marker has a condition: refused, this event was counted before
        return written(lambda: self._client.transact_write_items(TransactItems=items))

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

    def _increment(self, target: Target, update: TallyUpdate) -> dict:
        names, values, adds = {}, {}, []
        for i, (counter, amount) in enumerate(sorted(update.add.items())):
            names[f"#c{i}"] = counter
            values[f":c{i}"] = {"N": number(amount)}
            adds.append(f"#c{i} :c{i}")
        if target.rollup:  # the backfill's check that nothing wrote the item since it read it
            names["#rev"], values[":rev"] = REVISION, {"N": "1"}
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

    def _overdue(self, update: TallyUpdate) -> dict:
        fields = dict(update.overdue or {})
        if "resolved_at" in fields:
            fields["expires_at"] = int(time.time()) + RESOLVED_OVERDUE_DAYS * DAY
        names = {f"#o{i}": k for i, k in enumerate(fields)}
        values = {f":o{i}": scalar(v) for i, v in enumerate(fields.values())}
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": OVERDUE_PARTITION}, "sk": {"S": update.case_id}},
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
