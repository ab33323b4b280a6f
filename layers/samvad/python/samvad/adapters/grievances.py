"""The Grievances table (``resources.GRIEVANCES``) and the grievance citizens' visit items."""

from __future__ import annotations

import functools
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import Batches, plain, to_item, written
from samvad.adapters.visits import DynamoVisits

ITEM = "item"


class DynamoGrievances:
    """``pk``/``sk`` items: one ``item`` per key, and ``rejects#<day>`` partitions."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def _key(self, pk: str, sk: str = ITEM) -> dict:
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    def claim(self, key: str, item: dict[str, Any], now: int) -> tuple[dict[str, Any], bool]:
        created = written(
            lambda: self._client.put_item(
                TableName=self._table,
                Item={**to_item(item), **self._key(key)},
                ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                ExpressionAttributeValues={":now": {"N": str(int(now))}},
            )
        )
        if created:
            return dict(item), True
        return self.get(key) or dict(item), False

    def get(self, key: str) -> dict[str, Any] | None:
        found = self._client.get_item(
            TableName=self._table, Key=self._key(key), ConsistentRead=True
        ).get("Item")
        if not found:
            return None
        return {k: v for k, v in plain(found).items() if k not in ("pk", "sk")}

    def put(self, key: str, item: dict[str, Any]) -> None:
        self._client.put_item(TableName=self._table, Item={**to_item(item), **self._key(key)})

    def add_reject(self, day: str, reject_id: str, item: dict[str, Any]) -> bool:
        return written(
            lambda: self._client.put_item(
                TableName=self._table,
                Item={**to_item(item), **self._key(f"rejects#{day}", reject_id)},
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def rejects(self, day: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"rejects#{day}"}},
        ):
            found.extend(
                {k: v for k, v in plain(i).items() if k not in ("pk", "sk")} for i in page["Items"]
            )
        return found


class VisitCitizens:
    """A grievance's citizen as a visit item (``grv-<reference>``) in the Visits table: no
    ``sample_pk`` nor ``visit_date``, so it is in neither sampling index, only by phone hash."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._visits = DynamoVisits(table, self._client)

    def keep(self, visit_key: str, fields: dict[str, Any]) -> None:
        self._client.put_item(
            TableName=self._table, Item=to_item({**fields, "visit_key": visit_key})
        )

    def phone(self, visit_key: str) -> str | None:
        return self._visits.phone(visit_key)


class DirectoryOffices:
    """Offices by code across the departments the departments config names (one
    BatchGetItem of ``office#CODE`` per department in the Directory table)."""

    def __init__(self, table: str, departments: Any, client: Any = None) -> None:
        self._table = table
        self._departments = departments  # () → department codes
        self._client = client

    @functools.cached_property
    def _batches(self) -> Batches:
        """Made on first use: most invocations that hold these ports never look an office
        up, and a client costs tens of milliseconds to make."""
        return Batches(make_client("dynamodb", self._client))

    def find(self, office_code: str) -> list[dict[str, Any]]:
        departments = list(self._departments())
        if not departments or not office_code:
            return []
        keys = [
            {"department": {"S": d}, "entry": {"S": f"office#{office_code}"}} for d in departments
        ]
        found = [plain(i) for i in self._batches.get(self._table, keys)]
        return sorted(
            (
                {
                    "department": i["department"],
                    "office_code": office_code,
                    "office_name": str(i.get("office_name") or ""),
                    "district": str(i.get("district") or ""),
                }
                for i in found
            ),
            key=lambda o: o["department"],
        )
