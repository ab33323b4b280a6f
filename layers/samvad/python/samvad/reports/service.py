"""The reports use cases, written against ports (no boto3 here).

* ``record_event``: one domain event (the EventBridge envelope) → idempotent tally updates;
  ``record_events`` a batch of them in one write.
* ``run_report``: a period's report from the tallies of the period and the previous one:
  ``summary.json``, CSV exports and the HTML dashboard under ``reports/<kind>/<label>/``, then
  one notification with a link (not repeated when a rerun finds the same figures).

Reads grow with the tally rows of the periods read (grain rows × days, or one partition per
month), never with the number of feedback records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from samvad import phones, resources
from samvad.ports import ConfigReader, Documents, Notifier, ReportFiles, TallyStore, VisitPhones
from samvad.reports import dashboard, drilldown, exports, figures, inbound, rankings, series
from samvad.reports.names import Names
from samvad.reports.periods import IST, BadRequest, Period, month, month_of, period_of, window
from samvad.reports.reading import Scope, TallyReader, keeps
from samvad.reports.series import SERIES_DAYS
from samvad.reports.standings import standings
from samvad.reports.tally import TALLIED, BadEvent, TallyUpdate, updates_for

log = logging.getLogger(__name__)
SETTINGS_CONFIG = "reports/settings"
DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = SERIES_DAYS
DEFINITIONS = {
    "satisfied": "Satisfied: rating 4 or 5, and the work was done, and no money was asked. A "
    "response that says neither (no rating or no answer on the work, nothing negative) is "
    "not assessable and left out of the share.",
    "ranking": "Offices and officials are ranked over the rolling window (a month report: its "
    "month) by the lower bound of the Wilson 95% interval of the satisfied share, never by the "
    "raw share; below the minimum of assessable responses in the window an office is listed "
    "as not ranked yet. The previous rank is over the window ending on the previous period's "
    "last day.",
    "attention": "Needs attention: offices whose upper bound is below the state's satisfied "
    "share over the window, lowest first.",
    "response_rate": "Response rate: responses / citizens sampled on the run date.",
    "trend": "Trend: change of the lower bound against the previous period of the same "
    "length (in the rankings: against the previous window), shown only when both have enough "
    "responses.",
    "times": "Times are India Standard Time (IST).",
    "sla": "SLA met: of the level deadlines that ended in the period, the share ended by the "
    "official acting (case resolved, or moved on because the citizen was not satisfied or "
    "not reachable) rather than by a timeout or an overdue case.",
    "median": "Median time to resolution: from a histogram of case durations, interpolated "
    "within the bucket that holds it.",
    "privacy": "Citizens appear only as masked phone numbers; no free text is shown.",
}
CSV_COLUMNS = {
    "departments": ["department", "department_name"],
    "services": ["department", "department_name", "service", "service_name"],
    "districts": ["district"],
    "offices": ["rank", "rank_in_department", "department", "department_name", "office_code",
                "office_name", "district", "status", "previous_rank"],
    "officials": ["rank", "previous_rank", "department", "department_name", "official_id",
                  "official_name", "offices", "capacity_building", "capacity_reason"],
}  # fmt: skip
FIGURE_COLUMNS = [
    "sampled", "reached", "contacts_completed", "responses", "response_rate", "mean_rating",
    "work_done_share", "money_asked_share", "poor_rate", "assessable", "satisfied",
    "satisfied_share", "wilson_low", "wilson_high", "insufficient_data", "trend",
    "previous_satisfied_share", "cases_opened", "escalated_by_level", "resolved_by_level",
    "cases_resolved", "cases_overdue", "median_hours_to_resolution", "sla_compliance",
]  # fmt: skip
OVERDUE_COLUMNS = ["case_id", "department", "service", "office_code", "district", "official_id",
                   "level", "since", "since_ist", "days_overdue", "citizen_phone"]  # fmt: skip
OVERDUE_NAMED = ["department_name", "service_name", "office_name", "official_name"]
SERIES_COLUMNS = ["date", *series.POINT_FIELDS]
CAPACITY_COLUMNS = ["official_id", "official_name", "department", "office_code", "office_name",
                    "district", "months_in_bottom_decile", "office_wilson_low", "reason",
                    "recommendation"]  # fmt: skip


@dataclass(frozen=True)
class ReportPorts:
    tallies: TallyStore
    selections: Documents
    visits: VisitPhones
    files: ReportFiles
    notifier: Notifier
    config: ConfigReader
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


# -- events → tallies ------------------------------------------------------------------------


def record_event(event: object, ports: ReportPorts) -> dict:
    """Tally one EventBridge event; returns how many updates were new and how many repeats."""
    tally = _Tally.of(event, ports)
    tally.applied = ports.tallies.apply_all(tally.updates)
    return tally.result()


def record_events(events: Sequence[object], ports: ReportPorts) -> list[dict]:
    """Tally a batch of EventBridge events in one ``apply_all`` (the store merges their
    writes); per event what ``record_event`` returns, or ``{"error": …}`` for an event that
    fails, alone: a bad field, an unreadable selection, or its write when the batch's write
    failed and each event was then written on its own."""
    tallies: list[_Tally] = []
    for event in events:
        try:
            tallies.append(_Tally.of(event, ports))
        except Exception as error:  # one event's failure is reported, not raised
            log.warning("event not tallied", extra={"error": str(error)})
            tallies.append(_Tally("", error=str(error)))
    written = [t for t in tallies if t.updates]
    try:
        applied = iter(ports.tallies.apply_all([u for t in written for u in t.updates]))
        for tally in written:
            tally.applied = [next(applied) for _ in tally.updates]
    except Exception:
        if len(written) < 2:
            raise
        log.warning("batch write failed; writing each event alone", exc_info=True)
        for tally in written:
            tally.write_alone(ports)
    return [tally.result() for tally in tallies]


@dataclass
class _Tally:
    """One event's updates and, once written, which of them were applied."""

    detail_type: str
    updates: list[TallyUpdate] = field(default_factory=list)
    applied: list[bool] = field(default_factory=list)
    error: str = ""

    @classmethod
    def of(cls, event: object, ports: ReportPorts) -> _Tally:
        if not isinstance(event, dict) or event.get("source") != resources.EVENT_SOURCE:
            raise BadEvent(f"not a {resources.EVENT_SOURCE} event: {str(event)[:200]}")
        detail_type = str(event.get("detail-type"))
        if detail_type not in TALLIED:
            return cls(detail_type)
        get_json = ports.selections.get_json
        return cls(detail_type, updates_for(detail_type, event.get("detail"), get_json))

    def write_alone(self, ports: ReportPorts) -> None:
        try:
            self.applied = ports.tallies.apply_all(self.updates)
        except Exception as error:  # this event's message fails alone
            log.warning("event not tallied", extra={"error": str(error)})
            self.error = str(error)

    def result(self) -> dict:
        if self.error:
            return {"detail_type": self.detail_type, "error": self.error}
        if self.detail_type not in TALLIED:
            return {"detail_type": self.detail_type, "applied": 0, "repeated": 0, "ignored": True}
        new = sum(self.applied)
        repeated = len(self.applied) - new
        return {"detail_type": self.detail_type, "applied": new, "repeated": repeated}


