"""The SamplingRuns table (``resources.SAMPLING_RUNS``): one item per run date."""

from __future__ import annotations

import json
from typing import Any

from samvad.adapters.aws import client as make_client


class DynamoRuns:
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def get(self, run_date: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"run_date": {"S": run_date}}, ConsistentRead=True
        ).get("Item")
        return json.loads(item["run"]["S"]) if item else None

    def put(self, run_date: str, status: str, details: dict) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "run_date": {"S": run_date},
                "status": {"S": status},
                "run": {"S": json.dumps({"status": status, **details}, default=str)},
            },
        )
