"""The drill-down page's daily series and its charts: the state's 90 days, over the rows of
the page's scope that the caller may see.

Each day is read from its rollup partition (``reports.rollups``), by the narrowest sort-key
prefix the level allows: the state and a department from the department rollups (one item a
department a day); an office from its own office rollups, an official from their
department's; a district's offices are not a key prefix, so a district reads the day's
whole partition (the ranking window's days are read whole already, and not again).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Callable

from samvad.reports import series
from samvad.reports.inline_charts import series_svgs
from samvad.reports.reading import keeps
from samvad.reports.rollups import DEPARTMENT, KIND, OFFICE, rollup_partition

Rows = Callable[[str, str], list[dict]]
"""``rows(partition, prefix)``: the partition's visible rows whose sort key starts so."""


def scope_series(
    rows: Rows, level: str, code: tuple[str, ...], fields: tuple[str, ...], end: dt.date,
    days: int,
) -> list[dict]:  # fmt: skip
    """``days`` daily points ending on ``end`` for the page ``level``/``code``."""
    kind, prefix = _source(level, code)
    keep = keeps((fields, code)) if fields else (lambda row: True)
    found = []
    for back in range(days - 1, -1, -1):
        day = end - dt.timedelta(days=back)
        day_rows = [
            row for row in rows(rollup_partition(day), prefix)
            if row.get(KIND) == kind and keep(row)
        ]  # fmt: skip
        found.append((day, day_rows))
    return series.daily(found)


def charts(points: list[dict], language: str) -> list[dict]:
    """The four charts of the points, in the page's language (``reports.inline_charts``);
    the same series drawn once per process (a warm function serves a page again quickly)."""
    return copy.deepcopy(_drawn(json.dumps(points, sort_keys=True), language))


@functools.lru_cache(maxsize=32)
def _drawn(points: str, language: str) -> list[dict]:
    return series_svgs(json.loads(points), language, prefix="trend")


def _source(level: str, code: tuple[str, ...]) -> tuple[str, str]:
    """Which rollups a level's series sums, and the sort-key prefix that finds them."""
    if level == "state":
        return DEPARTMENT, f"{DEPARTMENT}#"
    if level == "department":
        return DEPARTMENT, f"{DEPARTMENT}#{code[0]}"
    if level == "office":
        return OFFICE, f"{OFFICE}#{code[0]}#{code[1]}#"
    if level == "official":
        return OFFICE, f"{OFFICE}#{code[0]}#"
    return OFFICE, ""  # a district: its offices are not a prefix