# -- the report ------------------------------------------------------------------------------


def run_report(request: dict, ports: ReportPorts) -> dict:
    """Build, store and announce the report a request names (see ``periods.period_of``)."""
    now = ports.clock()
    period = period_of(request, now)
    min_responses = _setting(request, ports, "min_responses", figures.DEFAULT_MIN_RESPONSES)
    window_days = _setting(request, ports, "window_days", DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS)
    series_days = _setting(request, ports, "series_days", SERIES_DAYS, SERIES_DAYS)
    reads: Counter = Counter()
    reader = TallyReader(ports.tallies, reads)
    names = Names.from_config(ports.config)
    summary = summarise(period, reader, min_responses, window_days, series_days=series_days)
    capacity, months = _capacity(period, reader, min_responses)
    summary["capacity_building"] = capacity
    summary["capacity_months"] = months
    summary["officials"] = _officials(summary["officials"], summary["offices"], capacity)
    summary["overdue"] = _overdue(ports, reads, now)
    _name(summary, names)
    summary["generated_at"] = now.isoformat(timespec="seconds")
    summary["generated_at_ist"] = now.astimezone(IST).strftime("%Y-%m-%d %H:%M IST")
    levels = drilldown.levels_for(period.kind, request.get("pages"))
    scoped = drilldown.scoped_summaries(
        summary,
        levels,
        lambda scope: _scoped(summary, scope, period, reader, min_responses, window_days, names),
    )
    summary["reads"] = dict(reads)
    keys = _write(summary, period, ports, scoped)
    link = ports.files.link(keys["dashboard"])
    fingerprint = _fingerprint(summary)
    notified = ports.tallies.first_time(f"ReportNotified#{period.prefix}#{fingerprint}")
    if notified:
        ports.notifier.notify(_subject(summary), _message(summary, link))
    log.info("report written", extra={"period": period.prefix, "tally_rows": reads["tally_rows"]})
    return {
        "period": period.prefix,
        "keys": keys,
        "notified": notified,
        "reads": summary["reads"],
        "totals": {k: summary["totals"][k] for k in ("sampled", "responses", "cases_opened")},
    }


