"""``samvad serve`` (the workspace on the local stack) and ``samvad users load FILE`` (AWS).

Exit codes: 0 done; 2 bad input or environment (every problem printed, one line each,
nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from samvad import resources


def add_commands(commands: Any) -> None:
    from samvad.cli_input import any_int, input_file, non_negative_int, positive_int

    serve = commands.add_parser(
        "serve", help="the officials' workspace on the local stack, with a demo day"
    )
    serve.add_argument(
        "--port",
        type=non_negative_int,
        default=8080,
        help="the port to serve on; 0 picks a free one",
    )
    serve.add_argument(
        "--visits", type=positive_int, default=100, help="visits in the demo day it loads"
    )
    serve.add_argument(
        "--seed", type=any_int, default=7, help="the demo day's seed (the same seed, the same day)"
    )
    serve.set_defaults(run=_serve)

    users = commands.add_parser("users", help="workspace users (uses $USER_POOL_ID)")
    load = users.add_subparsers(dest="users", required=True).add_parser(
        "load", help="validate a users file (CSV or JSON), then create or update each user"
    )
    load.add_argument(
        "file", type=input_file, help="a CSV or JSON file of users (docs/workspace.md)"
    )
    load.set_defaults(run=_users_load)


def _serve(args: argparse.Namespace) -> int:
    from samvad_dev.local.serve import serve

    if not 0 <= args.port <= 65535:
        print("samvad: --port must be 0 to 65535", file=sys.stderr)
        return 2
    if args.visits < 10:
        print("samvad: --visits must be at least 10", file=sys.stderr)
        return 2
    if args.port:  # fail now, not after loading the demo day
        import socket

        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", args.port))
            except OSError as error:
                print(f"samvad: port {args.port} cannot be used ({error.strerror}); "
                      "choose another or --port 0", file=sys.stderr)  # fmt: skip
                return 2
    return serve(args.port, args.visits, args.seed)


def _users_load(args: argparse.Namespace) -> int:
    from samvad.workspace.roles import ROLES
    from samvad.workspace.users import parse_users

    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"samvad: {args.file}: {error}", file=sys.stderr)
        return 2
    users, problems = parse_users(text)
    if problems:
        for problem in problems:
            print(f"samvad: {args.file}: {problem}", file=sys.stderr)
        return 2
    pool = os.environ.get(resources.USER_POOL_ID_ENV)
    if not pool:
        print(f"samvad: set {resources.USER_POOL_ID_ENV} (the officials' pool)", file=sys.stderr)
        return 2
    from samvad.adapters.cognito import CognitoUsers

    admin = CognitoUsers(pool)
    admin.ensure_groups(ROLES)
    outcomes = {"created": 0, "updated": 0}
    for user in users:
        outcomes[admin.upsert(user)] += 1
    print(json.dumps({"users": len(users), **outcomes}))
    return 0
