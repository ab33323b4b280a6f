"""Reading tally partitions once per report, whatever needs them, and counting the reads.

A report reads the partitions of its period and the previous one, its rolling ranking window
and the one before, the days of its time series and the months of the capacity list; many
overlap, so each partition is queried once and served from memory after that.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Protocol

from samvad.reports.periods import Period, day_partition


class TallyRows(Protocol):
    def rows(self, partition: str) -> list[dict]: ...


class TallyReader:
    def __init__(self, tallies: TallyRows, reads: Counter):
        self._tallies = tallies
        self._reads = reads
        self._cache: dict[str, list[dict]] = {}

    def partition(self, name: str) -> list[dict]:
        if name not in self._cache:
            found = self._tallies.rows(name)
            self._reads["tally_queries"] += 1
            self._reads["tally_rows"] += len(found)
            self._cache[name] = found
        return self._cache[name]

    def rows(self, period: Period) -> list[dict]:
        return [row for name in period.partitions() for row in self.partition(name)]

    def day(self, day: dt.date) -> list[dict]:
        return self.partition(day_partition(day))