def summarise(
    period: Period,
    reader: TallyReader,
    min_responses: int,
    window_days: int,
    scope: Scope | None = None,
    state_share: float | None = None,
    series_days: int = SERIES_DAYS,
) -> dict:
    """The period's tables, the window's rankings and the ``series_days`` daily series (the
    state's only), from the tally rows of ``scope`` (all by default: the state)."""

    def rows(of: Period) -> list[dict]:
        return reader.rows(of, scope)

    summary = build_summary(period, rows(period), rows(period.previous()), min_responses)
    ranking, before = ranking_windows(period, window_days)
    summary |= standings(
        reader.window(ranking, scope), reader.window(before, scope), min_responses, state_share
    )
    summary["window"] = _describe(ranking) | {"days": ranking.days_long}
    summary["previous_window"] = _describe(before)
    days = [period.end - dt.timedelta(days=n) for n in range(series_days - 1, -1, -1)]
    if scope is None:  # drill-down pages draw no charts
        summary["series"] = series.daily([(day, reader.state_day(day)) for day in days])
    return summary


def _scoped(
    state: dict,
    scope: Scope,
    period: Period,
    reader: TallyReader,
    min_responses: int,
    window_days: int,
    names: Names,
) -> dict:
    """A drill-down page's summary: the same blocks over the rows of ``scope``, offices
    compared with the state's satisfied share."""
    keep = keeps(scope)
    summary = summarise(
        period, reader, min_responses, window_days, scope, state["state_satisfied_share"]
    )
    summary["capacity_building"] = [r for r in state["capacity_building"] if keep(r)]
    summary["officials"] = _officials(
        summary["officials"], summary["offices"], summary["capacity_building"]
    )
    summary["overdue"] = [dict(r) for r in state["overdue"] if keep(r)]
    _name(summary, names)
    summary["generated_at"] = state["generated_at"]
    summary["generated_at_ist"] = state["generated_at_ist"]
    return summary


def ranking_windows(period: Period, window_days: int) -> tuple[Period, Period]:
    """The ranking window and the one before (for the previous rank): a month ranks over
    itself and the month before; a day or a week over the ``window_days`` ending on its last
    day, and the window ending on the previous period's last day."""
    if period.kind == "month":
        return period, period.previous()
    return window(period.end, window_days), window(period.previous().end, window_days)


