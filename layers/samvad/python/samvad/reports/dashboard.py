"""The self-contained HTML dashboard: inline CSS, charts embedded as SVG, no script, no fetch.

The page is the Jinja2 template ``templates/dashboard.html`` (every value escaped). Labels are
in Odia, Hindi and English (``labels``), switched by radio buttons and CSS. Tables fit the
page: on a phone each row becomes a card of "label: value" lines; on a desktop the columns
wrap their text rather than scroll sideways. Its Content-Security-Policy (in a ``<meta>``,
as the file is opened from storage) allows its one style sheet, by hash, and the embedded
charts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samvad import templates
from samvad.reports import labels
from samvad.reports.charts import series_charts, tile_map
from samvad.reports.drilldown import Links, state_links

CSS = templates.source("samvad.reports", "dashboard.css")
CONTENT_SECURITY_POLICY = templates.policy(
    f"style-src {templates.style_hash(CSS)}", "img-src data:"
)
INSUFFICIENT_SHOWN = 20
Cell = dict[str, str]
Column = tuple[str, Callable[[dict], Cell]]


def render(
    summary: dict,
    links: Links | None = None,
    pages: list[tuple[str, str]] | None = None,
    charts: bool = True,
) -> str:
    """The dashboard of a summary (the state's, or a drill-down page's with its ``scope`` and
    ``heading``); ``links`` to the pages written, ``pages`` listed at the top."""
    period = summary["period"]
    links = links or state_links(set())
    return templates.render(
        "samvad.reports",
        "dashboard.html",
        policy=CONTENT_SECURITY_POLICY,
        css=CSS,
        t=labels.spans,
        caption=labels.attributes,
        languages=labels.names(),
        title=f"Samvad — {period['kind']} {period['label']}",
        heading=summary.get("heading", ""),
        scope=summary.get("scope", ""),
        home=links.home,
        period=period,
        previous=summary["previous"]["label"],
        window=summary["window"],
        cards=_cards(summary),
        charts=series_charts(summary["series"]) if charts and summary.get("series") else [],
        tiles=tile_map(summary["window_districts"]) if charts else "",
        tables=_tables(summary, links),
        insufficient=summary["insufficient_data"][:INSUFFICIENT_SHOWN],
        insufficient_more=max(0, len(summary["insufficient_data"]) - INSUFFICIENT_SHOWN),
        csvs=[key.rsplit("/", 1)[-1] for key in summary["files"]["csv"].values()],
        up=links.up,
        pages=pages or [],
        notes=list(summary["definitions"].values()),
        generated_at=summary["generated_at_ist"],
    )


def _cards(summary: dict) -> list[tuple[str, object]]:
    t = summary["totals"]
    return [
        ("sampled", t["sampled"]),
        ("responses", t["responses"]),
        ("response_rate", _percent(t["response_rate"])),
        ("satisfied", _percent(t["satisfied_share"])),
        ("state_share", _percent(summary.get("state_satisfied_share"))),
        ("money_asked", _percent(t["money_asked_share"])),
        ("cases_opened", t["cases_opened"]),
        ("overdue_now", len(summary["overdue"])),
    ]


def _tables(summary: dict, links: Links) -> list[dict[str, Any]]:
    office = _linked(links, "office", _named("office_name", "office_code", "district"))
    official = _linked(links, "official", _named("official_name", "official_id", "department_name"))
    share = _share()
    tables = [
        _table("league", "league", summary["league"], [
            ("rank", _plain("rank")), ("previous_rank", _plain("previous_rank")),
            ("office", office), ("department", _plain("department_name")),
            ("assessed", _plain("assessable")), ("satisfied", share),
            ("trend", _trend), ("cases_opened", _plain("cases_opened")),
        ], lambda r: f"{r['department']}/{r['office_code']}"),
        _table("attention", "needs_attention", summary["needs_attention"], [
            ("office", office), ("department", _plain("department_name")),
            ("assessed", _plain("assessable")), ("satisfied", share),
            ("upper_bound", _pct("wilson_high")),
        ], lambda r: f"{r['department']}/{r['office_code']}"),
        _table("officials", "officials_section", summary["officials"], [
            ("rank", _plain("rank")), ("previous_rank", _plain("previous_rank")),
            ("official", official), ("offices", _offices),
            ("responses", _plain("responses")), ("satisfied", share),
            ("cases_by_level", _levels), ("atr_in_time", _pct("sla_compliance")),
            ("karmayogi", _karmayogi),
        ], lambda r: f"{r['department']}/{r['official_id']}"),
        _table("departments", "departments", summary["departments"], [
            ("department", _linked(links, "department", _plain("department_name"))),
            ("responses", _plain("responses")), ("response_rate", _pct("response_rate")),
            ("satisfied", share),
            ("trend", _trend), ("money_asked", _pct("money_asked_share")),
            ("cases_opened", _plain("cases_opened")), ("resolved", _plain("cases_resolved")),
            ("overdue", _plain("cases_overdue")),
            ("median_hours", _plain("median_hours_to_resolution")),
            ("sla_met", _pct("sla_compliance")),
        ], lambda r: str(r["department"])),
        _table("districts", "districts", summary["districts"], [
            ("district", _linked(links, "district", _plain("district"))),
            ("responses", _plain("responses")),
            ("satisfied", share), ("trend", _trend),
            ("money_asked", _pct("money_asked_share")),
            ("cases_opened", _plain("cases_opened")), ("overdue", _plain("cases_overdue")),
        ], lambda r: str(r["district"])),
        _table("overdue", "overdue_section", summary["overdue"], [
            ("case", _case), ("service", _named("service_name", "", "department_name")),
            ("office", office), ("official", _plain("official_name")),
            ("level", _plain("level")), ("overdue_since", _plain("since_ist")),
            ("days_overdue", _plain("days_overdue")), ("citizen", _plain("citizen_phone")),
        ], lambda r: str(r["case_id"])),
        _table("inbound", "inbound_section", _inbound(summary), [
            ("department", _plain("department_name")), ("registered", _plain("registered")),
            ("resolved", _plain("resolved")), ("reopen_rate", _pct("reopen_rate")),
            ("median_hours", _plain("median_hours_to_resolution")),
            ("overdue", _plain("overdue")),
        ], lambda r: str(r["department"])),
        _table("capacity", "capacity_section", summary["capacity_building"], [
            ("official", official), ("office", office), ("why", _plain("reason")),
            ("recommendation", _plain("recommendation")),
        ], lambda r: f"{r['department']}/{r['official_id']}/{r['office_code']}"),
    ]  # fmt: skip
    return tables


def _inbound(summary: dict) -> list[dict]:
    """Inbound grievances per department: a table apart from the sampled feedback's."""
    return list((summary.get("inbound") or {}).get("departments") or [])


