"""The reports use cases, written against ports (no boto3 here).

* ``record_event``: one domain event (the EventBridge envelope) → idempotent tally updates.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samvad import phones, resources
from samvad.ports import ConfigReader, Documents, Notifier, ReportFiles, TallyStore, VisitPhones
from samvad.reports import dashboard, exports, figures, rankings
from samvad.reports.periods import BadRequest, Period, month, period_of
from samvad.reports.tally import TALLIED, BadEvent, updates_for

log = logging.getLogger(__name__)
SETTINGS_CONFIG = "reports/settings"
DEFINITIONS = {
    "satisfied": "Satisfied: rating 4 or 5, and the work was done, and no money was asked. A "
    "response that says neither (no rating or no answer on the work, nothing negative) is "
    "not assessable and left out of the share.",
    "ranking": "Offices are ranked by the lower bound of the Wilson 95% interval of the "
    "satisfied share, never by the raw share; below the minimum of assessable responses an "
    "office is listed as insufficient data and not ranked.",
    "response_rate": "Response rate: responses / citizens sampled on the run date.",
    "trend": "Trend: change of the lower bound against the previous period of the same "
    "length (shown only when both periods have enough responses).",
    "sla": "SLA met: of the level deadlines that ended in the period, the share ended by the "
    "official acting (case resolved, or moved on because the citizen was not satisfied or "
    "not reachable) rather than by a timeout or an overdue case.",
    "median": "Median time to resolution: from a histogram of case durations, interpolated "
    "within the bucket that holds it.",
    "privacy": "Citizens appear only as masked phone numbers; no free text is shown.",
}
CSV_COLUMNS = {
    "departments": ["department"],
    "services": ["department", "service"],
    "districts": ["district"],
    "offices": ["rank", "rank_in_department", "department", "office_code", "office_name",
                "district", "status", "previous_rank"],
    "officials": ["department", "official_id", "offices"],
}  # fmt: skip
FIGURE_COLUMNS = [
    "sampled", "reached", "contacts_completed", "responses", "response_rate", "mean_rating",
    "work_done_share", "money_asked_share", "poor_rate", "assessable", "satisfied",
    "satisfied_share", "wilson_low", "wilson_high", "insufficient_data", "trend",
    "previous_satisfied_share", "cases_opened", "escalated_by_level", "resolved_by_level",
    "cases_resolved", "cases_overdue", "median_hours_to_resolution", "sla_compliance",
]  # fmt: skip
OVERDUE_COLUMNS = ["case_id", "department", "service", "office_code", "district", "official_id",
                   "level", "since", "citizen_phone"]  # fmt: skip
CAPACITY_COLUMNS = ["official_id", "department", "office_code", "office_name", "district",
                    "months_in_bottom_decile", "office_wilson_low", "recommendation"]  # fmt: skip


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


def record_event(event: dict, ports: ReportPorts) -> dict:
    """Tally one EventBridge event; returns how many updates were new and how many repeats."""
    if not isinstance(event, dict) or event.get("source") != resources.EVENT_SOURCE:
        raise BadEvent(f"not a {resources.EVENT_SOURCE} event: {str(event)[:200]}")
    detail_type = event.get("detail-type")
    if detail_type not in TALLIED:
        return {"detail_type": detail_type, "applied": 0, "repeated": 0, "ignored": True}
    updates = updates_for(detail_type, event.get("detail"), ports.selections.get_json)
    applied = sum(1 for update in updates if ports.tallies.apply(update))
    return {"detail_type": detail_type, "applied": applied, "repeated": len(updates) - applied}


# -- the report ------------------------------------------------------------------------------


def run_report(request: dict, ports: ReportPorts) -> dict:
    """Build, store and announce the report a request names (see ``periods.period_of``)."""
    now = ports.clock()
    period = period_of(request, now)
    min_responses = _min_responses(request, ports)
    reads: Counter[str] = Counter()
    current = _rows(period, ports, reads)
    previous = _rows(period.previous(), ports, reads)
    summary = build_summary(period, current, previous, min_responses)
    summary["overdue"] = _overdue(ports, reads)
    if period.kind == "month":
        summary["capacity_building"] = _capacity(period, current, previous, min_responses, ports)
    summary["reads"] = dict(reads)
    summary["generated_at"] = now.isoformat(timespec="seconds")
    keys = _write(summary, period, ports)
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


def build_summary(
    period: Period, current: list[dict], previous: list[dict], min_responses: int
) -> dict:
    """Every table of the report from the two periods' tally rows (pure)."""

    def tables(rows: list[dict]) -> dict[str, list[dict]]:
        return {
            by: figures.table(rows, by, min_responses)
            for by in ("department", "service", "district", "office", "official")
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
        "league": rankings.league(now["office"], before["office"]),
        "officials": rankings.with_trends(now["official"], before["official"],
                                          ("department", "official_id")),
    }  # fmt: skip


