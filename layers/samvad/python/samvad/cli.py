"""``samvad``: the local runtime and the operator's commands.

samvad intake FILE... --department CODE   upload through the local stack, one report per line
samvad demo [--visits N] [--days D]       synthetic days end to end on the local stack
samvad bench intake [--rows N]            measured throughput, requests per row, memory
samvad config publish NAME FILE           store a new version of a config document (AWS)
samvad directory load FILE                escalation directory: validate, publish, subscribe
samvad case show|atr|transfer CASE …      a grievance case: audit trail, ATR, transfer (AWS)
samvad report --date D | --week D | --month M   write a period's report (AWS)
samvad bench reports                      items read per report: tallies vs a naive Scan
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPORT_KEYS = (
    "key", "rows", "accepted", "rejected", "duplicates", "blank_rows", "quarantined",
    "quarantine_reason", "rejects_key", "report_key", "rejected_by_reason",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="samvad", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    intake = commands.add_parser("intake", help="ingest files through the local stack")
    intake.add_argument("files", nargs="+", type=Path)
    intake.add_argument("--department", required=True)
    intake.add_argument("--aliases", type=Path, help="JSON {header: field} for this department")
    intake.add_argument("--full", action="store_true", help="print the whole intake report")
    intake.set_defaults(run=_intake)

    demo = commands.add_parser("demo", help="run a synthetic day end to end on the local stack")
    demo.add_argument("--visits", type=int, default=1500)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--days", type=int, default=1, help="days of visits, each contacted")
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    demo.add_argument(
        "--verbose",
        action="store_true",
        help="show the functions' log lines (otherwise kept in OUT/demo.log)",
    )
    demo.set_defaults(run=_demo)

    bench = commands.add_parser("bench", help="benchmarks; each prints JSON")
    which = bench.add_subparsers(dest="bench", required=True)
    bench_intake = which.add_parser("intake")
    bench_intake.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    bench_intake.add_argument("--naive-rows", type=int, default=100_000)
    bench_intake.add_argument("--emulator-rows", type=int, default=2_000)
    bench_intake.set_defaults(run=_bench_intake)
    bench_sampling = which.add_parser("sampling")
    bench_sampling.add_argument(
        "--visits", type=int, nargs="*", default=[10_000, 100_000, 1_000_000]
    )
    bench_sampling.add_argument("--k", type=int, default=None, help="visits sampled per run")
    bench_sampling.set_defaults(run=_bench_sampling)

    bench_reports = which.add_parser("reports")
    bench_reports.add_argument("--feedback", type=int, nargs="*", default=[10_000, 100_000])
    bench_reports.set_defaults(run=_bench_reports)

    report = commands.add_parser(
        "report", help="write a period's report (uses the AWS environment)"
    )
    period = report.add_mutually_exclusive_group(required=True)
    period.add_argument("--date", type=_date, help="the day's report")
    period.add_argument("--week", type=_date, help="the 7 days ending on this date")
    period.add_argument("--month", help="YYYY-MM")
    report.add_argument("--min-responses", type=int, help="rank only above this many")
    report.set_defaults(run=_report)

    sample = commands.add_parser("sample", help="the daily sampler (uses the AWS environment)")
    sample_commands = sample.add_subparsers(dest="sample", required=True)
    for name, helptext in (
        ("run", "draw (or finish) the sample of a date"),
        ("verify", "recompute a published sample from revealed secrets"),
    ):
        command = sample_commands.add_parser(name, help=helptext)
        command.add_argument("--date", required=True, type=_date)
        command.set_defaults(run=_sample_run if name == "run" else _sample_verify)
    plan = sample_commands.add_parser("plan", help="validate and publish a sampling plan")
    plan.add_argument("file", type=Path)
    plan.set_defaults(run=_sample_plan)

    config = commands.add_parser("config", help="versioned configuration documents")
    config_commands = config.add_subparsers(dest="config", required=True)
    publish = config_commands.add_parser("publish", help="store a new version (uses $CONFIG_TABLE)")
    publish.add_argument("name", help="e.g. intake/health")
    publish.add_argument("file", type=Path)
    publish.set_defaults(run=_config_publish)

    from samvad.escalation.cli import add_commands

    add_commands(commands)

    args = parser.parse_args(argv)
    return args.run(args) or 0


def _intake(args) -> int:
    from samvad.local.cloud import LocalCloud
    from samvad.local.flows import ingest_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"samvad: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    aliases = json.loads(args.aliases.read_text()) if args.aliases else None
    with LocalCloud() as cloud:
        for report in ingest_files(cloud, args.files, args.department.casefold(), aliases):
            shown = report if args.full else {k: report.get(k) for k in REPORT_KEYS}
            print(json.dumps(shown, ensure_ascii=False), flush=True)
    return 0


def _demo(args) -> int:
    import os

    from samvad.demo.console import Console
    from samvad.demo.run import run_demo

    if args.verbose:
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    console = Console(sys.stdout, bars=sys.stdout.isatty())
    summary = run_demo(
        visits=args.visits,
        seed=args.seed,
        out=args.out,
        days=args.days,
        console=console,
        log=None if args.verbose else args.out / "demo.log",
    )
    escalation = summary["escalation"]
    print(
        f"done in {summary['seconds']} s: {summary['totals']['accepted']} visits, "
        f"{summary['sampling']['run']['sampled']} sampled, {escalation['cases_opened']} cases "
        f"({'all settled' if escalation['all_settled'] else 'NOT all settled'})\n"
        f"summary:   {args.out / 'summary.json'}\n"
        f"dashboard: {summary['reports']['weekly']['dashboard']}"
    )
    return 0 if escalation["all_settled"] else 1


def _bench_intake(args) -> int:
    from samvad.bench.intake import run

    print(
        json.dumps(
            run(rows=args.rows, naive_rows=args.naive_rows, emulator_rows=args.emulator_rows),
            indent=2,
        )
    )
    return 0


def _bench_sampling(args) -> int:
    from samvad.bench.sampling import run

    kwargs = {"k": args.k} if args.k else {}
    print(json.dumps(run(visits=args.visits, **kwargs), indent=2))
    return 0


def _bench_reports(args) -> int:
    from samvad.bench.reports import run

    print(json.dumps(run(feedback=args.feedback), indent=2))
    return 0


def report_request(args) -> dict:
    """``samvad report`` arguments → the reports function's request."""
    if args.month:
        request = {"period": "month", "month": args.month}
    elif args.week:
        request = {"period": "week", "date": args.week.isoformat()}
    else:
        request = {"period": "day", "date": args.date.isoformat()}
    if args.min_responses is not None:
        request["min_responses"] = args.min_responses
    return request


