"""``samvad dlq list`` and ``samvad dlq redrive QUEUE``: the operator's dead-letter commands.

They use the AWS environment (credentials, region, ``AWS_ENDPOINT_URL`` for an emulator).
Output is one JSON object per line; message bodies are shown with phone numbers masked.
Exit codes: 0 done, 2 a queue that cannot be named or an AWS error (the line says which),
3 redrive left messages it could not route (pass ``--to QUEUE``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_USAGE, EXIT_LEFT = 2, 3


def add_commands(commands: Any) -> None:
    from samvad.cli_input import non_negative_int

    dlq = commands.add_parser("dlq", help="dead-letter queues: inspect and redrive (AWS)")
    which = dlq.add_subparsers(dest="dlq", required=True)
    listing = which.add_parser("list", help="every dead-letter queue and its message count")
    listing.add_argument("--prefix", default="", help="only queues whose name starts so")
    listing.add_argument(
        "--show",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="also show up to N messages per queue",
    )
    listing.set_defaults(run=_list)
    redrive = which.add_parser("redrive", help="send a dead-letter queue's messages back")
    redrive.add_argument("queue", help="its name, a unique part of the name, or its URL")
    redrive.add_argument(
        "--to", default=None, help="send every message to this queue (name or URL) instead"
    )
    redrive.set_defaults(run=_redrive)


def _dead_letters() -> Any:
    from samvad.adapters.dead_letters import SqsDeadLetters

    return SqsDeadLetters()


def _list(args: argparse.Namespace) -> int:
    from samvad.phones import redact

    def run() -> int:
        letters = _dead_letters()
        for queue in letters.list(args.prefix):
            line = queue.as_dict()
            if args.show and queue.visible:
                line["shown"] = [
                    {**m, "body": redact(m["body"])} for m in letters.peek(queue, args.show)
                ]
            print(json.dumps(line, ensure_ascii=False), flush=True)
        return 0

    return _aws(run)


def _redrive(args: argparse.Namespace) -> int:
    def run() -> int:
        letters = _dead_letters()
        report = letters.redrive(letters.find(args.queue), to=args.to)
        print(json.dumps(report.as_dict()), flush=True)
        if report.left:
            print(
                f"samvad: {report.left} message(s) of {report.queue} name no target: "
                "redrive with --to QUEUE",
                file=sys.stderr,
            )
            return EXIT_LEFT
        return 0

    return _aws(run)


def _aws(run: Any) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from samvad.adapters.dead_letters import UnknownQueue

    try:
        return int(run())
    except UnknownQueue as error:
        print(f"samvad: {error}; see `samvad dlq list`", file=sys.stderr)
        return EXIT_USAGE
    except (ClientError, BotoCoreError) as error:
        print(f"samvad: AWS refused: {error}", file=sys.stderr)
        return EXIT_USAGE
