"""``samvad schemes publish FILE``: check a scheme file and store it as the next version of
``schemes/notices`` (deployed stack: ``$CONFIG_TABLE``). A bad file is one line on stderr
naming the field, exit 2, nothing stored. ``samvad schemes broadcast KEYWORD``: send a
current notice to the subscribers (exit 1 when calling hours closed before the end)."""

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
    broadcast = which.add_parser(
        "broadcast",
        help="send a current notice to every subscriber (needs the stack's tables)",
        description="Send notice KEYWORD by SMS to every citizen who texted SCHEME ON: paced "
        "by dispatch's SMS bucket, within calling hours (stops at closing time: run it again "
        "the next day), DLT templates only, never to an opted-out number, once per citizen. "
        "Prints the counts as JSON; exit 1 when it stopped early (deferred).",
    )
    broadcast.add_argument("keyword", metavar="KEYWORD", help="the notice's keyword, e.g. KALIA")
    broadcast.set_defaults(run=_broadcast)


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


def _broadcast(args: argparse.Namespace) -> int:
    from samvad import clock
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.contacts import DynamoContacts
    from samvad.adapters.rate_limits import DynamoRateLimiter
    from samvad.adapters.scheme_subscribers import DynamoSubscribers
    from samvad.adapters.sms import SnsSms
    from samvad.cli_input import EXIT_FINDINGS
    from samvad.dispatch.wiring import current_policy
    from samvad.schemes.service import SchemePorts, broadcast

    names = {
        spec.env_var: os.environ.get(spec.env_var, "")
        for spec in (resources.CONFIG, resources.CONTACTS, resources.RATE_LIMITS)
    }
    if missing := sorted(name for name, value in names.items() if not value):
        raise UsageError(
            f"{args.command_name}: environment variables {', '.join(missing)} are not set "
            "(the deployed stack's tables)"
        )
    contacts = names[resources.CONTACTS.env_var]
    subscribers = DynamoSubscribers(contacts)
    ports = SchemePorts(
        config=DynamoConfig(names[resources.CONFIG.env_var]),
        sms=SnsSms(),
        policy=current_policy(names[resources.CONFIG.env_var]),
        hasher=lambda phone: phone,  # a broadcast sends to stored numbers; it hashes none
        subscribers=subscribers,
        opt_outs=DynamoContacts(contacts),
        clock=clock.now,
        limiter=DynamoRateLimiter(names[resources.RATE_LIMITS.env_var]),
        ledger=subscribers,
        sleep=clock.sleep,
    )
    result = broadcast(args.keyword.upper(), ports)
    print(json.dumps(result))
    if result["status"] == "not_current":
        raise UsageError(f"{args.command_name}: {args.keyword} is not a current notice")
    return EXIT_FINDINGS if result["status"] == "deferred" else EXIT_OK
