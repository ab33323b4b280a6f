"""What the user typed, checked before anything runs: one line that says what to fix.

Argument types raise ``argparse.ArgumentTypeError`` (argparse prefixes the flag's name);
``Parser.error`` turns every argparse complaint into a ``UsageError``; ``explain`` turns any
exception that reaches ``samvad.cli.main`` into its exit code and one line for stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, NoReturn, TypeAlias

EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran; what it checked was not all good (rejected rows, …)
EXIT_USAGE = 2  # bad input: a flag, a file, the environment
EXIT_FAILED = 3  # an unexpected failure: a bug, or AWS refused (``--debug`` shows where)

Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""What ``add_subparsers`` returns: each module adds its commands to it."""

ENVIRONMENT_HELP = "see 'The AWS environment' in docs/cli.md"
_MISSING_VARIABLE = re.compile(r"environment variables? ([\w, ]+?) (?:is|are) not set")


def _not_set(names: str) -> str:
    several = "," in names
    return (
        f"environment variable{'s' if several else ''} {names} {'are' if several else 'is'} not set"
    )


class UsageError(Exception):
    """Bad input: printed as one line on stderr, exit 2."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose complaints are one line, raised rather than printed."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def explain(error: BaseException, command: str) -> tuple[int, str]:
    """The exit code and the one line to print for an exception that ended ``command``."""
    if isinstance(error, UsageError):
        return EXIT_USAGE, str(error)
    missing = _MISSING_VARIABLE.search(str(error)) if isinstance(error, RuntimeError) else None
    if missing:
        return EXIT_USAGE, (
            f"{command}: {_not_set(missing.group(1))}: this command "
            f"works on the deployed stack; export the stack's resource names ({ENVIRONMENT_HELP})"
        )
    name = type(error).__name__
    if name in ("NoCredentialsError", "NoRegionError", "PartialCredentialsError"):
        return EXIT_USAGE, f"{command}: {error}: configure AWS access ({ENVIRONMENT_HELP})"
    first_line = (str(error).strip().splitlines() or [""])[0]
    return EXIT_FAILED, (
        f"{command}: failed: {name}: {first_line} (run again with --debug for the traceback)"
    )


# -- argument types -------------------------------------------------------------------------


def positive_int(text: str) -> int:
    """A whole number above 0."""
    number = _int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0, not {text!r}")
    return number


def non_negative_int(text: str) -> int:
    """A whole number, 0 or more."""
    number = _int(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, not {text!r}")
    return number


def any_int(text: str) -> int:
    """A whole number."""
    return _int(text)


def fault_rate(text: str) -> float:
    """A fraction from 0 to 0.5 (``samvad demo --faults``)."""
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 0.5:
        raise argparse.ArgumentTypeError(
            f"must be a fraction from 0 to 0.5, e.g. 0.05, not {text!r}"
        )
    return rate


def iso_date(text: str) -> dt.date:
    """A calendar date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-22"
        ) from None


def month(text: str) -> str:
    """A calendar month written YYYY-MM."""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text.strip()):
        return text.strip()
    raise argparse.ArgumentTypeError(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-11")


def department(text: str) -> str:
    """A configured department's code (case does not matter)."""
    from samvad.intake.departments import default_departments

    code = text.strip().casefold()
    known = default_departments()
    if code not in known:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a department; use one of: {', '.join(known.codes())}"
        )
    return code


def input_file(text: str) -> Path:
    """A file that exists and can be read."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file (give a file, not a folder)")
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {error.strerror}") from None
    return path


def json_file(text: str) -> tuple[Path, object]:
    """A readable file holding one JSON document: ``(path, document)``."""
    path = input_file(text)
    try:
        return path, json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise argparse.ArgumentTypeError(f"{text} is not UTF-8 text (save it as UTF-8)") from None
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(
            f"{text} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None


def aliases_file(text: str) -> dict[str, str]:
    """A JSON object of extra headers: ``{"<header as written>": "<field>"}``."""
    from samvad.intake.aliases import CANONICAL_FIELDS

    _, document = json_file(text)
    if not isinstance(document, dict):
        raise argparse.ArgumentTypeError(
            f'{text} must hold a JSON object {{"<header>": "<field>"}}, not a {_kind(document)}'
        )
    for header, field in document.items():
        if field not in CANONICAL_FIELDS:
            raise argparse.ArgumentTypeError(
                f"{text}: header {header!r} maps to unknown field {field!r}; "
                f"fields: {', '.join(CANONICAL_FIELDS)}"
            )
    return document


def directory_file(text: str) -> dict[str, Any]:
    """An escalation directory (as ``samvad directory load`` takes), checked."""
    from samvad.escalation.directory import validate

    _, document = json_file(text)
    if not isinstance(document, dict):
        raise argparse.ArgumentTypeError(f"{text} must hold a JSON object, not a {_kind(document)}")
    problems = validate(document)
    if problems:
        raise argparse.ArgumentTypeError(f"{text}: {all_of(problems)}")
    return document


def all_of(problems: list[str]) -> str:
    """Several problems on one line."""
    return "; ".join(problems)


def _int(text: str) -> int:
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _kind(document: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(
        type(document), type(document).__name__
    )
