"""The Visits table (``resources.VISITS``): every read and write of a visit, for every port
that needs one (intake's store, the sampler's candidate index and marks, dispatch's and
feedback's reader, escalation's and reports' phone look-ups, the sample verifier)."""

from __future__ import annotations

from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import Batches, Item, plain
from samvad.sampling.draw import Candidate


class DynamoVisits:
    def __init__(self, table: str, client: Any = None, batches: Batches | None = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._batches = batches or Batches(self._client)

    # intake
    def put_all(self, items: list[Item]) -> None:
        self._batches.write(self._table, items)

    def sources_of(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        items = self._batches.get(
            self._table,
            [{"visit_key": {"S": k}} for k in keys],
            projection="visit_key, source_upload, source_row",
        )
        return {
            i["visit_key"]["S"]: (i["source_upload"]["S"], int(i["source_row"]["N"])) for i in items
        }

    # sampling: the sparse ``unsampled`` index, and leaving it
    def page(
        self, partition: str, after: str, limit: int, upto: str | None = None
    ) -> list[Candidate]:
        condition, values = "sample_pk = :p", {":p": {"S": partition}}
        if after and upto:  # one condition on the sort key: BETWEEN is inclusive
            condition += " AND sample_score BETWEEN :a AND :u"
            values.update({":a": {"S": after}, ":u": {"S": upto}})
        elif upto:
            condition += " AND sample_score <= :u"
            values[":u"] = {"S": upto}
        elif after:  # DynamoDB refuses an empty string as a key value
            condition += " AND sample_score > :a"
            values[":a"] = {"S": after}
        response = self._client.query(
            TableName=self._table,
            IndexName=resources.UNSAMPLED_INDEX.name,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=limit,
        )
        stratum, visit_date = partition.rsplit("#", 1)
        return [
            Candidate(
                visit_key=i["visit_key"]["S"],
                score=i["sample_score"]["S"],
                stratum=stratum,
                visit_date=visit_date,
                phone_hash=i["phone_hash"]["S"],
                district=i.get("district", {}).get("S", ""),
                language=i.get("language", {}).get("S", ""),
            )
            for i in response["Items"]
        ]

    def mark_sampled(self, assignments: list[dict[str, Any]], run_date: str) -> None:
        """Sampled visits leave the ``unsampled`` index (``sample_pk`` removed)."""
        for a in assignments:
            self._client.update_item(
                TableName=self._table,
                Key={"visit_key": {"S": a["visit_key"]}},
                UpdateExpression="SET sampled_on = :d, sample_caller = :c, sample_channel = :h "
                "REMOVE sample_pk",
                ExpressionAttributeValues={
                    ":d": {"S": run_date},
                    ":c": {"S": a["caller"]},
                    ":h": {"S": a["channel"]},
                },
            )

    def mark_skipped(self, skipped: list[dict[str, Any]], run_date: str) -> None:
        """Skipped visits leave the ``unsampled`` index too, with the reason."""
        for s in skipped:
            self._client.update_item(
                TableName=self._table,
                Key={"visit_key": {"S": s["visit_key"]}},
                UpdateExpression="SET sample_skip = :r, skipped_on = :d REMOVE sample_pk",
                ExpressionAttributeValues={":r": {"S": s["reason"]}, ":d": {"S": run_date}},
            )

    def visits_of(self, visit_date: str) -> list[dict[str, Any]]:
        """Every visit of a date through the ``by_visit_date`` index, as plain values."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=resources.BY_VISIT_DATE_INDEX.name,
            KeyConditionExpression="visit_date = :d",
            ExpressionAttributeValues={":d": {"S": visit_date}},
        )
        return [plain(item) for page in pages for item in page["Items"]]

    # dispatch, feedback, escalation, reports
    def get(self, visit_key: str) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table, Key={"visit_key": {"S": visit_key}}, ConsistentRead=True
        ).get("Item")
        return plain(item) if item else None

    def phone(self, visit_key: str) -> str | None:
        """The citizen's phone (E.164) of a visit, for masking in officials' notices."""
        item = self._client.get_item(
            TableName=self._table,
            Key={"visit_key": {"S": visit_key}},
            ProjectionExpression="phone",
        ).get("Item")
        return item["phone"]["S"] if item and "phone" in item else None

    def phones(self, visit_keys: list[str]) -> dict[str, str]:
        """The phones of a few visits (the overdue cases'), to show them masked."""
        items = self._batches.get(
            self._table,
            [{"visit_key": {"S": k}} for k in visit_keys],
            projection="visit_key, phone",
        )
        return {i["visit_key"]["S"]: i["phone"]["S"] for i in items if "phone" in i}
