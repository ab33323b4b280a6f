"""In-memory and directory implementations of the lake's ports (demo, tests, local query)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from samvad.lake import schema
from samvad.lake.facts import Fact


class MemoryBuffer:
    def __init__(self) -> None:
        self._facts: dict[tuple[str, dt.date], dict[str, dict[str, Any]]] = {}

    def put_all(self, facts: Sequence[Fact]) -> None:
        for fact in facts:
            self._facts.setdefault((fact.table, fact.day), {})[fact.key] = dict(fact.row)

    def rows(self, table: str, day: dt.date) -> dict[str, dict[str, Any]]:
        return {k: dict(row) for k, row in self._facts.get((table, day), {}).items()}


class MemorySelections:
    def __init__(self, by_day: dict[dt.date, dict[str, Any]] | None = None) -> None:
        self.by_day = dict(by_day or {})

    def selection(self, run_date: dt.date) -> dict[str, Any] | None:
        return self.by_day.get(run_date)


def partition_dir(table: str, day: dt.date) -> str:
    """``<table>/date=YYYY-MM-DD`` (the Hive partition folder, under the lake's root)."""
    return f"{table}/{schema.PARTITION_COLUMN}={day.isoformat()}"


class DirectoryPartitions:
    """``<root>/<table>/date=YYYY-MM-DD/part-00000.parquet`` on the local disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def replace(self, table: str, day: dt.date, parquet: bytes) -> str:
        folder = self.root / partition_dir(table, day)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.parquet"):
            if stale.name != schema.PART_FILE:
                stale.unlink()
        target = folder / schema.PART_FILE
        scratch = target.with_suffix(".tmp")
        scratch.write_bytes(parquet)
        scratch.replace(target)  # atomic: a reader sees the old file or the new one
        return str(target)
