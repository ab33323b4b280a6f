"""The self-contained HTML dashboard: inline CSS, charts embedded as SVG, no script, no fetch.

Readable on a phone: one column, tables scroll sideways inside their own box. Every piece of
text from the data is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from samvad.reports.charts import trend_chart

CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans","Noto Sans Oriya",sans-serif;margin:0;
color:#1b1b1b;background:#f6f7f9;line-height:1.4}
header{background:#123d6a;color:#fff;padding:12px 16px}header h1{font-size:1.2rem;margin:0}
main{padding:8px 12px;max-width:1100px;margin:auto}
section{background:#fff;border-radius:8px;padding:10px 12px;margin:10px 0;
box-shadow:0 1px 2px rgba(0,0,0,.08)}h2{font-size:1.05rem;margin:4px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px}
.card{background:#eef3fa;border-radius:6px;padding:8px}.card b{display:block;font-size:1.3rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:4px 6px;border-bottom:1px solid #e3e6ea;text-align:left;white-space:nowrap}
th{background:#f0f2f5;position:sticky;top:0}td.n{text-align:right}
.up{color:#17692f}.down{color:#a3231b}.muted{color:#6b7280}img{max-width:100%;height:auto}
footer{font-size:.8rem;color:#4b5563;padding:8px 16px 24px}
"""


def render(summary: dict) -> str:
    period = summary["period"]
    title = f"Samvad report — {period['kind']} {period['label']}"
    sections = [
        _headline(summary),
        _table_section(
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
        _chart(summary),
        _table_section(
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
        _table_section(
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
        _table_section(
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
        sections.append(
            _table_section(
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
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><div>{escape(period['start'])} to "
        f"{escape(period['end'])}, compared with {escape(summary['previous']['label'])}</div>"
        f"</header><main>{''.join(sections)}</main>{_footer(summary)}</body></html>\n"
    )


def _headline(summary: dict) -> str:
    t = summary["totals"]
    cards = [
        ("Sampled", t["sampled"]),
        ("Responses", t["responses"]),
        ("Response rate", _percent(t["response_rate"])),
        ("Mean rating", t["mean_rating"] if t["mean_rating"] is not None else "—"),
        ("Satisfied", _percent(t["satisfied_share"])),
        ("Money asked", _percent(t["money_asked_share"])),
        ("Cases opened", t["cases_opened"]),
        ("Overdue now", len(summary["overdue"])),
    ]
    body = "".join(f"<div class='card'>{escape(k)}<b>{escape(str(v))}</b></div>" for k, v in cards)
    return f"<section id='headline'><h2>At a glance</h2><div class='cards'>{body}</div></section>"


def _chart(summary: dict) -> str:
    uri = trend_chart(
        summary["departments"], "department", "Satisfied share by department vs previous period"
    )
    return (
        "<section id='trend'><h2>Trend</h2>"
        f"<img alt='Satisfied share by department, this period and the previous' src='{uri}'>"
        "</section>"
    )


def _table_section(
    anchor: str, heading: str, rows: list[dict], columns: list[tuple[str, str]]
) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    if rows:
        body = "".join(
            f"<tr data-key='{escape(_row_key(anchor, row))}'>"
            + "".join(_cell(name, row) for name, _ in columns)
            + "</tr>"
            for row in rows
        )
    else:
        body = f"<tr class='empty'><td colspan='{len(columns)}' class='muted'>none</td></tr>"
    return (
        f"<section><h2>{escape(heading)}</h2><div class='scroll'><table id='{anchor}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>"
    )


def _row_key(anchor: str, row: dict) -> str:
    if anchor == "league":
        return f"{row['department']}/{row['office_code']}"
    for name in ("case_id", "official_id", "district", "department"):
        if anchor in ("overdue", "capacity", "districts", "departments") and name in row:
            return str(row[name])
    return ""


def _cell(name: str, row: dict) -> str:
    value = row.get(name)
    if name == "office":
        label = row.get("office_name") or row["office_code"]
        return f"<td>{escape(label)} <span class='muted'>{escape(row['office_code'])}</span></td>"
    if name == "trend":
        if value is None:
            return "<td class='n muted'>—</td>"
        arrow, css = ("▲", "up") if value > 0 else ("▼", "down") if value < 0 else ("=", "muted")
        return f"<td class='n {css}'>{arrow} {abs(value) * 100:.1f} pts</td>"
    if name.endswith(("_share", "_rate", "wilson_low", "sla_compliance")):
        return f"<td class='n'>{escape(_percent(value))}</td>"
    if isinstance(value, int | float):
        return f"<td class='n'>{escape(str(value))}</td>"
    return f"<td>{escape('—' if value is None else str(value))}</td>"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _footer(summary: dict) -> str:
    notes = "".join(f"<li>{escape(text)}</li>" for text in summary["definitions"].values())
    return f"<footer><ul>{notes}</ul><p>Generated {escape(summary['generated_at'])}</p></footer>"
