"""Tally rows → the published figures, per department, service, district, office, official.

A tally row is a dict: the grain's attributes (``department``, ``service``, ``office_code``,
``official_id``, ``district``, ``office_name``) and numeric counters. Counters add up across
days and across rows, so any grouping is a sum followed by the ratios below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from samvad.reports.rollups import REVISION
from samvad.reports.stats import TTR_BUCKET_HOURS, median_from_histogram, wilson_interval
from samvad.reports.tally import LEVELS, NO_OFFICIAL

DIMENSIONS = ("department", "service", "office_code", "official_id", "district", "office_name")
GROUPINGS: dict[str, tuple[str, ...]] = {
    "department": ("department",),
    "service": ("department", "service"),
    "district": ("district",),
    "office": ("department", "office_code"),
    "official": ("department", "official_id"),
}
"""Each report table: the attributes that identify one of its rows."""
DEFAULT_MIN_RESPONSES = 10


NOT_COUNTED = (*DIMENSIONS, REVISION)
"""Attributes of a tally row that are not counters (``revision``: see ``reports.rollups``)."""


def counters(row: dict) -> dict[str, float]:
    return {k: v for k, v in row.items() if k not in NOT_COUNTED and isinstance(v, int | float)}


def group(rows: Iterable[dict], by: str) -> dict[tuple[str, ...], dict]:
    """Sum the counters of ``rows`` per row of the ``by`` table (see ``GROUPINGS``).

    Each group also keeps the descriptive attributes of its rows: ``district`` and
    ``office_name`` for offices, the ``offices`` an official served in."""
    keys = GROUPINGS[by]
    groups: dict[tuple[str, ...], dict] = {}
    for row in rows:
        if by == "official" and row.get("official_id", "") in ("", NO_OFFICIAL):
            continue  # sampled-only rows (the selection names no official) and unnamed ones
        if by == "district" and not row.get("district"):
            continue  # an inbound grievance at an unknown office: counted in the totals only
        key = tuple(str(row.get(k, "")) for k in keys)
        found = groups.setdefault(key, {"key": dict(zip(keys, key, strict=True)), "sum": Counter()})
        found["sum"].update(counters(row))
        for attribute in ("district", "office_name"):
            if row.get(attribute):
                found["key"].setdefault(attribute, row[attribute])
        if by == "official":
            found.setdefault("offices", set()).add(row.get("office_code", ""))
    return groups


def figures(total: Mapping[str, float], min_responses: int = DEFAULT_MIN_RESPONSES) -> dict:
    """The figures of one group from its summed counters.

    Satisfied share = satisfied / assessable responses (see ``tally.is_satisfied``); its Wilson
    95% interval is given, and ``insufficient_data`` is true below ``min_responses`` assessable
    responses, in which case the group is not ranked."""
    c = Counter(total)
    sampled, responses, assessable = c["sampled"], c["responses"], c["assessable"]
    low, high = wilson_interval(int(c["satisfied"]), int(assessable))
    resolved = sum(c[f"resolved_l{level}"] for level in LEVELS)
    deadlines = c["sla_met"] + c["sla_missed"]
    histogram = [int(c[f"ttr_{i:02d}"]) for i in range(len(TTR_BUCKET_HOURS))]
    median = median_from_histogram(histogram)
    return {
        "sampled": int(sampled),
        "reached": int(c["reached"]),
        "contacts_completed": int(c["final_contacts"]),
        "responses": int(responses),
        "response_rate": _ratio(responses, sampled),
        "mean_rating": _ratio(c["rating_sum"], c["rated"], 2),
        "work_done_share": _ratio(c["work_done_yes"], c["work_done_answered"]),
        "money_asked_share": _ratio(c["money_yes"], c["money_answered"]),
        "poor_rate": _ratio(c["poor"], responses),
        "assessable": int(assessable),
        "satisfied": int(c["satisfied"]),
        "satisfied_share": _ratio(c["satisfied"], assessable),
        "wilson_low": round(low, 4) if assessable else None,
        "wilson_high": round(high, 4) if assessable else None,
        "insufficient_data": assessable < min_responses,
        "cases_opened": int(c["cases_opened"]),
        "escalated_by_level": {str(lv): int(c[f"escalated_l{lv}"]) for lv in LEVELS[1:]},
        "resolved_by_level": {str(lv): int(c[f"resolved_l{lv}"]) for lv in LEVELS},
        "cases_resolved": int(resolved),
        "cases_overdue": int(c["overdue"]),
        "median_hours_to_resolution": round(median, 1) if median is not None else None,
        "sla_compliance": _ratio(c["sla_met"], deadlines),
    }


def table(rows: Iterable[dict], by: str, min_responses: int = DEFAULT_MIN_RESPONSES) -> list[dict]:
    """One report table: a row per group, its identifying attributes then its figures."""
    result = []
    for _, found in sorted(group(rows, by).items()):
        entry = dict(found["key"]) | figures(found["sum"], min_responses)
        if by == "official":
            entry["offices"] = sorted(found["offices"])
        result.append(entry)
    return result


def _ratio(numerator: float, denominator: float, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None