def _table(
    anchor: str, heading: str, rows: list[dict], columns: list[Column], key: Callable[[dict], str]
) -> dict[str, Any]:
    return {
        "anchor": anchor,
        "heading": heading,
        "labels": [label for label, _ in columns],
        "rows": [
            {"key": key(row), "cells": [(label, cell(row)) for label, cell in columns]}
            for row in rows
        ],
    }


def _linked(links: Links, level: str, cell: Callable[[dict], Cell]) -> Callable[[dict], Cell]:
    """``cell`` with a link to the row's drill-down page, when that page was written."""

    def linked(row: dict) -> Cell:
        found = cell(row)
        href = links.href(level, row)
        return found | {"href": href} if href else found

    return linked


def _plain(name: str) -> Callable[[dict], Cell]:
    def cell(row: dict) -> Cell:
        value = row.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"css": "n", "text": str(value)}
        return {"css": "", "text": "—" if value in (None, "") else str(value)}

    return cell


def _pct(name: str) -> Callable[[dict], Cell]:
    return lambda row: {"css": "n", "text": _percent(row.get(name))}


def _named(name: str, code: str, detail: str) -> Callable[[dict], Cell]:
    """A name, then (muted, on its own line) its code and a detail such as the district."""

    def cell(row: dict) -> Cell:
        label = str(row.get(name) or (row.get(code) if code else "") or "—")
        shown = [str(row[k]) for k in (code, detail) if k and row.get(k)]
        return {"css": "", "text": label, "sub": " · ".join(s for s in shown if s != label)}

    return cell


def _share() -> Callable[[dict], Cell]:
    def cell(row: dict) -> Cell:
        if row.get("satisfied_share") is None:
            return {"css": "n", "text": "—"}
        interval = f"{_percent(row['wilson_low'])}–{_percent(row['wilson_high'])}"
        return {"css": "n", "text": _percent(row["satisfied_share"]), "sub": interval}

    return cell


def _trend(row: dict) -> Cell:
    value = row.get("trend")
    if value is None:
        return {"css": "n muted", "text": "—"}
    arrow, css = ("▲", "up") if value > 0 else ("▼", "down") if value < 0 else ("=", "muted")
    return {"css": f"n {css}", "text": f"{arrow} {abs(value) * 100:.1f} pts"}


def _offices(row: dict) -> Cell:
    return {"css": "", "text": ", ".join(row.get("office_names") or row.get("offices") or [])}


def _levels(row: dict) -> Cell:
    escalated = row.get("escalated_by_level") or {}
    steps = "/".join(str(escalated.get(level, 0)) for level in ("2", "3", "4"))
    return {"css": "n", "text": str(row.get("cases_opened", 0)), "sub": steps}


def _karmayogi(row: dict) -> Cell:
    if not row.get("capacity_building"):
        return {"css": "", "text": "", "label": "no"}
    return {"css": "down", "text": "", "label": "yes", "sub": row.get("capacity_reason", "")}


def _case(row: dict) -> Cell:
    case = str(row.get("case_id", ""))
    return {"css": "", "text": case[:13] + ("…" if len(case) > 13 else ""), "title": case}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
