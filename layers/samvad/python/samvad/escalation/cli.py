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
        help="file an action-taken report for the current level (signed in)",
        description="File an action-taken report (ATR) for the case's current level, as "
        "the official signed in with 'samvad signin' (or $SAMVAD_ID_TOKEN with "
        "$WORKSPACE_URL): the workspace takes who files it from the verified token.",
    )
    atr.add_argument("case_id", metavar="CASE", help="the case id")
    atr.add_argument("--text", required=True, help="what was done, in plain words")
    atr.add_argument("--by", help=argparse.SUPPRESS)  # retired: refused with the reason
    atr.set_defaults(run=_atr)
    transfer = which.add_parser(
        "transfer",
        help="to another department (the clock keeps running; signed in)",
        description="Transfer the case to another department as the signed-in official; "
        "its deadline does not restart.",
    )
    transfer.add_argument("case_id", metavar="CASE", help="the case id")
    transfer.add_argument(
        "--to", required=True, dest="department", metavar="DEPARTMENT", help="the new department"
    )
    transfer.add_argument("--by", help=argparse.SUPPRESS)  # retired: refused with the reason
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
    from samvad.workspace import remote

    command = "samvad case atr"
    _no_by(command, args)
    session = remote.current_session(command)
    body = {"text": args.text}
    result = remote.act(command, session, remote.case_path(args.case_id, "atr"), body)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_OK


def _transfer(args: argparse.Namespace) -> int:
    from samvad.workspace import remote

    command = "samvad case transfer"
    _no_by(command, args)
    session = remote.current_session(command)
    body = {"to": args.department, "reason": args.reason}
    result = remote.act(command, session, remote.case_path(args.case_id, "transfer"), body)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_OK


def _no_by(command: str, args: argparse.Namespace) -> None:
    if args.by is not None:
        raise UsageError(
            f"{command}: --by is no longer accepted: the official is whoever is signed in "
            "(`samvad signin`), as the workspace verifies it"
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