def _report(args) -> int:
    from samvad.reports.periods import BadRequest
    from samvad.reports.wiring import report_for_event

    try:
        result = report_for_event(report_request(args))
    except (BadRequest, RuntimeError) as error:
        print(f"samvad: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _sample_run(args) -> int:
    from samvad.sampling.service import run_sampler
    from samvad.sampling.wiring import sampler_ports
    from samvad.settings import Settings

    print(json.dumps(run_sampler(args.date, sampler_ports(Settings.from_env())), indent=2))
    return 0


def _sample_verify(args) -> int:
    from samvad.adapters.sampling import DynamoVisitsByDate, S3Documents
    from samvad.sampling.verify import verify
    from samvad.settings import Settings

    settings = Settings.from_env()
    result = verify(
        args.date, DynamoVisitsByDate(settings.visits_table), S3Documents(settings.data_bucket)
    )
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


def _sample_plan(args) -> int:
    from samvad import resources
    from samvad.sampling.plan import PlanError, SamplingPlan

    document = json.loads(args.file.read_text())
    try:
        SamplingPlan.from_document(document)
    except PlanError as error:
        print(f"samvad: {args.file}: {error}", file=sys.stderr)
        return 2
    return _config_publish(argparse.Namespace(name=resources.SAMPLING_PLAN_CONFIG, file=args.file))


def _config_publish(args) -> int:
    import os

    from samvad import resources
    from samvad.adapters.dynamo import DynamoConfig

    table = os.environ.get(resources.CONFIG.env_var)
    if not table:
        print(f"samvad: set {resources.CONFIG.env_var} to the config table name", file=sys.stderr)
        return 2
    version = DynamoConfig(table).publish(args.name, json.loads(args.file.read_text()))
    print(json.dumps({"name": args.name, "version": version}))
    return 0
