"""Charts rendered server-side with matplotlib, as SVG (text drawn as paths: no fonts needed)."""

from __future__ import annotations

import base64
import io
import os
import tempfile
from typing import Any


def _figure(width: float, height: float) -> Any:
    # Lambda's home is read-only: matplotlib keeps its cache wherever MPLCONFIGDIR says.
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "samvad"  # stable ids: same data, same bytes
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


SERIES = ("share", "rate", "cases", "median")
"""The four daily-series charts, in the order they are drawn."""
CASE_LINES = (("cases_opened", "#a3231b", "opened"), ("cases_resolved", "#17692f", "resolved"),
              ("cases_overdue", "#6b7280", "overdue"))  # fmt: skip
"""The cases chart's lines: the point's field, the colour, the legend's English word."""


def series_charts(points: list[dict]) -> list[tuple[str, str]]:
    """Four small charts of the daily series: (alt text, ``data:`` URI) each."""
    titles = {
        "share": ("Daily satisfied share with its 95% interval", "Satisfied share, %"),
        "rate": ("Daily response rate", "Response rate, %"),
        "cases": ("Cases opened, resolved and overdue per day", "Cases per day"),
        "median": ("Median hours to resolution per day", "Median hours to resolve"),
    }
    charts = []
    for name in SERIES:
        figure = series_figure(name, points, size=(5.0, 2.4), labelsize=9, legend=True)
        figure.axes[0].set_title(titles[name][1], fontsize=11)
        charts.append((titles[name][0], _data_uri(figure)))
    return charts


def series_figure(
    name: str,
    points: list[dict],
    size: tuple[float, float],
    labelsize: float,
    legend: bool,
    date_format: str = "%d %b",
) -> Any:
    """One chart of ``SERIES`` over the daily ``points``, without a title (the caller's, in
    its language): the figure, for ``_data_uri`` or ``inline_svg``."""
    import datetime as dt

    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator

    days = [dt.date.fromisoformat(p["date"]) for p in points]
    figure = _figure(*size)
    axes = figure.subplots()
    if name == "share":
        with_data = [(d, p) for d, p in zip(days, points, strict=True) if p["assessable"]]
        x = [d for d, _ in with_data]
        axes.fill_between(
            x, [p["wilson_low"] * 100 for _, p in with_data],
            [p["wilson_high"] * 100 for _, p in with_data], color="#b8c4d6", label="95% interval",
        )  # fmt: skip
        axes.plot(x, [p["satisfied_share"] * 100 for _, p in with_data], "o-", color="#1f5fa8",
                  ms=4, clip_on=False)  # fmt: skip
        axes.set_ylim(0, 100)
        axes.set_ylabel("%", fontsize=labelsize)
    elif name == "rate":
        rated = [(d, p["response_rate"]) for d, p in zip(days, points, strict=True)]
        rated = [(d, r) for d, r in rated if r is not None]  # no sample that day: no point
        axes.plot([d for d, _ in rated], [r * 100 for _, r in rated], "o-", color="#1f5fa8", ms=4,
                  clip_on=False)  # fmt: skip
        axes.set_ylim(0, 100)
        axes.set_ylabel("%", fontsize=labelsize)
    elif name == "cases":
        for key, colour, label in CASE_LINES:
            axes.plot(days, [p[key] for p in points], color=colour, label=label, clip_on=False)
        most = max((p[key] for p in points for key, _, _ in CASE_LINES), default=0)
        axes.set_ylim(0, max(most, 4) * 1.1)  # counts: from 0, never a ±0.04 axis
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        if legend:
            axes.legend(fontsize=8, loc="upper left")
    else:
        timed = [(d, p["median_hours_to_resolution"]) for d, p in zip(days, points, strict=True)]
        timed = [(d, h) for d, h in timed if h is not None]
        axes.plot([d for d, _ in timed], [h for _, h in timed], "o-", color="#1f5fa8", ms=4,
                  clip_on=False)  # fmt: skip
        axes.set_ylim(0, max((h for _, h in timed), default=0) * 1.1 or 24)
        axes.set_ylabel("hours" if legend else "h", fontsize=labelsize)
    if days:  # the whole span, however few days have data, a day's margin each side
        axes.set_xlim(days[0] - dt.timedelta(days=1), days[-1] + dt.timedelta(days=1))
    axes.tick_params(labelsize=labelsize)
    axes.grid(alpha=0.3)
    figure.autofmt_xdate(rotation=0, ha="center")
    if legend:
        axes.xaxis.set_major_locator(mdates.MonthLocator())
    else:  # a phone's width: four dates at most
        axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
    axes.xaxis.set_major_formatter(mdates.DateFormatter(date_format))
    return figure


def tile_map(districts: list[dict]) -> str:
    """Odisha's districts as tiles coloured by the lower bound of the satisfied share (grey:
    insufficient data or no responses). Returns a ``data:`` URI."""
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    from samvad.reports.tiles import TILES, district_name

    found = {}
    for row in districts:
        name = district_name(str(row.get("district", "")))
        if name:
            found[name] = row
    figure = _figure(5.0, 5.8)
    axes = figure.subplots()
    colours = colormaps["RdYlGn"]
    for name, (column, row_) in TILES.items():
        data = found.get(name)
        low = None if not data or data["insufficient_data"] else data["wilson_low"]
        face = "#d9dde3" if low is None else colours(low)
        axes.add_patch(Rectangle((column, -row_), 0.94, 0.94, facecolor=face, edgecolor="white"))
        value = "—" if low is None else f"{low * 100:.0f}%"
        axes.text(column + 0.47, -row_ + 0.64, _two_lines(name), ha="center", va="center",
                  fontsize=9, linespacing=0.9)  # fmt: skip
        axes.text(column + 0.47, -row_ + 0.2, value, ha="center", va="center", fontsize=11,
                  fontweight="bold")  # fmt: skip
    axes.set_xlim(-0.1, 6.1)
    axes.set_ylim(-6.1, 1.05)
    axes.set_aspect("equal")
    axes.axis("off")
    axes.set_title("Lower bound of the satisfied share (grey: too few responses)", fontsize=10)
    return _data_uri(figure)


def _two_lines(name: str) -> str:
    """A long district name split over two lines, so the tile's text can stay large."""
    if len(name) <= 9:
        return name
    middle = (len(name) + 1) // 2
    return f"{name[:middle]}-\n{name[middle:]}"


def _data_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
