"""The Strata table (``resources.STRATA``): visits available per stratum and day."""

from __future__ import annotations

import time
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import Batches

DAY = 86400


class DynamoStrata:
    """Strata counts as idempotent contributions: ``<stratum>|upload|<id>`` adds visits,
    ``<stratum>|taken|<run date>`` subtracts what a run sampled or skipped."""

    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._batches = Batches(self._client)
        self._ttl = retention_days * DAY

    def record_uploaded(self, upload_id: str, counts: dict[tuple[str, str], int]) -> None:
        self._put(counts, "upload", upload_id, "visits")

    def record_taken(self, run_date: str, taken: dict[tuple[str, str], int]) -> None:
        self._put(taken, "taken", run_date, "taken")

    def _put(self, counts: dict[tuple[str, str], int], kind: str, source: str, field: str) -> None:
        expires = str(int(time.time()) + self._ttl)
        items = [
            {
                "visit_date": {"S": day},
                "stratum": {"S": f"{stratum}|{kind}|{source}"},
                field: {"N": str(n)},
                "expires_at": {"N": expires},
            }
            for (day, stratum), n in sorted(counts.items())
        ]
        self._batches.write(self._table, items)

    def available(self, dates: list[str]) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        pages = self._client.get_paginator("query")
        for day in dates:
            for page in pages.paginate(
                TableName=self._table,
                KeyConditionExpression="visit_date = :d",
                ExpressionAttributeValues={":d": {"S": day}},
            ):
                for item in page["Items"]:
                    stratum = item["stratum"]["S"].split("|", 1)[0]
                    delta = int(item.get("visits", {"N": "0"})["N"]) - int(
                        item.get("taken", {"N": "0"})["N"]
                    )
                    per_date = result.setdefault(stratum, {})
                    per_date[day] = per_date.get(day, 0) + delta
        return result
