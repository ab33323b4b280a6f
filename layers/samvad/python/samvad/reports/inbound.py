"""Inbound grievances in the reports: counted apart from the sampled feedback.

Citizens who call, text or write in first are self-selected, not a random sample: their
grievances get their own counters (``inbound_*``) at the same grain (department, service,
office, district), never the survey's (``responses``, ``satisfied``…) nor the feedback
cases' (``cases_opened``, ``sla_met``…), so they never enter the rankings' satisfied share.
A grievance case's events (``case-grv-…``) are counted under ``inbound_`` names.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from samvad.reports.periods import ist_date
from samvad.reports.stats import TTR_BUCKET_HOURS, median_from_histogram

if TYPE_CHECKING:
    from samvad.reports.tally import TallyUpdate

PREFIX = "inbound_"
CASE_PREFIX = "case-grv-"
LEVELS = (1, 2, 3, 4)


def is_inbound(detail: dict) -> bool:
    return str(detail.get("case_id") or "").startswith(CASE_PREFIX)


def with_blanks_named(detail: dict) -> dict:
    """A grievance case's event with its unknown service or office named ``-``."""
    return {**detail, **{k: _part(detail, k) for k in ("service", "office_code")}}


def _part(detail: dict, name: str) -> str:
    value = str(detail.get(name) or "").strip()
    return value.replace("#", "_") if value else "-"


def registered(detail: dict) -> list[TallyUpdate]:
    """``GrievanceRegistered`` → one update: registered, by channel and by category."""
    # tally imports this module
    from samvad.reports.tally import NO_OFFICIAL, BadEvent, Grain, TallyUpdate

    reference = str(detail.get("reference") or "")
    if not reference or not detail.get("registered_at"):
        raise BadEvent("GrievanceRegistered needs reference and registered_at")
    grain = Grain(
        department=_part(detail, "department"),
        service=_part(detail, "service"),
        office_code=_part(detail, "office_code"),
        official_id=NO_OFFICIAL,
        district=str(detail.get("district") or ""),
    )
    add = {
        f"{PREFIX}registered": 1,
        f"{PREFIX}channel_{_part(detail, 'channel')}": 1,
        f"{PREFIX}category_{_part(detail, 'category')}": 1,
    }
    day = ist_date(str(detail["registered_at"]))
    return [TallyUpdate(f"GrievanceRegistered#{reference}", day, grain, add)]


def separated(update: TallyUpdate, detail: dict) -> TallyUpdate:
    """A grievance case's update with its counters renamed ``inbound_*`` (and a reopen
    counted when the citizen said it was not resolved)."""
    add = {f"{PREFIX}{name}": value for name, value in update.add.items()}
    if detail.get("reason") == "citizen_not_resolved":
        add[f"{PREFIX}reopened"] = 1
    return dataclasses.replace(update, add=add)


def _figures(total: Counter) -> dict:
    resolved = sum(total[f"{PREFIX}resolved_l{level}"] for level in LEVELS)
    registered_ = total[f"{PREFIX}registered"]
    histogram = [int(total[f"{PREFIX}ttr_{i:02d}"]) for i in range(len(TTR_BUCKET_HOURS))]
    median = median_from_histogram(histogram)
    return {
        "registered": int(registered_),
        "cases_opened": int(total[f"{PREFIX}cases_opened"]),
        "resolved": int(resolved),
        "overdue": int(total[f"{PREFIX}overdue"]),
        "reopened": int(total[f"{PREFIX}reopened"]),
        "reopen_rate": round(total[f"{PREFIX}reopened"] / resolved, 4) if resolved else None,
        "median_hours_to_resolution": round(median, 1) if median is not None else None,
    }


def _sum(rows: Iterable[dict]) -> Counter:
    total: Counter = Counter()
    for row in rows:
        total.update({k: v for k, v in row.items() if k.startswith(PREFIX)})
    return total


def _by(rows: list[dict], *keys: str) -> list[dict]:
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(str(row.get(k, "")) for k in keys), []).append(row)
    table = []
    for key, members in sorted(groups.items()):
        total = _sum(members)
        if not any(total.values()):
            continue
        table.append({**dict(zip(keys, key, strict=True)), **_figures(total)})
    return table


def section(rows: list[dict]) -> dict:
    """The reports' inbound block: totals, by channel and category, per department and office."""
    total = _sum(rows)
    named = {
        kind: {
            name.removeprefix(f"{PREFIX}{kind}_"): int(value)
            for name, value in sorted(total.items())
            if name.startswith(f"{PREFIX}{kind}_")
        }
        for kind in ("channel", "category")
    }
    return {
        "note": "Self-selected: citizens who came forward, not a random sample; never in the "
        "rankings' satisfied share.",
        "totals": _figures(total),
        "by_channel": named["channel"],
        "by_category": named["category"],
        "departments": _by(rows, "department"),
        "offices": _by(rows, "department", "office_code"),
    }
