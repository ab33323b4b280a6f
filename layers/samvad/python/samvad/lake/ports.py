"""What the lake needs from the world (typed ports; the adapters implement them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from samvad.lake.facts import Fact


class FactBuffer(Protocol):
    """The facts received so far, per table and day; a fact put twice is kept once."""

    def put_all(self, facts: Sequence[Fact]) -> None: ...

    def rows(self, table: str, day: dt.date) -> dict[str, dict[str, Any]]:
        """The rows of ``table``'s facts of ``day``, by ``Fact.key``."""
        ...


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
