"""Rankings over the rolling window: the office league, the short list of offices without
enough data, the offices that need attention, and the officials' standings.

Pure: tally rows of the window and of the window before in, tables out.
"""

from __future__ import annotations

from collections import Counter

from samvad.reports import figures, rankings


def standings(
    window: list[dict], before: list[dict], min_responses: int, state_share: float | None = None
) -> dict:
    """The window's rankings, each with the rank the window before gave. Offices need
    attention against ``state_share`` (default: the share of all of ``window``)."""
    offices = figures.table(window, "office", min_responses)
    previous_offices = figures.table(before, "office", min_responses)
    everyone = rankings.league(offices, previous_offices)
    officials = rankings.league(
        figures.table(window, "official", min_responses),
        figures.table(before, "official", min_responses),
        rankings.OFFICIAL_KEYS,
    )
    state: Counter[str] = Counter()
    for row in window:
        state.update(figures.counters(row))
    if state_share is None:
        state_share = figures.figures(state, min_responses)["satisfied_share"]
    return {
        "league": [r for r in everyone if r["rank"] is not None],
        "insufficient_data": [_short(r, min_responses) for r in everyone if r["rank"] is None],
        "offices": everyone,
        "state_satisfied_share": state_share,
        "needs_attention": rankings.needs_attention(everyone, state_share),
        "officials": officials,
        "window_districts": figures.table(window, "district", min_responses),
    }


def _short(row: dict, min_responses: int) -> dict:
    keep = ("department", "office_code", "office_name", "district", "assessable", "responses")
    return {k: row.get(k) for k in keep} | {"needed": max(0, min_responses - row["assessable"])}
