"""Rebuild each day's rollups (``reports.rollups``) from the day's raw tally rows.

Tallies written before the per-day rollups existed have none, so the ranking window and the
series read those days as empty. For each day this reads the two partitions of the day —
``day#<date>`` (its grain rows: one Query) and ``rollup#<date>`` (one Query) — sums the
grain rows into the rollups they make (the live path's own ``rollups.targets``, so the keys
and attributes are the same), and replaces each rollup that differs by that sum.

Why it is safe to run at any time, any number of times:

* **Idempotent.** A rollup becomes the sum of the grain rows of its day, which already hold
  every event the live path counted (grain and rollups are written in one transaction), so
  rollups the live path wrote are replaced by the same total, never added to: nothing is
  counted twice. A rerun finds every rollup in step and writes nothing; a run stopped
  half-way left each item either as it was or replaced whole, and the rerun finishes it.
* **Concurrent live events.** Every write of a rollup adds 1 to its ``revision``; a
  replacement is conditional on the revision read (or on the item's absence). The rollups
  are read *before* the grain rows: an event tallied between the two reads, or between the
  reads and the write, changed the revision, so the write is refused and the day is read
  again (up to ``ATTEMPTS`` times; then it is reported, and a rerun finishes it).
* **Dry run** reads and compares only: how many rollups it would write.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from samvad.reports import figures
from samvad.reports.periods import day_partition
from samvad.reports.rollups import DEPARTMENT, KIND, OFFICE, REVISION, rollup_partition, targets
from samvad.reports.tally import Grain, TallyUpdate

ATTEMPTS = 3
MAX_DAYS = 800
"""The longest range one run takes (twice the tallies' default retention)."""
PLACES = 6
"""Counters are compared and written rounded to this many decimals (``ttr_hours_sum`` is a
float; a sum in another order may differ in its last bits)."""


class RollupStore(Protocol):
    def rows(self, partition: str, prefix: str = "") -> list[dict]: ...

    def replace_rollup(
        self,
        partition: str,
        key: str,
        fields: Mapping[str, str | float],
        revision: int | None,
        existed: bool,
    ) -> bool:
        """Put the item ``(partition, key)`` as ``fields`` with ``revision`` + 1, only if it
        is absent (``existed`` False) or its revision is still ``revision`` (None: it has
        none); False when that condition refused it."""
        ...


@dataclass
class Backfill:
    """What a run did (or, dry, would do)."""

    days: int = 0
    grain_rows: int = 0
    rollups_read: int = 0
    queries: int = 0
    in_step: int = 0
    written: int = 0
    retried_days: int = 0
    conflicted: list[str] = field(default_factory=list)
    """Days still changing after every attempt: run again for these."""
    orphans: int = 0
    """Rollups with no grain row behind them (left as they are)."""
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "days": self.days,
            "queries": self.queries,
            "grain_rows_read": self.grain_rows,
            "rollups_read": self.rollups_read,
            "rollups_in_step": self.in_step,
            ("rollups_to_write" if self.dry_run else "rollups_written"): self.written,
            "days_read_again": self.retried_days,
            "days_conflicted": self.conflicted,
            "orphan_rollups": self.orphans,
            "dry_run": self.dry_run,
        }


class BadRange(ValueError):
    """A date range the backfill does not take; the message says what to fix."""


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    if start > end:
        raise BadRange(f"--from {start} is after --to {end}")
    length = (end - start).days + 1
    if length > MAX_DAYS:
        raise BadRange(f"{length} days asked; at most {MAX_DAYS} per run (split the range)")
    return [start + dt.timedelta(days=n) for n in range(length)]


def backfill_rollups(
    store: RollupStore, days: Iterable[dt.date], dry_run: bool = False
) -> Backfill:
    """Rebuild the rollups of each of ``days`` from its grain rows (see the module)."""
    done = Backfill(dry_run=dry_run)
    for day in days:
        done.days += 1
        for attempt in range(ATTEMPTS):
            if attempt:
                done.retried_days += 1
            outcome = _rebuild_day(store, day, done, dry_run)
            if outcome is not None:
                done.in_step += outcome["in_step"]
                done.written += outcome["written"]
                done.orphans += outcome["orphans"]
                break
        else:
            done.conflicted.append(day.isoformat())
    return done


def expected_rollups(day: dt.date, grain_rows: Iterable[Mapping]) -> dict[str, dict]:
    """The rollups a day's grain rows make, by sort key: attributes and summed counters."""
    found: dict[str, dict] = {}
    for row in grain_rows:
        grain = Grain(
            department=str(row.get("department", "")),
            service=str(row.get("service", "")),
            office_code=str(row.get("office_code", "")),
            official_id=str(row.get("official_id", "")),
            district=str(row.get("district", "")),
            office_name=str(row.get("office_name", "")),
        )
        counted = figures.counters(dict(row))
        for target in targets(TallyUpdate("backfill", day, grain, counted)):
            if not target.rollup:
                continue
            item = found.setdefault(target.key, {"attributes": {}, "counters": Counter()})
            item["attributes"].update(target.attributes)
            item["counters"].update(counted)
    return found


def rollup_key(row: Mapping) -> str:
    """A rollup row's sort key, from its attributes (the store's rows carry no keys)."""
    if row.get(KIND) == DEPARTMENT:
        return f"{DEPARTMENT}#{row.get('department', '')}"
    return "#".join(
        (OFFICE, str(row.get("department", "")), str(row.get("office_code", "")),
         str(row.get("official_id", "")))
    )  # fmt: skip


def _rebuild_day(store: RollupStore, day: dt.date, done: Backfill, dry_run: bool) -> Counter | None:
    """One attempt at a day: what it found and wrote; None when a write was refused (the day
    changed meanwhile: read it again)."""
    partition = rollup_partition(day)
    current = {rollup_key(row): row for row in store.rows(partition)}  # before the grain rows
    grain = store.rows(day_partition(day))
    done.queries += 2
    done.rollups_read += len(current)
    done.grain_rows += len(grain)
    wanted = expected_rollups(day, grain)
    outcome: Counter = Counter(orphans=len(set(current) - set(wanted)))
    for key, item in sorted(wanted.items()):
        now = current.get(key)
        counters = _rounded(item["counters"])
        if now is not None and _same(now, item["attributes"], counters):
            outcome["in_step"] += 1
            continue
        if not dry_run:
            revision = None if now is None else now.get(REVISION)
            fields = item["attributes"] | counters
            if not store.replace_rollup(partition, key, fields, revision, now is not None):
                return None
        outcome["written"] += 1
    return outcome


def _rounded(counters: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, PLACES) for k, v in sorted(counters.items())}


def _same(row: Mapping, attributes: Mapping[str, str], counters: Mapping[str, float]) -> bool:
    """The row already has these attributes and counters (a counter at 0 and an absent one
    are the same figure)."""
    if any(row.get(k) != v for k, v in attributes.items()):
        return False
    now = _rounded(figures.counters(dict(row)))
    return {k: v for k, v in now.items() if v} == {k: v for k, v in counters.items() if v}
