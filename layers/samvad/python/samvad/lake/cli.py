"""``samvad query "SQL"`` / ``samvad query --saved NAME``: the lake's SQL, locally with DuckDB
over the Parquet files (``--lake DIR``), or on AWS through Athena (``--athena``).

Exit codes: 0 done; 2 bad input (the engine refused the SQL, an unknown saved query or
parameter, no lake folder, the Athena names unset); 3 unexpected failure.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from samvad import resources
from samvad.cli_input import EXIT_OK, Commands, UsageError
from samvad.lake.ports import QueryEngine
from samvad.lake.query import QueryError, write_csv, write_json_lines
from samvad.lake.saved import QueryParameterError, saved_queries, saved_query

DEFAULT_LAKE = Path("out/demo/lake")


def add_commands(commands: Commands) -> None:
    names = ", ".join(saved_queries())
    query = commands.add_parser(
        "query",
        help="SQL over the analytics lake (DuckDB locally, or Athena)",
        description="Run one SQL statement over the lake's tables (samples, contacts, "
        'feedback, case_events; partition column "date"), locally with DuckDB over the '
        "Parquet files, or with --athena in the stack's workgroup. Saved queries: "
        f"{names}. See docs/analytics.md.",
    )
    what = query.add_mutually_exclusive_group(required=True)
    what.add_argument("sql", nargs="?", metavar="SQL", help="the statement")
    what.add_argument("--saved", metavar="NAME", help=f"a saved query: {names}")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a saved query's parameter (a whole number or a date), e.g. min_months=2",
    )
    query.add_argument(
        "--lake",
        type=Path,
        default=DEFAULT_LAKE,
        metavar="DIR",
        help=f"the local lake folder, holding <table>/date=…/ (default {DEFAULT_LAKE})",
    )
    query.add_argument(
        "--athena",
        action="store_true",
        help=f"run on Athena (needs ${resources.LAKE_DATABASE_ENV} and "
        f"${resources.LAKE_WORKGROUP_ENV}, the stack's outputs)",
    )
    query.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default csv")
    query.set_defaults(run=run_query)


def run_query(args: argparse.Namespace, engine: QueryEngine | None = None) -> int:
    sql = _statement(args)
    engine = engine or _engine(args)
    try:
        names, rows = engine.run(sql)
    except QueryError as error:
        raise UsageError(f"samvad query: {error}") from error
    writer = write_json_lines if args.format == "jsonl" else write_csv
    try:
        writer(names, rows, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `samvad query … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _statement(args: argparse.Namespace) -> str:
    if args.param and not args.saved:
        raise UsageError("samvad query: --param applies to --saved queries only")
    if not args.saved:
        if not args.sql.strip():
            raise UsageError("samvad query: the SQL statement is empty")
        return str(args.sql)
    params = {}
    for pair in args.param:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"samvad query: --param {pair!r}: write NAME=VALUE")
        params[name.strip()] = value.strip()
    try:
        return saved_query(args.saved).sql(params)
    except QueryParameterError as error:
        raise UsageError(f"samvad query: {error}") from error


def _engine(args: argparse.Namespace) -> QueryEngine:
    if args.athena:
        from samvad.adapters.athena import AthenaLake

        missing = [
            v for v in (resources.LAKE_DATABASE_ENV, resources.LAKE_WORKGROUP_ENV)
            if not os.environ.get(v)
        ]  # fmt: skip
        if missing:
            raise UsageError(
                f"samvad query --athena: set ${missing[0]} (the stack output "
                "LakeDatabaseName / LakeWorkgroupName; see docs/analytics.md)"
            )
        return AthenaLake(
            os.environ[resources.LAKE_DATABASE_ENV], os.environ[resources.LAKE_WORKGROUP_ENV]
        )
    if not args.lake.is_dir():
        raise UsageError(
            f"samvad query: no lake folder {args.lake} (export one first, or pass --lake DIR)"
        )
    from samvad.lake.query import DuckDBLake

    return DuckDBLake(args.lake)
