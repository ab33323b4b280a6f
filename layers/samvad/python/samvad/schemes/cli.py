"""``samvad schemes publish FILE``: check a scheme file and store it as the next version of
``schemes/notices`` (deployed stack: ``$CONFIG_TABLE``). A bad file is one line on stderr
naming the field, exit 2, nothing stored."""

from __future__ import annotations

import argparse
import json
import os

from samvad import resources
from samvad.cli_input import EXIT_OK, Commands, UsageError, json_file


def add_commands(commands: Commands) -> None:
    schemes = commands.add_parser("schemes", help="scheme notices (deployed stack)")
    which = schemes.add_subparsers(dest="schemes", required=True, metavar="ACTION")
    publish = which.add_parser(
        "publish",
        help="check a scheme file and publish it (needs $CONFIG_TABLE)",
        description='Check FILE (one notice or {"schemes": [...]}: keyword, department, '
        "title and summary in or/hi/en, eligibility, where_to_apply, valid_from, valid_to, "
        "optional prompt per language) and store it as the next version of schemes/notices; "
        "notices not in FILE are kept. See docs/inbound.md.",
    )
    publish.add_argument("file", type=json_file, metavar="FILE", help="the scheme file (JSON)")
    publish.set_defaults(run=_publish)


def _publish(args: argparse.Namespace) -> int:
    from samvad.adapters.config import DynamoConfig
    from samvad.schemes.model import SchemeError, parse_schemes
    from samvad.schemes.service import publish

    path, document = args.file
    try:
        parse_schemes(document)
    except SchemeError as error:
        raise UsageError(f"{args.command_name}: {path}: {error}") from None
    table = os.environ.get(resources.CONFIG.env_var)
    if not table:
        raise UsageError(
            f"{args.command_name}: environment variable {resources.CONFIG.env_var} is not set "
            "(the deployed stack's Config table)"
        )
    version, keywords = publish(DynamoConfig(table), document)
    print(json.dumps({"name": "schemes/notices", "version": version, "keywords": keywords}))
    return EXIT_OK
