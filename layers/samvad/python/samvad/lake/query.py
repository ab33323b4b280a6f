"""Run SQL over the lake: locally with DuckDB over the Parquet files, the same table names as
the Glue catalog; on AWS through an Athena adapter (``samvad.adapters.athena``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from samvad.lake import schema


class QueryError(ValueError):
    """The engine refused or failed the statement; the message is the engine's, one line."""


class DuckDBLake:
    """DuckDB views named like the Glue tables over ``<root>/<table>/date=…/*.parquet``."""

    def __init__(self, root: Path) -> None:
        import duckdb  # a developer dependency: `samvad query` only

        self.root = Path(root)
        self._connection = duckdb.connect(":memory:")
        for table, table_schema in schema.TABLES.items():
            self._connection.execute(self._view(table, table_schema))

    def _view(self, table: str, table_schema: Any) -> str:
        files = sorted((self.root / table).glob(f"{schema.PARTITION_COLUMN}=*/*.parquet"))
        if files:
            pattern = str(self.root / table / "*" / "*.parquet").replace("'", "''")
            return (
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{pattern}', "
                f"hive_partitioning = true, hive_types = {{'{schema.PARTITION_COLUMN}': VARCHAR}})"
            )
        return (
            f"CREATE VIEW {table} AS SELECT {_null_columns(table_schema)}, "
            f'NULL::VARCHAR AS "{schema.PARTITION_COLUMN}" WHERE false'
        )

    def run(self, sql: str) -> tuple[list[str], list[list[Any]]]:
        import duckdb

        try:
            cursor = self._connection.execute(sql)
            names = [d[0] for d in cursor.description or []]
            return names, [list(row) for row in cursor.fetchall()]
        except duckdb.Error as exc:
            raise QueryError(_one_line(str(exc))) from exc


_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
    "double": "DOUBLE",
    "list<item: string>": "VARCHAR[]",
}


def _null_columns(table_schema: Any) -> str:
    return ", ".join(
        f'NULL::{_DUCKDB_TYPES[str(field.type)]} AS "{field.name}"' for field in table_schema
    )


def _one_line(message: str) -> str:
    return " ".join(message.split())


def write_csv(names: list[str], rows: Iterable[list[Any]], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])


def write_json_lines(names: list[str], rows: Iterable[list[Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(dict(zip(names, row, strict=True)), default=str) + "\n")


def _plain(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value
