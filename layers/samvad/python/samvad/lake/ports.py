"""What the lake needs from the world (typed ports; the adapters implement them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol


class FactBuffer(Protocol):
    """The facts received so far, per table and day; putting one identity twice keeps one."""

    def put(self, table: str, day: dt.date, identity: str, row: dict[str, Any]) -> None: ...

    def rows(self, table: str, day: dt.date) -> list[dict[str, Any]]: ...


class Partitions(Protocol):
    """Where the Parquet files go: one file per table and day, replaced as a whole."""

    def replace(self, table: str, day: dt.date, parquet: bytes) -> str: ...


class Selections(Protocol):
    """The sampler's selection of a run date, or ``None`` when there was no run."""

    def selection(self, run_date: dt.date) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class LakePorts:
    buffer: FactBuffer
    partitions: Partitions
    selections: Selections


class QueryEngine(Protocol):
    """Runs one SQL statement over the lake's tables: column names, then rows."""

    def run(self, sql: str) -> tuple[list[str], list[list[Any]]]: ...