def _ordered(rows: list[dict]) -> list[dict]:
    """Ranked-style order for small tables: enough data first, by lower bound, then the rest."""
    return sorted(rows, key=lambda r: (r["insufficient_data"], -(r["wilson_low"] or 0), str(r)))


def _rows(period: Period, ports: ReportPorts, reads: Counter) -> list[dict]:
    rows = []
    for partition in period.partitions():
        found = ports.tallies.rows(partition)
        reads["tally_queries"] += 1
        reads["tally_rows"] += len(found)
        rows += found
    return rows


def _sum(rows: list[dict]) -> Counter:
    total: Counter = Counter()
    for row in rows:
        total.update(figures.counters(row))
    return total


def _overdue(ports: ReportPorts, reads: Counter) -> list[dict]:
    cases = sorted(ports.tallies.overdue_cases(), key=lambda c: (c["since"], c["case_id"]))
    reads["overdue_rows"] += len(cases)
    found = ports.visits.phones(sorted({c["visit_key"] for c in cases})) if cases else {}
    reads["visit_rows"] += len(found)
    listed = []
    for case in cases:
        phone = found.get(case["visit_key"])
        listed.append(
            {k: case.get(k, "") for k in OVERDUE_COLUMNS if k != "citizen_phone"}
            | {"citizen_phone": phones.mask(phone) if phone else "unknown"}
        )
    return listed


def _capacity(
    period: Period,
    current: list[dict],
    previous: list[dict],
    min_responses: int,
    ports: ReportPorts,
) -> list[dict]:
    """Officials of offices in the bottom decile this month and the two before."""
    older = period.previous().previous()
    months = [ports.tallies.rows(p) for p in older.partitions()] + [previous, current]
    deciles = [
        rankings.bottom_decile(rankings.league(figures.table(rows, "office", min_responses), []))
        for rows in months
    ]
    return rankings.capacity_building(
        deciles,
        figures.table(current, "official", min_responses),
        figures.table(current, "office", min_responses),
    )


def _write(summary: dict, period: Period, ports: ReportPorts) -> dict:
    prefix = period.prefix
    keys: dict[str, Any] = {
        "summary": prefix + "summary.json",
        "dashboard": prefix + "dashboard.html",
        "csv": {},
    }
    exports_ = {
        "departments": (summary["departments"], CSV_COLUMNS["departments"] + FIGURE_COLUMNS),
        "services": (summary["services"], CSV_COLUMNS["services"] + FIGURE_COLUMNS),
        "districts": (summary["districts"], CSV_COLUMNS["districts"] + FIGURE_COLUMNS),
        "offices": (summary["league"], CSV_COLUMNS["offices"] + FIGURE_COLUMNS),
        "officials": (summary["officials"], CSV_COLUMNS["officials"] + FIGURE_COLUMNS),
        "overdue": (summary["overdue"], OVERDUE_COLUMNS),
    }
    if summary.get("capacity_building") is not None:
        exports_["capacity_building"] = (summary["capacity_building"], CAPACITY_COLUMNS)
    for name, (rows, columns) in exports_.items():
        key = f"{prefix}{name}.csv"
        ports.files.put(key, exports.to_csv(rows, columns), "text/csv; charset=utf-8")
        keys["csv"][name] = key
    summary["files"] = keys
    html = dashboard.render(summary)
    ports.files.put(keys["dashboard"], html.encode("utf-8"), "text/html; charset=utf-8")
    body = json.dumps(summary, indent=1, ensure_ascii=False, default=str).encode("utf-8")
    ports.files.put(keys["summary"], body, "application/json")
    return keys


def _fingerprint(summary: dict) -> str:
    stable = {k: v for k, v in summary.items() if k not in ("generated_at", "reads", "files")}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _subject(summary: dict) -> str:
    period = summary["period"]
    return f"Samvad {period['kind']} report {period['label']}"[:100]


def _message(summary: dict, link: str) -> str:
    t = summary["totals"]
    ranked = [r for r in summary["league"] if r["rank"] is not None]
    lines = [
        _subject(summary),
        f"Responses: {t['responses']} of {t['sampled']} sampled; "
        f"satisfied {_pct(t['satisfied_share'])}; money asked {_pct(t['money_asked_share'])}.",
        f"Cases opened {t['cases_opened']}, resolved {t['cases_resolved']}, "
        f"overdue now {len(summary['overdue'])}.",
    ]
    if ranked:
        lines.append(f"Top office: {ranked[0]['office_code']}; last: {ranked[-1]['office_code']}.")
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


def _min_responses(request: dict, ports: ReportPorts) -> int:
    value = request.get("min_responses")
    if value is None:
        document = ports.config.latest(SETTINGS_CONFIG) or {}
        value = document.get("min_responses", figures.DEFAULT_MIN_RESPONSES)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest(f"min_responses must be a positive integer, not {value!r}")
    return value


__all__ = ["BadEvent", "BadRequest", "ReportPorts", "month", "record_event", "run_report"]
