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


def trend_chart(rows: list[dict], label_key: str, title: str) -> str:
    """Horizontal bars: satisfied share this period (with its Wilson 95% interval) beside the
    previous period's, one pair per row. Returns a ``data:image/svg+xml`` URI."""
    shown = [r for r in rows if r.get("satisfied_share") is not None][:20]
    figure = _figure(6.0, 1.2 + 0.45 * max(1, len(shown)))
    axes = figure.subplots()
    labels = [str(r[label_key]) for r in shown]
    positions = list(range(len(shown)))
    now = [r["satisfied_share"] * 100 for r in shown]
    before = [(r.get("previous_satisfied_share") or 0) * 100 for r in shown]
    low = [max(0.0, (r["satisfied_share"] - r["wilson_low"]) * 100) for r in shown]
    high = [max(0.0, (r["wilson_high"] - r["satisfied_share"]) * 100) for r in shown]
    axes.barh([p + 0.2 for p in positions], before, height=0.4, color="#b8c4d6", label="previous")
    axes.barh(
        [p - 0.2 for p in positions],
        now,
        height=0.4,
        color="#1f5fa8",
        xerr=[low, high],
        error_kw={"ecolor": "#333333", "capsize": 2, "elinewidth": 0.8},
        label="this period (95% interval)",
    )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("satisfied share, %")
    axes.set_title(title, fontsize=10)
    axes.legend(loc="lower right", fontsize=7)
    if not shown:
        axes.text(50, 0, "no responses yet", ha="center", va="center")
    return _data_uri(figure)


def _data_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
