"""``samvad reports backfill-rollups [--from D] [--to D] [--dry-run]``: rebuild the per-day
rollups of tallies written before the rollups existed (``reports.backfill``), on the deployed
stack (``$TALLIES_TABLE``).

Exit codes: 0 every day's rollups in step; 1 done, but some days kept changing under the
run (listed in ``days_conflicted``: run again for them); 2 bad input (a date, a range, the
table's name unset); 3 unexpected failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import Callable

from samvad import resources
from samvad.cli_input import EXIT_FINDINGS, EXIT_OK, Commands, UsageError, iso_date
from samvad.reports.backfill import BadRange, RollupStore, backfill_rollups, days_between
from samvad.reports.periods import IST
from samvad.reports.series import SERIES_DAYS

COMMAND = "samvad reports backfill-rollups"


def add_commands(commands: Commands) -> None:
    reports = commands.add_parser("reports", help="report tallies' upkeep (deployed stack)")
    actions = reports.add_subparsers(dest="reports", required=True, metavar="ACTION")
    backfill = actions.add_parser(
        "backfill-rollups",
        help="rebuild each day's rollups from its raw tallies",
        description="Rebuild the per-day rollups (office and department) of each day from the "
        "day's raw tally rows: one Query of the day's rollups and one of its tallies per day, "
        "no Scan. Safe to rerun and to run while events are tallied (docs/reports.md, "
        f"'Backfilling rollups'). Default --to: today (India time); default --from: "
        f"{SERIES_DAYS - 1} days before --to. "
        "Exit codes: 0 done, 1 some days kept changing (run again), 2 bad input, 3 failure.",
    )
    backfill.add_argument(
        "--from", dest="start", type=iso_date, metavar="YYYY-MM-DD", help="the first day"
    )
    backfill.add_argument(
        "--to", dest="end", type=iso_date, metavar="YYYY-MM-DD", help="the last day"
    )
    backfill.add_argument(
        "--dry-run", action="store_true", help="count the rollups it would write; write none"
    )
    backfill.set_defaults(run=run_backfill)


def run_backfill(
    args: argparse.Namespace,
    store: RollupStore | None = None,
    today: Callable[[], dt.date] = lambda: dt.datetime.now(IST).date(),
) -> int:
    """Check the range, then backfill it; prints what was done as JSON."""
    end = args.end or today()
    start = args.start or end - dt.timedelta(days=SERIES_DAYS - 1)
    try:
        days = days_between(start, end)
    except BadRange as error:
        raise UsageError(f"{COMMAND}: {error}") from None
    if store is None:
        table = os.environ.get(resources.TALLIES.env_var)
        if not table:
            raise UsageError(
                f"{COMMAND}: environment variable {resources.TALLIES.env_var} is not set: this "
                "command works on the deployed stack (see 'The AWS environment' in docs/cli.md)"
            )
        from samvad.adapters.tallies import DynamoTallies

        store = DynamoTallies(table)
    done = backfill_rollups(store, days, dry_run=args.dry_run)
    print(json.dumps({"from": start.isoformat(), "to": end.isoformat()} | done.as_dict(), indent=2))
    return EXIT_FINDINGS if done.conflicted else EXIT_OK
