"""Drill-down for the signed-in scope: the reports' state → department → district → office →
official pages, served by the workspace from the same tallies, scope-checked here.

Two rules, both applied on every request:

1. **The page must be at or below the caller's level.** The state page is for state-level
   roles; a department page for the state and that department's officials; a district page
   for the state, a department's officials (who see their department in it) and that
   district's officials; office and official pages for anyone whose scope holds them.
2. **Only rows inside the caller's scope are read.** The tallies are filtered by
   ``Scope.covers`` before any figure is computed, so a page can never sum a row from
   outside (a collector's office page is their district's rows of that office). A page that
   has rows, none of them inside the caller's scope, is refused (403); a page with no rows at
   all is 404.

The blocks are the static pages' (``reports.service.summarise``, with the reports'
``min_responses`` and ``window_days`` settings): totals, the office league over the rolling
window, insufficient data, needs attention (against the state's
satisfied share, an aggregate), officials, departments, services, districts, the
scope's overdue cases, and the scope's daily series (90 days) with its four charts as inline
SVG (``workspace.trends``). Each row says which page it links to, when the caller may open it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from samvad.reports import figures, labels
from samvad.reports.backfill import rollup_key
from samvad.reports.drilldown import FIELDS
from samvad.reports.names import Names
from samvad.reports.periods import IST, Period, window
from samvad.reports.reading import TallyReader, keeps
from samvad.reports.rollups import KIND, OFFICE, ROLLUP_PREFIX, rollup_partition
from samvad.reports.series import SERIES_DAYS
from samvad.reports.service import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    SETTINGS_CONFIG,
    summarise,
)
from samvad.workspace.cases import _cases_in_scope
from samvad.workspace.errors import BadRequest, Forbidden, NotFound
from samvad.workspace.policy import authorize
from samvad.workspace.ports import WorkspacePorts
from samvad.workspace.roles import DEPARTMENT, DISTRICT, STATE, Official
from samvad.workspace.trends import charts, scope_series

LEVELS = ("state", *FIELDS)
LINKED = {
    "league": "office", "offices": "office", "needs_attention": "office",
    "insufficient_data": "office", "officials": "official", "departments": "department",
    "districts": "district", "window_districts": "district",
}  # fmt: skip
"""Each table of a page and the level its rows link to."""


class VisibleTallies:
    """The tallies as the caller may see them: each Query's rows filtered by the scope;
    the unfiltered rows are kept for the state's share (an aggregate) and the 403/404 test."""

    def __init__(self, tallies: Any, covers: Callable[[Mapping[str, Any]], bool]) -> None:
        self._tallies = tallies
        self._covers = covers
        self._raw: dict[tuple[str, str], list[dict]] = {}

    def raw(self, partition: str, prefix: str = "") -> list[dict]:
        if (partition, prefix) not in self._raw:
            whole = self._raw.get((partition, ""))
            if prefix and whole is not None and partition.startswith(ROLLUP_PREFIX):
                found = [row for row in whole if rollup_key(row).startswith(prefix)]
            else:
                found = self._tallies.rows(partition, prefix)
            self._raw[(partition, prefix)] = found
        return self._raw[(partition, prefix)]

    def visible(self, row: Mapping[str, Any]) -> bool:
        return self._covers(row)

    def rows(self, partition: str, prefix: str = "") -> list[dict]:
        return [row for row in self.raw(partition, prefix) if self._covers(row)]


