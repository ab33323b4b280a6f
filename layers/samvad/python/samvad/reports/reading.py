"""Reading tally partitions once per report, whatever needs them, and counting the reads.

A report reads the partitions of its period and the previous one, its rolling ranking window
and the one before, the days of its time series and the months of the capacity list; many
overlap, so each partition is queried once and served from memory after that.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from samvad.reports.periods import Period, day_partition

Fields = tuple[str, ...]
Scope = tuple[Fields, tuple[str, ...]]
"""A drill-down scope: the row fields and the values they must have."""


def keeps(scope: Scope) -> Callable[[dict], bool]:
    """The scope as a predicate on any row that carries its fields."""
    fields, code = scope
    return lambda row: tuple(str(row.get(f, "")) for f in fields) == code


class TallyRows(Protocol):
    def rows(self, partition: str) -> list[dict]: ...


class TallyReader:
    def __init__(self, tallies: TallyRows, reads: Counter):
        self._tallies = tallies
        self._reads = reads
        self._cache: dict[str, list[dict]] = {}
        self._index: dict[tuple[str, Fields], dict[tuple[str, ...], list[dict]]] = {}

    def partition(self, name: str) -> list[dict]:
        if name not in self._cache:
            found = self._tallies.rows(name)
            self._reads["tally_queries"] += 1
            self._reads["tally_rows"] += len(found)
            self._cache[name] = found
        return self._cache[name]

    def rows(self, period: Period, scope: Scope | None = None) -> list[dict]:
        return [row for name in period.partitions() for row in self.scoped(name, scope)]

    def day(self, day: dt.date, scope: Scope | None = None) -> list[dict]:
        return self.scoped(day_partition(day), scope)

    def scoped(self, name: str, scope: Scope | None) -> list[dict]:
        """The partition's rows whose ``fields`` equal ``code`` (all rows without a scope),
        from an index built once per partition and fields."""
        if scope is None:
            return self.partition(name)
        fields, code = scope
        index = self._index.get((name, fields))
        if index is None:
            index = {}
            for row in self.partition(name):
                index.setdefault(tuple(str(row.get(f, "")) for f in fields), []).append(row)
            self._index[(name, fields)] = index
        return index.get(code, [])
