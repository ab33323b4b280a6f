"""The self-contained HTML dashboard: inline CSS, charts embedded as SVG, no script, no fetch.

Readable on a phone: one column, tables scroll sideways inside their own box. The page is the
Jinja2 template ``templates/dashboard.html`` (every value escaped); its Content-Security-Policy
(in a ``<meta>``, as the file is opened from storage) allows its one style sheet, by hash, and
the embedded chart.
"""

from __future__ import annotations

from typing import Any

from samvad import templates
from samvad.reports.charts import trend_chart

CSS = templates.source("samvad.reports", "dashboard.css")
CONTENT_SECURITY_POLICY = templates.policy(
    f"style-src {templates.style_hash(CSS)}", "img-src data:"
)


def render(summary: dict) -> str:
    period = summary["period"]
    title = f"Samvad report — {period['kind']} {period['label']}"
    tables = [
        _table(
            "departments",
            "Departments",
            summary["departments"],
            [
                ("department", "Department"),
                ("responses", "Responses"),
                ("response_rate", "Response rate"),
                ("mean_rating", "Mean rating"),
                ("satisfied_share", "Satisfied"),
                ("wilson_low", "Lower bound"),
                ("trend", "Trend"),
                ("work_done_share", "Work done"),
                ("money_asked_share", "Money asked"),
                ("poor_rate", "Poor"),
                ("cases_opened", "Cases opened"),
                ("cases_resolved", "Resolved"),
                ("cases_overdue", "Overdue"),
                ("median_hours_to_resolution", "Median hours to resolve"),
                ("sla_compliance", "SLA met"),
            ],
        ),
        _table(
            "league",
            "Office league table (ranked by the 95% lower bound of the satisfied share)",
            summary["league"],
            [
                ("rank", "Rank"),
                ("office", "Office"),
                ("department", "Dept"),
                ("district", "District"),
                ("assessable", "Assessed"),
                ("satisfied_share", "Satisfied"),
                ("wilson_low", "Lower bound"),
                ("trend", "Trend"),
                ("previous_rank", "Previous rank"),
                ("status", "Status"),
            ],
        ),
        _table(
            "districts",
            "Districts",
            summary["districts"],
            [
                ("district", "District"),
                ("responses", "Responses"),
                ("satisfied_share", "Satisfied"),
                ("wilson_low", "Lower bound"),
                ("trend", "Trend"),
                ("poor_rate", "Poor"),
                ("money_asked_share", "Money asked"),
                ("cases_opened", "Cases opened"),
                ("cases_overdue", "Overdue"),
            ],
        ),
        _table(
            "overdue",
            "Overdue cases (past the Chief Minister's office deadline, still open)",
            summary["overdue"],
            [
                ("case_id", "Case"),
                ("department", "Dept"),
                ("office_code", "Office"),
                ("district", "District"),
                ("official_id", "Official"),
                ("level", "Level"),
                ("since", "Overdue since"),
                ("citizen_phone", "Citizen"),
            ],
        ),
    ]
    if summary.get("capacity_building") is not None:
        tables.append(
            _table(
                "capacity",
                "Capacity building (office in the bottom decile 3 months running)",
                summary["capacity_building"],
                [
                    ("official_id", "Official"),
                    ("department", "Dept"),
                    ("office_code", "Office"),
                    ("district", "District"),
                    ("recommendation", "Recommendation"),
                ],
            )
        )
    return templates.render(
        "samvad.reports",
        "dashboard.html",
        policy=CONTENT_SECURITY_POLICY,
        css=CSS,
        title=title,
        period=period,
        previous=summary["previous"]["label"],
        cards=_cards(summary),
        chart=trend_chart(
            summary["departments"], "department", "Satisfied share by department vs previous period"
        ),
        tables=tables,
        notes=list(summary["definitions"].values()),
        generated_at=summary["generated_at"],
    )


def _cards(summary: dict) -> list[tuple[str, object]]:
    t = summary["totals"]
    return [
        ("Sampled", t["sampled"]),
        ("Responses", t["responses"]),
        ("Response rate", _percent(t["response_rate"])),
        ("Mean rating", t["mean_rating"] if t["mean_rating"] is not None else "—"),
        ("Satisfied", _percent(t["satisfied_share"])),
        ("Money asked", _percent(t["money_asked_share"])),
        ("Cases opened", t["cases_opened"]),
        ("Overdue now", len(summary["overdue"])),
    ]


def _table(
    anchor: str, heading: str, rows: list[dict], columns: list[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "anchor": anchor,
        "heading": heading,
        "labels": [label for _, label in columns],
        "rows": [
            {"key": _row_key(anchor, row), "cells": [_cell(name, row) for name, _ in columns]}
            for row in rows
        ],
    }


def _row_key(anchor: str, row: dict) -> str:
    if anchor == "league":
        return f"{row['department']}/{row['office_code']}"
    for name in ("case_id", "official_id", "district", "department"):
        if anchor in ("overdue", "capacity", "districts", "departments") and name in row:
            return str(row[name])
    return ""


def _cell(name: str, row: dict) -> dict[str, str]:
    """One table cell: its CSS class, its text, and (offices) the muted code after it."""
    value = row.get(name)
    if name == "office":
        label = row.get("office_name") or row["office_code"]
        return {"css": "", "text": str(label), "code": str(row["office_code"])}
    if name == "trend":
        if value is None:
            return {"css": "n muted", "text": "—"}
        arrow, css = ("▲", "up") if value > 0 else ("▼", "down") if value < 0 else ("=", "muted")
        return {"css": f"n {css}", "text": f"{arrow} {abs(value) * 100:.1f} pts"}
    if name.endswith(("_share", "_rate", "wilson_low", "sla_compliance")):
        return {"css": "n", "text": _percent(value)}
    if isinstance(value, int | float):
        return {"css": "n", "text": str(value)}
    return {"css": "", "text": "—" if value is None else str(value)}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