def build_summary(
    period: Period, current: list[dict], previous: list[dict], min_responses: int
) -> dict:
    """The period's own tables from the two periods' tally rows (pure); the rankings come
    from the rolling window (``standings``)."""

    def tables(rows: list[dict]) -> dict[str, list[dict]]:
        return {
            by: figures.table(rows, by, min_responses)
            for by in ("department", "service", "district")
        }

    now, before = tables(current), tables(previous)
    total_now = figures.figures(_sum(current), min_responses)
    total_before = figures.figures(_sum(previous), min_responses)
    [totals] = rankings.with_trends([total_now], [total_before], ())
    return {
        "period": _describe(period),
        "previous": _describe(period.previous()),
        "min_responses": min_responses,
        "definitions": DEFINITIONS,
        "totals": totals,
        "departments": _ordered(rankings.with_trends(now["department"], before["department"],
                                                     ("department",))),
        "services": rankings.with_trends(now["service"], before["service"],
                                         ("department", "service")),
        "districts": _ordered(rankings.with_trends(now["district"], before["district"],
                                                   ("district",))),
        "inbound": inbound.section(current),  # apart: self-selected, never ranked
    }  # fmt: skip


def _ordered(rows: list[dict]) -> list[dict]:
    """Ranked-style order for small tables: enough data first, by lower bound, then the rest."""
    return sorted(rows, key=lambda r: (r["insufficient_data"], -(r["wilson_low"] or 0), str(r)))


def _sum(rows: list[dict]) -> Counter:
    total: Counter = Counter()
    for row in rows:
        total.update(figures.counters(row))
    return total


def _overdue(ports: ReportPorts, reads: Counter, now: dt.datetime) -> list[dict]:
    cases = sorted(ports.tallies.overdue_cases(), key=lambda c: (c["since"], c["case_id"]))
    reads["overdue_rows"] += len(cases)
    sampled = sorted({c["visit_key"] for c in cases if not inbound.is_inbound(c)})
    found = ports.visits.phones(sampled) if sampled else {}  # inbound: forwarded anonymously
    reads["visit_rows"] += len(found)
    listed = []
    for case in cases:
        phone = found.get(case["visit_key"])
        since = _instant(case.get("since"))
        listed.append(
            {k: case.get(k, "") for k in OVERDUE_COLUMNS[:8]}
            | {
                "since_ist": since.astimezone(IST).strftime("%Y-%m-%d %H:%M IST") if since else "",
                "days_overdue": max(0, (now - since).days) if since else None,
                "citizen_phone": phones.mask(phone)
                if phone
                else ("anonymous" if inbound.is_inbound(case) else "unknown"),
            }
        )
    return listed


def _instant(stamp: object) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _capacity(
    period: Period, reader: TallyReader, min_responses: int
) -> tuple[list[dict], list[str]]:
    """Officials of offices in the bottom decile three calendar months running: the report's
    month and the two before for a month report, else the last three complete months."""
    latest = period if period.kind == "month" else month_of(period.end).previous()
    months = [latest.previous().previous(), latest.previous(), latest]
    rows = [reader.rows(m) for m in months]
    deciles = [
        rankings.bottom_decile(rankings.league(figures.table(r, "office", min_responses), []))
        for r in rows
    ]
    listed = rankings.capacity_building(
        deciles,
        figures.table(rows[-1], "official", min_responses),
        figures.table(rows[-1], "office", min_responses),
        [m.label for m in months],
    )
    return listed, [m.label for m in months]


def _officials(officials: list[dict], offices: list[dict], capacity: list[dict]) -> list[dict]:
    """Each official's standing with their offices' names and their capacity-list entry."""
    office_names = {(o["department"], o["office_code"]): o.get("office_name") for o in offices}
    listed = {(c["department"], c["official_id"]): c for c in capacity}
    result = []
    for row in officials:
        entry = listed.get((row["department"], row["official_id"]))
        result.append(
            row
            | {
                "office_names": [
                    office_names.get((row["department"], code)) or code for code in row["offices"]
                ],
                "capacity_building": entry is not None,
                "capacity_reason": entry["reason"] if entry else "",
            }
        )
    return result


def _name(summary: dict, names: Names) -> None:
    """Put names beside the codes in every table of the summary."""
    offices = {
        (o["department"], o["office_code"]): o.get("office_name") for o in summary["offices"]
    }
    for case in summary["overdue"]:
        case["office_name"] = offices.get((case["department"], case["office_code"])) or ""
    for key in ("departments", "services", "league", "insufficient_data", "offices",
                "needs_attention", "officials", "overdue", "capacity_building"):  # fmt: skip
        summary[key] = [names.label(row) for row in summary.get(key) or []]
    inbound_block = summary.get("inbound") or {}
    for key in ("departments", "offices"):
        if key in inbound_block:
            inbound_block[key] = [names.label(row) for row in inbound_block[key]]


