"""Fair rankings: offices ordered by the Wilson lower bound of their satisfied share.

The lower bound rewards evidence as well as a high share: 3 satisfied out of 3 (bound 0.44)
ranks below 45 out of 50 (0.79). Offices with fewer assessable responses than the minimum are
not ranked at all; they are listed as "insufficient data".
"""

from __future__ import annotations

import math

from samvad.reports.tally import NO_OFFICIAL

MIN_RANKED_FOR_DECILE = 10
"""A bottom decile needs at least this many ranked offices (else it is empty)."""
CAPACITY_MONTHS = 3
KARMAYOGI = (
    "iGOT Karmayogi: citizen-centric service delivery and grievance redressal courses, "
    "with a follow-up review after 3 months"
)


def with_trends(now: list[dict], before: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """``now``'s rows with the previous period's satisfied share, bound and the change."""
    previous = {tuple(row.get(k) for k in keys): row for row in before}
    result = []
    for row in now:
        old = previous.get(tuple(row.get(k) for k in keys))
        comparable = old is not None and not old["insufficient_data"]
        comparable = comparable and not row["insufficient_data"]
        result.append(
            row
            | {
                "previous_responses": old["responses"] if old else 0,
                "previous_satisfied_share": old["satisfied_share"] if old else None,
                "previous_wilson_low": old["wilson_low"] if old else None,
                "trend": round(row["wilson_low"] - old["wilson_low"], 4)
                if comparable and old
                else None,
            }
        )
    return result


OFFICE_KEYS = ("department", "office_code")
OFFICIAL_KEYS = ("department", "official_id")


def league(
    offices: list[dict], previous: list[dict], keys: tuple[str, str] = OFFICE_KEYS
) -> list[dict]:
    """Offices (or officials, with ``OFFICIAL_KEYS``) ranked by Wilson lower bound (ties: more
    responses first, then code); unranked ones (insufficient data) follow with ``rank`` None.
    Adds ``rank_in_department`` and the previous period's rank."""
    before = {tuple(r[k] for k in keys): r["rank"] for r in _ranked(previous, keys)}
    rows = []
    per_department: dict[str, int] = {}
    for row in _ranked(with_trends(offices, previous, keys), keys):
        if row["rank"] is not None:
            per_department[row["department"]] = per_department.get(row["department"], 0) + 1
        rows.append(
            row
            | {
                "rank_in_department": per_department[row["department"]]
                if row["rank"] is not None
                else None,
                "previous_rank": before.get(tuple(row[k] for k in keys)),
                "status": "insufficient data" if row["rank"] is None else "ranked",
            }
        )
    return rows


def _ranked(offices: list[dict], keys: tuple[str, str] = OFFICE_KEYS) -> list[dict]:
    ranked = sorted(
        (r for r in offices if not r["insufficient_data"]),
        key=lambda r: (-r["wilson_low"], -r["responses"], *(r[k] for k in keys)),
    )
    unranked = sorted(
        (r for r in offices if r["insufficient_data"]), key=lambda r: tuple(r[k] for k in keys)
    )
    return [r | {"rank": i} for i, r in enumerate(ranked, start=1)] + [
        r | {"rank": None} for r in unranked
    ]


def needs_attention(offices: list[dict], state_share: float | None) -> list[dict]:
    """Offices whose upper Wilson bound is below the state's satisfied share: even the most
    favourable reading of their evidence is worse than the state. Worst (lowest bound) first."""
    if state_share is None:
        return []
    below = [
        r for r in offices if r.get("wilson_high") is not None and r["wilson_high"] < state_share
    ]
    return sorted(below, key=lambda r: (r["wilson_high"], *(r[k] for k in OFFICE_KEYS)))


def bottom_decile(ranked_league: list[dict]) -> set[tuple[str, str]]:
    """(department, office code) of the lowest-ranked tenth (rounded up) of ranked offices."""
    ranked = [r for r in ranked_league if r.get("rank") is not None]
    if len(ranked) < MIN_RANKED_FOR_DECILE:
        return set()
    size = math.ceil(len(ranked) / 10)
    worst = sorted(ranked, key=lambda r: r["rank"])[-size:]
    return {(r["department"], r["office_code"]) for r in worst}


def capacity_building(
    deciles: list[set[tuple[str, str]]],
    officials: list[dict],
    offices: list[dict],
    months: list[str] | None = None,
) -> list[dict]:
    """Officials of the offices in the bottom decile in each of the last ``CAPACITY_MONTHS``
    months (``deciles``, oldest first); ``officials`` and ``offices`` are the latest month's
    tables."""
    if len(deciles) < CAPACITY_MONTHS:
        return []
    persistent = set.intersection(*deciles[-CAPACITY_MONTHS:])
    names = {(o["department"], o["office_code"]): o for o in offices}
    listed = []
    for official in officials:
        for office in official.get("offices", []):
            key = (official["department"], office)
            if key in persistent and official["official_id"] not in ("", NO_OFFICIAL):
                about = names.get(key, {})
                listed.append(
                    {
                        "official_id": official["official_id"],
                        "department": official["department"],
                        "office_code": office,
                        "office_name": about.get("office_name", ""),
                        "district": about.get("district", ""),
                        "months_in_bottom_decile": CAPACITY_MONTHS,
                        "office_wilson_low": about.get("wilson_low"),
                        "recommendation": KARMAYOGI,
                        "reason": _reason(office, about, months or []),
                    }
                )
    return sorted(listed, key=lambda r: (r["department"], r["office_code"], r["official_id"]))


def _reason(office: str, about: dict, months: list[str]) -> str:
    name = about.get("office_name") or office
    when = ", ".join(months[-CAPACITY_MONTHS:]) or f"the last {CAPACITY_MONTHS} months"
    return f"{name} was in the bottom tenth of ranked offices in {when}"
