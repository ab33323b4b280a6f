"""Athena as the lake's query engine: start the query in the workgroup, wait, fetch rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.lake.query import QueryError

DONE = ("SUCCEEDED", "FAILED", "CANCELLED")


class AthenaLake:
    """Runs SQL in ``workgroup`` against the Glue ``database``. The workgroup enforces its own
    result location, encryption and bytes-scanned limit; none is set here."""

    def __init__(
        self,
        database: str,
        workgroup: str,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 1.0,
    ) -> None:
        self._database = database
        self._workgroup = workgroup
        self._client = make_client("athena", client)
        self._sleep = sleep
        self._poll = poll_seconds

    def run(self, sql: str) -> tuple[list[str], list[list[Any]]]:
        try:
            started = self._client.start_query_execution(
                QueryString=sql,
                QueryExecutionContext={"Database": self._database},
                WorkGroup=self._workgroup,
            )
        except self._client.exceptions.InvalidRequestException as exc:
            raise QueryError(" ".join(str(exc).split())) from exc
        query_id = started["QueryExecutionId"]
        status = self._wait(query_id)
        if status["State"] != "SUCCEEDED":
            reason = status.get("StateChangeReason") or status["State"]
            raise QueryError(f"Athena {status['State'].lower()}: {' '.join(reason.split())}")
        return self._results(query_id)

    def _wait(self, query_id: str) -> dict[str, Any]:
        while True:
            execution = self._client.get_query_execution(QueryExecutionId=query_id)
            status = execution["QueryExecution"]["Status"]
            if status["State"] in DONE:
                return status
            self._sleep(self._poll)

    def _results(self, query_id: str) -> tuple[list[str], list[list[Any]]]:
        names: list[str] = []
        rows: list[list[Any]] = []
        pages = self._client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        for page in pages:
            result = page["ResultSet"]
            columns = result["ResultSetMetadata"]["ColumnInfo"]
            if not names:
                names = [c["Name"] for c in columns]
                data = result["Rows"][1:]  # the first row of the first page is the header
            else:
                data = result["Rows"]
            types = [c["Type"] for c in columns]
            rows.extend(
                [
                    _typed(cell.get("VarCharValue"), t)
                    for cell, t in zip(row["Data"], types, strict=True)
                ]
                for row in data
            )
        return names, rows


def _typed(value: str | None, athena_type: str) -> Any:
    """Athena returns every value as text; numbers and booleans become themselves again."""
    if value is None:
        return None
    if athena_type in ("tinyint", "smallint", "integer", "bigint"):
        return int(value)
    if athena_type in ("double", "float", "real", "decimal"):
        return float(value)
    if athena_type == "boolean":
        return value == "true"
    return value