def _write(summary: dict, period: Period, ports: ReportPorts, scoped: list[drilldown.Page]) -> dict:
    prefix = period.prefix
    keys: dict[str, Any] = {
        "summary": prefix + "summary.json",
        "dashboard": prefix + "dashboard.html",
        "csv": {},
        "pages": [prefix + page.key for page in scoped],
    }
    exports_ = {
        "departments": (summary["departments"], CSV_COLUMNS["departments"] + FIGURE_COLUMNS),
        "services": (summary["services"], CSV_COLUMNS["services"] + FIGURE_COLUMNS),
        "districts": (summary["districts"], CSV_COLUMNS["districts"] + FIGURE_COLUMNS),
        "offices": (summary["offices"], CSV_COLUMNS["offices"] + FIGURE_COLUMNS),
        "officials": (summary["officials"], CSV_COLUMNS["officials"] + FIGURE_COLUMNS),
        "overdue": (summary["overdue"], OVERDUE_COLUMNS + OVERDUE_NAMED),
        "capacity_building": (summary["capacity_building"], CAPACITY_COLUMNS),
        "series": (summary["series"], SERIES_COLUMNS),
    }
    for name, (rows, columns) in exports_.items():
        key = f"{prefix}{name}.csv"
        ports.files.put(key, exports.to_csv(rows, columns), "text/csv; charset=utf-8")
        keys["csv"][name] = key
    summary["files"] = keys
    written = {page.key for page in scoped}
    html = dashboard.render(summary, drilldown.state_links(written), drilldown.top_pages(scoped))
    ports.files.put(keys["dashboard"], html.encode("utf-8"), "text/html; charset=utf-8")
    for page in scoped:
        page.summary["files"] = keys
        body = dashboard.render(page.summary, drilldown.page_links(written), charts=False)
        ports.files.put(prefix + page.key, body.encode("utf-8"), "text/html; charset=utf-8")
    document = json.dumps(summary, indent=1, ensure_ascii=False, default=str).encode("utf-8")
    ports.files.put(keys["summary"], document, "application/json")
    return keys


def _fingerprint(summary: dict) -> str:
    volatile = ("generated_at", "generated_at_ist", "reads", "files", "pages")
    stable = {k: v for k, v in summary.items() if k not in volatile}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _subject(summary: dict) -> str:
    period = summary["period"]
    return f"Samvad {period['kind']} report {period['label']}"[:100]


def _message(summary: dict, link: str) -> str:
    t = summary["totals"]
    ranked = summary["league"]
    lines = [
        _subject(summary),
        f"Responses: {t['responses']} of {t['sampled']} sampled; "
        f"satisfied {_pct(t['satisfied_share'])}; money asked {_pct(t['money_asked_share'])}.",
        f"Cases opened {t['cases_opened']}, resolved {t['cases_resolved']}, "
        f"overdue now {len(summary['overdue'])}.",
    ]
    if ranked:
        lines.append(
            f"Top office over {summary['window']['label']}: {ranked[0]['office_name']}; "
            f"last: {ranked[-1]['office_name']}."
        )
    lines += ["Dashboard (link valid for a limited time):", link]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _describe(period: Period) -> dict:
    return {
        "kind": period.kind,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def _setting(
    request: dict, ports: ReportPorts, name: str, default: int, most: int | None = None
) -> int:
    """A positive integer from the request, else the ``reports/settings`` document, else
    ``default``."""
    value = request.get(name)
    if value is None:
        document = ports.config.latest(SETTINGS_CONFIG) or {}
        value = document.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest(f"{name} must be a positive integer, not {value!r}")
    if most is not None and value > most:
        raise BadRequest(f"{name} must be at most {most}, not {value}")
    return value


__all__ = [
    "BadEvent", "BadRequest", "ReportPorts", "month", "record_event", "record_events", "run_report",
]  # fmt: skip
