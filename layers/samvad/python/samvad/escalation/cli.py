"""``samvad case …`` and ``samvad directory load``: against the deployed stack (table names,
topic and state machine from the same variables the functions get)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samvad import resources
from samvad.cli_input import EXIT_OK, Commands, UsageError, all_of, json_file

if TYPE_CHECKING:
    from samvad.escalation.cases import EscalationPorts


def add_commands(commands: Commands) -> None:
    case = commands.add_parser("case", help="grievance cases (deployed stack)")
    which = case.add_subparsers(dest="case", required=True, metavar="ACTION")
    show = which.add_parser(
        "show", help="the case and its audit trail", description="Print a case and its audit trail."
    )
    show.add_argument("case_id", metavar="CASE", help="the case id")
    show.set_defaults(run=_show)
    atr = which.add_parser(
        "atr",
        help="file an action-taken report for the current level",
        description="File an action-taken report (ATR) for the case's current level.",
    )
    atr.add_argument("case_id", metavar="CASE", help="the case id")
    atr.add_argument("--text", required=True, help="what was done, in plain words")
    atr.add_argument(
        "--by", required=True, metavar="OFFICIAL", help="the official id holding the case"
    )
    atr.set_defaults(run=_atr)
    transfer = which.add_parser(
        "transfer",
        help="to another department (the clock keeps running)",
        description="Transfer the case to another department; its deadline does not restart.",
    )
    transfer.add_argument("case_id", metavar="CASE", help="the case id")
    transfer.add_argument(
        "--to", required=True, dest="department", metavar="DEPARTMENT", help="the new department"
    )
    transfer.add_argument(
        "--by", required=True, metavar="OFFICIAL", help="the official id holding the case"
    )
    transfer.add_argument("--reason", required=True, help="why it belongs to that department")
    transfer.set_defaults(run=_transfer)

    directory = commands.add_parser("directory", help="the escalation directory (deployed stack)")
    load = directory.add_subparsers(dest="directory", required=True, metavar="ACTION").add_parser(
        "load",
        help="validate, publish a new version and subscribe officials to notices",
        description="Check the directory, store it as a new version and subscribe each "
        "official's phone and e-mail to case notices (needs $CONFIG_TABLE and "
        f"${resources.CASE_NOTICES_TOPIC_ENV}).",
    )
    load.add_argument("file", type=json_file, metavar="FILE", help="the directory (JSON)")
    load.set_defaults(run=_load)


def _run(command: str, action: Callable[[], dict[str, Any]]) -> int:
    from samvad.escalation.model import CaseError

    try:
        result = action()
    except CaseError as error:
        raise UsageError(f"{command}: {error}") from None
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_OK


def _ports() -> EscalationPorts:
    from samvad.escalation.wiring import escalation_ports

    return escalation_ports()


def _show(args: argparse.Namespace) -> int:
    from samvad.escalation import cases

    return _run("samvad case show", lambda: cases.show(args.case_id, _ports()))


def _atr(args: argparse.Namespace) -> int:
    from samvad.escalation import cases

    return _run(
        "samvad case atr", lambda: cases.file_atr(args.case_id, args.text, args.by, _ports())
    )


def _transfer(args: argparse.Namespace) -> int:
    from samvad.escalation import cases

    return _run(
        "samvad case transfer",
        lambda: cases.transfer(args.case_id, args.department, args.by, args.reason, _ports()),
    )


def _load(args: argparse.Namespace) -> int:
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.topics import OfficialSubscriptions
    from samvad.escalation.directory import validate

    path, document = args.file
    problems = validate(document)
    if problems:
        raise UsageError(f"samvad directory load: {path}: {all_of(problems)}")
    for name in (resources.CONFIG.env_var, resources.CASE_NOTICES_TOPIC_ENV):
        if not os.environ.get(name):
            raise RuntimeError(f"environment variable {name} is not set")
    table = os.environ[resources.CONFIG.env_var]
    topic = os.environ[resources.CASE_NOTICES_TOPIC_ENV]
    version = DynamoConfig(table).publish(resources.ESCALATION_DIRECTORY_CONFIG, document)
    synced = OfficialSubscriptions(topic).sync(document["officials"])
    print(json.dumps({"name": resources.ESCALATION_DIRECTORY_CONFIG, "version": version, **synced}))
    return EXIT_OK
