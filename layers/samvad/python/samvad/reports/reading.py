"""Reading tally partitions once per report, whatever needs them, and counting the reads.

A report reads the grain partitions of its period and the previous one and the months of
the capacity list; for its rolling ranking window and the one before, each day's office
rollups, and for its time series each day's department rollups (``reports.rollups``). Many
overlap, so each partition is queried once and served from memory after that: a day of the
window is one Query of its whole rollup partition, a day of the series outside the window
one Query of its department rollups only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from samvad.reports.periods import Period
from samvad.reports.rollups import DEPARTMENT, KIND, OFFICE, ROLLUP_PREFIX, rollup_partition

Fields = tuple[str, ...]
Scope = tuple[Fields, tuple[str, ...]]
"""A drill-down scope: the row fields and the values they must have."""


def keeps(scope: Scope) -> Callable[[dict], bool]:
    """The scope as a predicate on any row that carries its fields."""
    fields, code = scope
    return lambda row: tuple(str(row.get(f, "")) for f in fields) == code


class TallyRows(Protocol):
    def rows(self, partition: str, prefix: str = "") -> list[dict]: ...


class TallyReader:
    def __init__(self, tallies: TallyRows, reads: Counter):
        self._tallies = tallies
        self._reads = reads
        self._cache: dict[str, list[dict]] = {}
        self._index: dict[tuple[str, Fields], dict[tuple[str, ...], list[dict]]] = {}

    def partition(self, name: str) -> list[dict]:
        if name not in self._cache:
            self._cache[name] = self._query(name)
        return self._cache[name]

    def _query(self, name: str, prefix: str = "") -> list[dict]:
        found = self._tallies.rows(name, prefix)
        self._reads["tally_queries"] += 1
        self._reads["tally_rows"] += len(found)
        if name.startswith(ROLLUP_PREFIX):
            self._reads["rollup_queries"] += 1
            self._reads["rollup_rows"] += len(found)
        return found

    def window(self, period: Period, scope: Scope | None = None) -> list[dict]:
        """The rows a ranking window is ranked from: a month's grain partition, else the
        office rollups of each of its days."""
        if period.kind == "month":
            return self.rows(period, scope)
        rows: list[dict] = []
        for day in period.days():
            rows += self.scoped(self._rollup(day, OFFICE), scope)
        return rows

    def state_day(self, day: dt.date) -> list[dict]:
        """The day's department rollups: the state's totals for the daily series."""
        return self.partition(self._rollup(day, DEPARTMENT))

    def _rollup(self, day: dt.date, kind: str) -> str:
        """The name under which the day's rollups of ``kind`` are cached (read on first use:
        the whole partition for offices or when it was read already, else by sort-key
        prefix)."""
        name = rollup_partition(day)
        virtual = f"{name} {kind}"
        if virtual not in self._cache:
            if kind == OFFICE or name in self._cache:
                found = [row for row in self.partition(name) if row.get(KIND) == kind]
            else:
                found = self._query(name, f"{kind}#")
            self._cache[virtual] = found
        return virtual

    def rows(self, period: Period, scope: Scope | None = None) -> list[dict]:
        return [row for name in period.partitions() for row in self.scoped(name, scope)]

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
