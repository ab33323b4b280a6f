"""Samvad's command line: the local runtime and the operators' commands.

  samvad intake FILE... --department CODE    check and load visit files on a local stack
  samvad demo [--visits N] [--days D]        synthetic days end to end on a local stack
  samvad bench intake|sampling|reports|backfill|tallies  measured benchmarks, printed as JSON
  samvad sample run|verify|plan              the daily sampler (deployed stack)
  samvad report --date D|--week D|--month M  write a period's report (deployed stack)
  samvad reports backfill-rollups [--from D]  rebuild per-day rollups from tallies (deployed stack)
  samvad case show|atr|transfer CASE         a grievance case (deployed stack)
  samvad directory load FILE                 the escalation directory (deployed stack)
  samvad config publish NAME FILE            a new version of a config document (deployed stack)
  samvad dlq list|redrive QUEUE [--to Q]     dead-letter queues: inspect, send back (deployed stack)
  samvad serve [--port P] [--visits N]       the officials' workspace on a local stack
  samvad users load FILE                     workspace users: create or update (deployed stack)
  samvad schemes publish FILE                scheme notices: check and publish (deployed stack)

Commands marked "deployed stack" read the stack's resource names from the environment.
Exit codes: 0 done, 1 done with findings (rejected rows, a failed check), 2 bad input,
3 unexpected failure. Add --debug anywhere to see a traceback. Details: docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from samvad.cli_input import (
    EXIT_FINDINGS,
    EXIT_OK,
    Commands,
    Parser,
    UsageError,
    aliases_file,
    all_of,
    any_int,
    department,
    directory_file,
    explain,
    fault_rate,
    input_file,
    iso_date,
    json_file,
    month,
    non_negative_int,
    positive_int,
)

DEBUG_FLAG = "--debug"


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input is one line on stderr and exit 2, never a traceback."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in argv[: argv.index("--")] if "--" in argv else DEBUG_FLAG in argv
    if debug:
        argv.remove(DEBUG_FLAG)
    command = "samvad"
    try:
        args = build_parser().parse_args(argv)
        command = args.command_name
        return args.run(args) or EXIT_OK
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if debug:
            raise
        code, line = explain(error, command)
        print(line, file=sys.stderr)
        return code


def build_parser() -> argparse.ArgumentParser:
    """Every command, with help on each flag."""
    parser = Parser(
        prog="samvad",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"samvad {_version()}")
    parser.add_argument(
        DEBUG_FLAG,
        action="store_true",
        help="on an error, show the traceback (anywhere on the line)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _intake_command(commands)

    demo = commands.add_parser("demo", help="run a synthetic day end to end on the local stack")
    demo.add_argument(
        "--visits", type=positive_int, default=1500, help="visits per day (default: 1500)"
    )
    demo.add_argument(
        "--seed", type=any_int, default=7, help="the same seed gives the same summary.json"
    )
    demo.add_argument("--days", type=positive_int, default=1, help="days of visits, each contacted")
    demo.add_argument(
        "--out", type=Path, default=Path("out/demo"), help="where the summary and reports go"
    )
    demo.add_argument(
        "--verbose",
        action="store_true",
        help="show the functions' log lines (otherwise kept in OUT/demo.log)",
    )
    demo.add_argument(
        "--faults",
        type=fault_rate,
        default=0.0,
        metavar="RATE",
        help="fail this fraction (0 to 0.5) of the functions' AWS calls: throttling, 5xx, "
        "timeouts after success; the figures must not change (docs/operations.md)",
    )
    demo.set_defaults(run=_demo)

    _bench_commands(commands)
    _report_command(commands)
    _sample_commands(commands)
    _config_commands(commands)
    _erase_command(commands)

    from samvad.escalation.cli import add_commands

    add_commands(commands)
    from samvad.dlq import add_commands as add_dlq_commands

    add_dlq_commands(commands)
    from samvad.workspace.cli import add_commands as add_workspace_commands

    add_workspace_commands(commands)
    from samvad.lake.cli import add_commands as add_query_command

    add_query_command(commands)
    from samvad.schemes.cli import add_commands as add_scheme_commands

    add_scheme_commands(commands)
    from samvad.reports.cli import add_commands as add_reports_commands

    add_reports_commands(commands)
    for name, subparser in _leaf_parsers(parser):
        subparser.set_defaults(command_name=name)
    return parser


def _intake_command(commands: Commands) -> None:
    from samvad.cli_intake import REJECTS_SUFFIX, REPORT_SUFFIX
    from samvad.intake.departments import default_departments

    known = default_departments()
    listing = "\n".join(f"  {code:<12} {known.names[code]}" for code in known.codes())
    intake = commands.add_parser(
        "intake",
        help="check and load visit files through a local stack (S3 → intake → DynamoDB)",
        description="Upload each file through a local stack, exactly as a department's\n"
        "upload on AWS, and print one JSON line per file: its counts, why rows were\n"
        "rejected, and where its report and rejects were written.",
        epilog=f"departments:\n{listing}\n\n"
        f"outputs, next to each FILE (or under --out DIR):\n"
        f"  FILE{REPORT_SUFFIX}   the intake report (with the reason, if the file was refused)\n"
        f"  FILE{REJECTS_SUFFIX}   every rejected row, why, and its cells: fix and re-upload\n\n"
        "exit codes: 0 every file read and every row accepted (duplicates included);\n"
        "  1 some rows rejected or a file quarantined; 2 bad input; 3 unexpected failure\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    intake.add_argument(
        "files", nargs="+", type=input_file, metavar="FILE", help="CSV, XLSX or JSON Lines files"
    )
    intake.add_argument(
        "--department",
        required=True,
        type=department,
        metavar="CODE",
        help="the department the files belong to (listed below)",
    )
    intake.add_argument(
        "--aliases",
        type=aliases_file,
        metavar="FILE",
        help='extra column headers for this department: JSON {"<header>": "<field>"}',
    )
    intake.add_argument(
        "--directory",
        type=directory_file,
        metavar="FILE",
        help="an escalation directory (JSON); where it lists the department's offices, rows "
        "for any other office are rejected (without it, office codes are not checked)",
    )
    intake.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write the reports and rejects here instead of next to each file",
    )
    intake.add_argument(
        "--chunk-rows",
        type=positive_int,
        metavar="N",
        help="ingest a file of more than about N rows the chunked way (split, chunks of about "
        "N rows, reduce), as the stack does for files beyond one Lambda; default: inline",
    )
    intake.add_argument("--full", action="store_true", help="print the whole intake report")
    intake.set_defaults(run=_intake)


def _bench_commands(commands: Commands) -> None:
    bench = commands.add_parser("bench", help="benchmarks on this machine; each prints JSON")
    which = bench.add_subparsers(dest="bench", required=True, metavar="BENCHMARK")
    bench_intake = which.add_parser(
        "intake", help="intake throughput, memory and DynamoDB requests per row"
    )
    bench_intake.add_argument(
        "--rows",
        type=positive_int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="file sizes to measure the pure path on (default: 100000 1000000)",
    )
    bench_intake.add_argument(
        "--naive-rows",
        type=positive_int,
        default=100_000,
        help="rows for the naive pandas baseline (default: 100000)",
    )
    bench_intake.add_argument(
        "--emulator-rows",
        type=positive_int,
        default=2_000,
        help="rows uploaded through the local stack to count requests (default: 2000)",
    )
    bench_intake.add_argument(
        "--end-to-end-rows",
        type=int,
        default=20_000,
        help="rows ingested against a 10 ms DynamoDB stand-in, one writer vs a pool "
        "(default: 20000; 0 leaves it out)",
    )
    bench_intake.add_argument(
        "--write-workers",
        type=positive_int,
        default=None,
        help="writers of the pool in end_to_end (default: INTAKE_WRITE_WORKERS' default, 16)",
    )
    bench_intake.set_defaults(run=_bench_intake)
    bench_sampling = which.add_parser("sampling", help="items read per sampled visit")
    bench_sampling.add_argument(
        "--visits",
        type=positive_int,
        nargs="*",
        default=[10_000, 100_000, 1_000_000],
        help="visit counts to sample from (default: 10000 100000 1000000)",
    )
    bench_sampling.add_argument(
        "--k", type=positive_int, default=None, help="visits sampled per run"
    )
    bench_sampling.set_defaults(run=_bench_sampling)

    bench_reports = which.add_parser(
        "reports", help="items read per report: tallies against a naive Scan"
    )
    bench_reports.add_argument(
        "--feedback",
        type=positive_int,
        nargs="*",
        default=[10_000, 100_000],
        help="feedback counts to report on (default: 10000 100000)",
    )
    bench_reports.set_defaults(run=_bench_reports)
    bench_backfill = which.add_parser(
        "backfill", help="the rollup backfill's Queries and items against a Scan (moto)"
    )
    bench_backfill.add_argument(
        "--feedback", type=positive_int, default=3000, help="feedback events (default: 3000)"
    )
    bench_backfill.set_defaults(run=_bench_backfill)
    bench_tallies = which.add_parser(
        "tallies", help="tally writes: a batch at once against one event at a time (moto)"
    )
    bench_tallies.add_argument(
        "--per-office",
        type=positive_int,
        default=5,
        help="visits per office of the 64 (default: 5, about 1,100 events)",
    )
    bench_tallies.add_argument(
        "--batch", type=positive_int, default=100, help="events per SQS batch (default: 100)"
    )
    bench_tallies.set_defaults(run=_bench_tallies)


def _report_command(commands: Commands) -> None:
    report = commands.add_parser(
        "report",
        help="write a period's report (deployed stack)",
        description="Write a day's, week's or month's report (summary, CSVs, dashboard) on "
        "the deployed stack; prints where it was written.",
    )
    period = report.add_mutually_exclusive_group(required=True)
    period.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day's report")
    period.add_argument(
        "--week", type=iso_date, metavar="YYYY-MM-DD", help="the 7 days ending on this date"
    )
    period.add_argument("--month", type=month, metavar="YYYY-MM", help="the month's report")
    report.add_argument(
        "--min-responses",
        type=non_negative_int,
        metavar="N",
        help="rank only offices and officials with at least N assessable responses",
    )
    report.set_defaults(run=_report)


def _sample_commands(commands: Commands) -> None:
    sample = commands.add_parser("sample", help="the daily sampler (deployed stack)")
    sample_commands = sample.add_subparsers(dest="sample", required=True, metavar="ACTION")
    for name, helptext in (
        ("run", "draw (or finish) the sample of a date"),
        ("verify", "recompute a published sample from revealed secrets"),
    ):
        command = sample_commands.add_parser(name, help=helptext, description=helptext)
        command.add_argument(
            "--date", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the run date"
        )
        command.set_defaults(run=_sample_run if name == "run" else _sample_verify)
    plan = sample_commands.add_parser(
        "plan", help="validate a sampling plan and publish it (needs $CONFIG_TABLE)"
    )
    plan.add_argument("file", type=json_file, metavar="FILE", help="the plan (JSON)")
    plan.set_defaults(run=_sample_plan)


def _config_commands(commands: Commands) -> None:
    config = commands.add_parser("config", help="versioned configuration documents")
    config_commands = config.add_subparsers(dest="config", required=True, metavar="ACTION")
    publish = config_commands.add_parser(
        "publish",
        help="check and store a new version of a document (needs $CONFIG_TABLE)",
        description="Store FILE as the newest version of the config document NAME. Known "
        "documents are checked first: departments, intake/<department>, sampling/plan, "
        "escalation/directory.",
    )
    publish.add_argument("name", metavar="NAME", help="e.g. departments or intake/health")
    publish.add_argument("file", type=json_file, metavar="FILE", help="the document (JSON)")
    publish.set_defaults(run=_config_publish)


def _leaf_parsers(
    parser: argparse.ArgumentParser, prefix: str = "samvad"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``("samvad sample run", parser)`` for every command that runs something."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _leaf_parsers(child, f"{prefix} {name}")
            return
    yield prefix, parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("samvad")
    except PackageNotFoundError:  # the Lambda layer: the package without its metadata
        return "unknown"


def _intake(args: argparse.Namespace) -> int:
    from samvad.cli_intake import run

    return run(args)


def _demo(args: argparse.Namespace) -> int:
    import os

    from samvad_dev.demo.console import Console
    from samvad_dev.demo.run import run_demo

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
        faults=args.faults,
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


def _bench_intake(args: argparse.Namespace) -> int:
    from samvad_dev.bench.intake import run

    print(
        json.dumps(
            run(
                rows=args.rows,
                naive_rows=args.naive_rows,
                emulator_rows=args.emulator_rows,
                end_to_end_rows=args.end_to_end_rows,
                **({"write_workers": args.write_workers} if args.write_workers else {}),
            ),
            indent=2,
        )
    )
    return 0


def _bench_sampling(args: argparse.Namespace) -> int:
    from samvad_dev.bench.sampling import run

    kwargs = {"k": args.k} if args.k else {}
    print(json.dumps(run(visits=args.visits, **kwargs), indent=2))
    return 0


def _bench_reports(args: argparse.Namespace) -> int:
    from samvad_dev.bench.reports import run

    print(json.dumps(run(feedback=args.feedback), indent=2))
    return 0


def _bench_backfill(args: argparse.Namespace) -> int:
    from samvad_dev.bench.backfill import run

    print(json.dumps(run(feedback=args.feedback), indent=2))
    return 0


def _bench_tallies(args: argparse.Namespace) -> int:
    from samvad_dev.bench.tallies import run

    print(json.dumps(run(per_office=args.per_office, batch=args.batch), indent=2))
    return 0


def report_request(args: argparse.Namespace) -> dict[str, Any]:
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


def _report(args: argparse.Namespace) -> int:
    from samvad.reports.periods import BadRequest
    from samvad.reports.wiring import report_for_event

    try:
        result = report_for_event(report_request(args))
    except BadRequest as error:
        raise UsageError(f"samvad report: {error}") from None
    print(json.dumps(result, indent=2))
    return EXIT_OK


def _sample_run(args: argparse.Namespace) -> int:
    from samvad.sampling.service import run_sampler
    from samvad.sampling.wiring import sampler_ports
    from samvad.settings import SamplingSettings

    print(json.dumps(run_sampler(args.date, sampler_ports(SamplingSettings.from_env())), indent=2))
    return EXIT_OK


def _sample_verify(args: argparse.Namespace) -> int:
    from samvad.adapters.objects import S3Documents
    from samvad.adapters.visits import DynamoVisits
    from samvad.sampling.verify import verify
    from samvad.settings import SamplingSettings

    settings = SamplingSettings.from_env()
    result = verify(
        args.date, DynamoVisits(settings.visits_table), S3Documents(settings.data_bucket)
    )
    print(json.dumps(result, indent=2))
    return EXIT_OK if result["ok"] else EXIT_FINDINGS


def _sample_plan(args: argparse.Namespace) -> int:
    from samvad import resources

    return _config_publish(
        argparse.Namespace(
            name=resources.SAMPLING_PLAN_CONFIG, file=args.file, command_name=args.command_name
        )
    )


def _erase_command(commands: Commands) -> None:
    erase = commands.add_parser(
        "erase",
        help="erase one citizen's personal data everywhere (DPDP Act; deployed stack)",
        description="Remove or irreversibly redact one citizen's personal data in every table "
        "and file, keep their pseudonymous figures, and record a receipt that holds the phone "
        "hash and the counts, never the number (docs/data-protection.md). Running it again "
        "finds nothing and records that. Exit codes: 0 done, 2 bad input, 3 failed.",
    )
    erase.add_argument(
        "--phone", required=True, type=_indian_mobile, help="the citizen's mobile, e.g. +91…"
    )
    erase.add_argument(
        "--sweep-rejects",
        action="store_true",
        help="also read every rejects file, for rows refused in files the citizen has no "
        "accepted visit in (slower: grows with all rejects kept)",
    )
    erase.set_defaults(run=_erase)


def _indian_mobile(text: str) -> str:
    """An Indian mobile number in any common written form."""
    from samvad.phones import Problem, normalise_indian_mobile

    found = normalise_indian_mobile(text)
    if isinstance(found, Problem):
        raise argparse.ArgumentTypeError(f"{found.message}; write it as +91 followed by 10 digits")
    return found


def _erase(args: argparse.Namespace) -> int:
    import os

    from samvad import resources
    from samvad.adapters.erasure import caller_arn, erasure_ports
    from samvad.adapters.secrets import secret_bytes
    from samvad.erasure import erase

    def env(name: str) -> str:
        if not os.environ.get(name):
            raise RuntimeError(f"environment variable {name} is not set")
        return os.environ[name]

    specs = (
        resources.VISITS, resources.FEEDBACK, resources.DISPATCHES, resources.LINKS,
        resources.CASES, resources.CONTACTS, resources.AUDIT,
    )  # fmt: skip
    tables = {spec.logical_id: env(spec.env_var) for spec in specs}
    bucket = env(resources.DATA_BUCKET_ENV)
    hash_key = secret_bytes(env(resources.PHONE_HASH_SECRET_ENV))
    ports = erasure_ports(tables, bucket, hash_key)
    receipt = erase(args.phone, caller_arn(), ports, sweep_rejects=args.sweep_rejects)
    print(json.dumps(receipt.to_dict(), indent=2))
    return EXIT_OK


def _config_publish(args: argparse.Namespace) -> int:
    import os

    from samvad import resources
    from samvad.adapters.config import DynamoConfig

    path, document = args.file
    problems = document_problems(args.name, document)
    if problems:
        raise UsageError(f"{args.command_name}: {path}: {all_of(problems)}")
    table = os.environ.get(resources.CONFIG.env_var)
    if not table:
        raise RuntimeError(f"environment variable {resources.CONFIG.env_var} is not set")
    version = DynamoConfig(table).publish(args.name, document)
    print(json.dumps({"name": args.name, "version": version}))
    return EXIT_OK


def document_problems(name: str, document: object) -> list[str]:
    """What is wrong with ``document`` as the config document ``name`` (known names only)."""
    from samvad import resources
    from samvad.escalation.directory import validate as validate_directory
    from samvad.intake.aliases import CANONICAL_FIELDS
    from samvad.intake.departments import validate_departments
    from samvad.sampling.plan import PlanError, SamplingPlan

    if not isinstance(document, dict):
        return ["a config document must be a JSON object"]
    if name == resources.DEPARTMENTS_CONFIG:
        return validate_departments(document)
    if name == "inbound/ivr_menus":
        from samvad.inbound_ivr.menus import validate_menus

        return validate_menus(document)
    if name == "inbound/ivr_prompts":
        from samvad.inbound_ivr.recorded import validate_prompts

        return validate_prompts(document)
    if name == resources.ESCALATION_DIRECTORY_CONFIG:
        return validate_directory(document)
    if name == resources.SAMPLING_PLAN_CONFIG:
        try:
            SamplingPlan.from_document(document)
        except PlanError as error:
            return [str(error)]
        return []
    if name.startswith("intake/"):
        aliases = document.get("aliases") or {}
        if not isinstance(aliases, dict):
            return ['\'aliases\' must be an object {"<header>": "<field>"}']
        return [
            f"alias {header!r} maps to unknown field {field!r}; fields: "
            + ", ".join(CANONICAL_FIELDS)
            for header, field in aliases.items()
            if field not in CANONICAL_FIELDS
        ]
    return []