def page(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    """The drill-down page ``query`` names (``level``, ``code``, ``date``) for ``official``,
    with the reports' labels in ``lang`` (en, or, hi)."""
    authorize(official, "drilldown")
    level = query.get("level") or home(official)[0]
    if level not in LEVELS:
        raise BadRequest("level", f"must be one of {', '.join(LEVELS)}")
    code = _code(level, query.get("code"), official)
    day = _day(query.get("date"), ports)
    if not reachable(official, level, code):
        raise Forbidden(f"the {level} page {'/'.join(code)} is outside your scope")
    if ports.tallies is None:
        raise NotFound("this workspace has no report figures")
    store = VisibleTallies(ports.tallies, official.scope.covers)
    reader = TallyReader(store, Counter())
    settings = ports.escalation.config.latest(SETTINGS_CONFIG) or {}
    min_responses = _positive(settings, "min_responses", figures.DEFAULT_MIN_RESPONSES)
    window_days = min(_positive(settings, "window_days", DEFAULT_WINDOW_DAYS), MAX_WINDOW_DAYS)
    ranking = window(day, window_days)
    if level == "office" and not code[0]:  # an office head whose claims name no department
        code = (_department_of(store, ranking, code[1]), code[1])
    scope = None if level == "state" else (FIELDS[level], code)
    _exists(store, ranking, scope)
    summary = summarise(
        Period("day", day, day), reader, min_responses, window_days, scope,
        _state_share(store, ranking, min_responses),
    )  # fmt: skip
    keep = keeps(scope) if scope else (lambda row: True)
    summary["overdue"] = [
        c for c in _cases_in_scope(official, ports) if c["status"] == "overdue" and keep(c)
    ]
    names = Names.from_config(ports.escalation.config)
    for table, linked in LINKED.items():
        summary[table] = [
            _linked(official, linked, names.label(row)) for row in summary.get(table) or []
        ]
    language = query.get("lang") if query.get("lang") in labels.LANGUAGES else "en"
    series_days = min(_positive(settings, "series_days", SERIES_DAYS), SERIES_DAYS)
    fields = () if level == "state" else FIELDS[level]
    summary["series"] = scope_series(store.rows, level, code, fields, day, series_days)
    summary["charts"] = charts(summary["series"], str(language))
    return summary | {
        "labels": labels.catalog(str(language))["labels"],
        "level": level,
        "code": list(code),
        "date": day.isoformat(),
        "scope": official.scope.as_dict(),
        "home": {"level": home(official)[0], "code": list(home(official)[1])},
    }


def home(official: Official) -> tuple[str, tuple[str, ...]]:
    """The page a caller starts from: their scope's own."""
    scope = official.scope
    if scope.level == STATE:
        return "state", ()
    if scope.level == DEPARTMENT:
        return "department", (scope.department,)
    if scope.level == DISTRICT:
        return "district", (scope.district,)
    return "office", (scope.department, scope.office_code)


def reachable(official: Official, level: str, code: tuple[str, ...]) -> bool:
    """Rule 1: whether the page is at or below the caller's level (rows decide the rest)."""
    scope = official.scope
    if scope.level == STATE:
        return True
    if level == "state":
        return False
    if level == "department":
        return scope.level == DEPARTMENT and code == (scope.department,)
    if level == "district":
        if scope.level == DEPARTMENT:
            return True
        return scope.level == DISTRICT and code[0].casefold() == scope.district.casefold()
    return not scope.department or code[0] == scope.department  # office, official


def _exists(store: VisibleTallies, ranking: Period, scope: Any) -> None:
    """Rule 2's refusals: rows, but none visible → 403; no rows at all → 404."""
    keep = keeps(scope) if scope else (lambda row: True)
    rows = [row for row in _office_rows(store, ranking) if keep(row)]
    if not rows:
        raise NotFound("no figures for that page in the ranking window")
    if not any(store.visible(row) for row in rows):
        raise Forbidden("that page's offices are outside your scope")


def _office_rows(store: VisibleTallies, ranking: Period) -> list[dict]:
    """The window's office rollups, unfiltered."""
    return [
        row
        for day in ranking.days()
        for row in store.raw(rollup_partition(day))
        if row.get(KIND) == OFFICE
    ]


def _state_share(store: VisibleTallies, ranking: Period, min_responses: int) -> float | None:
    total: Counter = Counter()
    for row in _office_rows(store, ranking):
        total.update(figures.counters(row))
    return figures.figures(total, min_responses)["satisfied_share"]


def _positive(settings: Mapping[str, Any], name: str, default: int) -> int:
    """A setting of the reports' ``reports/settings`` document, as the reports read it."""
    value = settings.get(name, default)
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def _department_of(store: VisibleTallies, ranking: Period, office_code: str) -> str:
    for row in _office_rows(store, ranking):
        if row.get("office_code") == office_code and store.visible(row):
            return str(row.get("department") or "")
    raise NotFound(f"no figures for office {office_code} in the ranking window")


def _linked(official: Official, level: str, row: dict) -> dict:
    fields = FIELDS[level]
    if not all(row.get(f) for f in fields):
        return row
    code = tuple(str(row[f]) for f in fields)
    if not reachable(official, level, code):
        return row
    return row | {"page": {"level": level, "code": list(code)}}


def _code(level: str, text: str | None, official: Official) -> tuple[str, ...]:
    if level == "state":
        return ()
    if not text:
        found_level, code = home(official)
        if found_level == level:
            return code
        raise BadRequest("code", f"the {level} page needs its code")
    code = tuple(part.strip() for part in text.split("/"))
    if len(code) != len(FIELDS[level]) or not all(code):
        wanted = "/".join(FIELDS[level])
        raise BadRequest("code", f"a {level} page's code is {wanted}, not {text!r}")
    return code


def _day(text: str | None, ports: WorkspacePorts) -> dt.date:
    """The report day: ``date`` (YYYY-MM-DD), else today in India time (the figures so far:
    the window ending today)."""
    if not text:
        return ports.clock().astimezone(IST).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest("date", f"must be a date YYYY-MM-DD, not {text!r}") from None
