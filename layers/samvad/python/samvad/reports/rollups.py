"""Where one tally update adds its counters: the grain's day and month items, and two per-day
rollups that the reports read instead of the grain rows.

* sort key ``office#<department>#<office>#<official>``: one item per department × office ×
  official (services summed): the rolling ranking window (offices, officials, districts)
  reads these;
* sort key ``department#<department>``: one item per department: the state's daily series
  reads these (a ``begins_with`` Query for the days outside the window).

Both kinds share the partition ``rollup#<day>``, so a day of the window costs one Query.

The rollups are written in the same transaction as the event's marker and its grain items
(``DynamoTallies.apply``), so a replayed event adds to none of them: the tallies'
idempotency covers the rollups too, and there is no daily step to run or to invalidate when
a late event arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from samvad.reports.periods import day_partition, month_partition
from samvad.reports.tally import TallyUpdate

OFFICE = "office"
DEPARTMENT = "department"
KIND = "rollup"
"""The attribute that says which kind of rollup an item is (``office`` or ``department``)."""
REVISION = "revision"
"""A counter every write of a rollup adds 1 to (the live path and the backfill), so the
backfill can replace an item only if nothing wrote it since it was read (not a figure)."""


ROLLUP_PREFIX = "rollup#"


def rollup_partition(day: dt.date) -> str:
    return f"{ROLLUP_PREFIX}{day.isoformat()}"


@dataclass(frozen=True)
class Target:
    """One item an update adds to: its partition, its sort key and the attributes it sets."""

    partition: str
    key: str
    attributes: dict[str, str]
    rollup: bool = False
    """A rollup item: its write also adds 1 to its ``REVISION``."""


def targets(update: TallyUpdate) -> list[Target]:
    """The grain's day and month items, its office rollup and its department rollup."""
    grain = update.grain
    full = {
        "department": grain.department,
        "service": grain.service,
        "office_code": grain.office_code,
        "official_id": grain.official_id,
    }
    described = {k: v for k, v in (("district", grain.district),
                                   ("office_name", grain.office_name)) if v}  # fmt: skip
    office = {k: v for k, v in full.items() if k != "service"}
    return [
        Target(day_partition(update.day), grain.key, full | described),
        Target(month_partition(update.day), grain.key, full | described),
        Target(
            rollup_partition(update.day),
            "#".join((OFFICE, grain.department, grain.office_code, grain.official_id)),
            office | described | {KIND: OFFICE},
            rollup=True,
        ),
        Target(
            rollup_partition(update.day),
            f"{DEPARTMENT}#{grain.department}",
            {"department": grain.department, KIND: DEPARTMENT},
            rollup=True,
        ),
    ]
