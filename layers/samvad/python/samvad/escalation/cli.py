"""``samvad case …`` and ``samvad directory load``: against the AWS environment (table names,
topic and state machine from the same variables the functions get)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from samvad import resources


def add_commands(commands) -> None:
    case = commands.add_parser("case", help="grievance cases (uses the AWS environment)")
    which = case.add_subparsers(dest="case", required=True)
    show = which.add_parser("show", help="the case and its audit trail")
    show.add_argument("case_id")
    show.set_defaults(run=_show)
    atr = which.add_parser("atr", help="file an action-taken report for the current level")
    atr.add_argument("case_id")
    atr.add_argument("--text", required=True)
    atr.add_argument("--by", required=True, help="the official id holding the case")
    atr.set_defaults(run=_atr)
    transfer = which.add_parser("transfer", help="to another department (clock keeps running)")
    transfer.add_argument("case_id")
    transfer.add_argument("--to", required=True, dest="department")
    transfer.add_argument("--by", required=True)
    transfer.add_argument("--reason", required=True)
    transfer.set_defaults(run=_transfer)

    directory = commands.add_parser("directory", help="the escalation directory")
    load = directory.add_subparsers(dest="directory", required=True).add_parser(
        "load", help="validate, publish a new version and subscribe officials to notices"
    )
    load.add_argument("file", type=Path)
    load.set_defaults(run=_load)


def _run(action) -> int:
    from samvad.escalation.model import CaseError

    try:
        result = action()
    except CaseError as error:
        print(f"samvad: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # missing environment
        print(f"samvad: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _ports():
    from samvad.escalation.wiring import escalation_ports

    return escalation_ports()


def _show(args) -> int:
    from samvad.escalation import cases

    return _run(lambda: cases.show(args.case_id, _ports()))


def _atr(args) -> int:
    from samvad.escalation import cases

    return _run(lambda: cases.file_atr(args.case_id, args.text, args.by, _ports()))


def _transfer(args) -> int:
    from samvad.escalation import cases

    return _run(
        lambda: cases.transfer(args.case_id, args.department, args.by, args.reason, _ports())
    )


def _load(args) -> int:
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.topics import OfficialSubscriptions
    from samvad.escalation.directory import validate

    try:
        document = json.loads(args.file.read_text())
    except (OSError, ValueError) as error:
        print(f"samvad: {args.file}: {error}", file=sys.stderr)
        return 2
    problems = validate(document)
    if problems:
        for problem in problems:
            print(f"samvad: {args.file}: {problem}", file=sys.stderr)
        return 2
    table = os.environ.get(resources.CONFIG.env_var)
    topic = os.environ.get(resources.CASE_NOTICES_TOPIC_ENV)
    if not table or not topic:
        names = f"{resources.CONFIG.env_var} and {resources.CASE_NOTICES_TOPIC_ENV}"
        print(f"samvad: set {names}", file=sys.stderr)
        return 2
    version = DynamoConfig(table).publish(resources.ESCALATION_DIRECTORY_CONFIG, document)
    synced = OfficialSubscriptions(topic).sync(document["officials"])
    print(json.dumps({"name": resources.ESCALATION_DIRECTORY_CONFIG, "version": version, **synced}))
    return 0
