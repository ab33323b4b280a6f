"""The daily-series charts as inline SVG for a page in one language (the workspace's
drill-down): the static dashboard's matplotlib charts (``reports.charts.series_figure``),
sized for a phone, with their words outside the drawing.

matplotlib draws text as paths (no font needed, so no Odia or Devanagari font on the
server either): the drawing keeps only numbers, dates (dd/mm) and "%"/"h"; the title, the
description, the legend and the data table are the page's, in its language. Each SVG gets
``role="img"``, a ``<title>`` and a ``<desc>`` that ``aria-labelledby`` names, its ids
prefixed with the chart's (several charts share a page), no size of its own (it fills its
box: ``viewBox`` only) and no ``<style>`` (the page styles it). It holds no text from the
data, only numbers.
"""

from __future__ import annotations

import io
import re
from typing import Any

from markupsafe import escape

from samvad.reports.charts import CASE_LINES, SERIES, series_figure
from samvad.reports.labels import text

TITLES = {"share": "chart_share", "rate": "chart_rate", "cases": "chart_cases",
          "median": "chart_median"}  # fmt: skip
"""Each chart's title: a key of the reports' label catalogs."""
PHONE = (4.0, 2.5)
"""Inches: ~290 × 180 pt of drawing, shown ~370 px wide on a phone, so the 11 pt tick labels
are ~14 px there."""
LABEL_SIZE = 11
_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def series_svgs(points: list[dict], language: str, prefix: str = "chart") -> list[dict]:
    """The four charts of ``points`` (``reports.series.daily``) in ``language``: each
    ``{"id", "title", "desc", "svg", "legend": [[colour, label]]}``."""
    charts = []
    for name in SERIES:
        chart_id = f"{prefix}-{name}"
        title = text(TITLES[name], language)
        figure = series_figure(
            name, points, size=PHONE, labelsize=LABEL_SIZE, legend=False, date_format="%d/%m"
        )
        desc = describe(name, points, language)
        charts.append({
            "id": chart_id, "title": title, "desc": desc,
            "svg": inline_svg(figure, chart_id, title, desc), "legend": legend(name, language),
        })  # fmt: skip
    return charts


def legend(name: str, language: str) -> list[list[str]]:
    """The chart's key, in the page's language: [colour, label] per line or band."""
    if name == "cases":
        keys = {"cases_opened": "cases_opened", "cases_resolved": "resolved",
                "cases_overdue": "overdue"}  # fmt: skip
        return [[colour, text(keys[field], language)] for field, colour, _ in CASE_LINES]
    if name == "share":
        return [["#1f5fa8", text("satisfied", language)], ["#b8c4d6", text("interval", language)]]
    return []


def describe(name: str, points: list[dict], language: str) -> str:
    """One line for ``<desc>``: the days shown and the latest value."""
    if not points:
        return text("no_data", language)
    span = f"{points[0]['date']} – {points[-1]['date']}"
    field = {"share": "satisfied_share", "rate": "response_rate", "cases": "cases_opened",
             "median": "median_hours_to_resolution"}[name]  # fmt: skip
    found = [p for p in points if p.get(field) is not None and (name != "share" or p["assessable"])]
    if not found:
        return f"{span}: {text('no_data', language)}"
    last = found[-1]
    value = last[field]
    shown = f"{value * 100:.1f}%" if name in ("share", "rate") else f"{value:g}"
    if name == "share":
        shown += f" ({last['wilson_low'] * 100:.1f}–{last['wilson_high'] * 100:.1f}%)"
    return f"{span}. {text('latest', language)} ({last['date']}): {shown}"


def inline_svg(figure: Any, chart_id: str, title: str, desc: str) -> str:
    """A figure as an ``<svg>`` element to put in a page (see the module)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->|<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, flags=re.S)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", svg)
    root_end = svg.index(">") + 1
    root = re.sub(r'\s(width|height)="[^"]*"', "", svg[: root_end - 1])
    head = (
        f'{root} class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return head + svg[root_end:].strip()
