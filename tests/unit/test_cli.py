"""The CLI explains itself: help on everything, and every bad input is one line on stderr
with exit 2, never a traceback. Nothing here starts a stack: each case fails before."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from samvad import cli, resources

DIRECTORY = {
    "officials": {"cmo": {"name": "CM's grievance cell", "email": "cmo@example.org"}},
    "cm_office": "cmo",
}

FILES = {
    "visits.csv": "Mobile No,Date of Visit,Office Code,Service\n9876543210,22/11/2026,A-1,OPD\n",
    "bad.json": '{"Rogi Phone": "phone",}',
    "list.json": '["phone"]',
    "unknown_field.json": '{"Rogi Phone": "fone"}',
    "latin1.json": b'{"T\xe9l\xe9phone": "phone"}',
    "directory.json": json.dumps(DIRECTORY),
    "bad_directory.json": json.dumps({"officials": {}}),
    "bad_offices.json": json.dumps({**DIRECTORY, "offices": {"health": "HLT-1"}}),
    "no_departments.json": json.dumps({"departments": {}}),
    "bad_plan.json": json.dumps({"window_days": -1}),
    "bad_aliases_doc.json": json.dumps({"aliases": {"Rogi": "fone"}}),
}

# (argv, what stderr must say). {tmp} is a folder holding FILES; every case exits 2.
BAD_INPUTS = [
    # intake: files
    ("intake {tmp}/nope.csv --department health", "argument FILE: no such file: {tmp}/nope.csv"),
    ("intake {tmp} --department health", "is not a file (give a file, not a folder)"),
    ("intake --department health", "the following arguments are required: FILE"),
    ("intake {tmp}/visits.csv", "the following arguments are required: --department"),
    # intake: department
    ("intake {tmp}/visits.csv --department helth", "'helth' is not a department; use one of:"),
    ("intake {tmp}/visits.csv --department ''", "'' is not a department; use one of: energy,"),
    # intake: aliases
    (
        "intake {tmp}/visits.csv --department health --aliases {tmp}/missing.json",
        "argument --aliases: no such file: {tmp}/missing.json",
    ),
    (
        "intake {tmp}/visits.csv --department health --aliases {tmp}/bad.json",
        "bad.json is not valid JSON (line 1, column 24",
    ),
    (
        "intake {tmp}/visits.csv --department health --aliases {tmp}/unknown_field.json",
        "header 'Rogi Phone' maps to unknown field 'fone'; fields: service,",
    ),
    (
        "intake {tmp}/visits.csv --department health --aliases {tmp}/list.json",
        "must hold a JSON object",
    ),
    (
        "intake {tmp}/visits.csv --department health --aliases {tmp}/latin1.json",
        "latin1.json is not UTF-8 text (save it as UTF-8)",
    ),
    # intake: directory and out
    (
        "intake {tmp}/visits.csv --department health --directory {tmp}/bad_directory.json",
        "argument --directory: {tmp}/bad_directory.json: 'officials' must map",
    ),
    (
        "intake {tmp}/visits.csv --department health --directory {tmp}/bad_offices.json",
        "offices['health'] must be a list of office codes",
    ),
    (
        "intake {tmp}/visits.csv --department health --out {tmp}/visits.csv/sub",
        "cannot create --out {tmp}/visits.csv/sub",
    ),
    ("intake {tmp}/visits.csv --department health --bogus", "unrecognized arguments: --bogus"),
    # the deployed stack's commands, without its environment
    ("sample run --date 2026-11-22", "not set: this command works on the deployed stack"),
    ("sample verify --date 2026-11-22", "not set: this command works on the deployed stack"),
    ("report --date 2026-11-22", "not set: this command works on the deployed stack"),
    ("case show C-1", "not set: this command works on the deployed stack"),
    # who acts is the signed-in official, never a flag
    ("case atr C-1 --text done --by o-1", "--by is no longer accepted: the official is whoever"),
    ("case transfer C-1 --to revenue --by o-1 --reason land", "--by is no longer accepted"),
    ("case atr C-1 --text done", "not signed in: sign in first: `samvad signin"),
    ("case transfer C-1 --to revenue --reason land", "not signed in"),
    ("signin --username demo-cmo", "give --workspace URL (or set $WORKSPACE_URL)"),
    ("signin --workspace ftp://x --username u", "must be http(s)://host…, not 'ftp://x'"),
    ("signin --workspace http://127.0.0.1:9 --username u", "cannot reach the workspace at"),
    ("config publish x/y {tmp}/directory.json", "environment variable CONFIG_TABLE is not set"),
    ("directory load {tmp}/directory.json", "environment variable CONFIG_TABLE is not set"),
    # numbers
    ("demo --visits -5", "argument --visits: must be a whole number above 0, not '-5'"),
    ("demo --visits 0", "argument --visits: must be a whole number above 0, not '0'"),
    ("demo --visits many", "argument --visits: 'many' is not a whole number"),
    ("demo --days 0", "argument --days: must be a whole number above 0"),
    ("demo --seed x", "argument --seed: 'x' is not a whole number"),
    ("bench intake --rows 10 0", "argument --rows: must be a whole number above 0, not '0'"),
    ("bench intake --emulator-rows -1", "argument --emulator-rows: must be a whole number above"),
    ("bench sampling --k 0", "argument --k: must be a whole number above 0"),
    ("bench reports --feedback -3", "argument --feedback: must be a whole number above 0"),
    ("report --date 2026-11-22 --min-responses -1", "--min-responses: must be a whole number, 0"),
    ("demo --faults 0.9", "argument --faults: must be a fraction from 0 to 0.5, e.g. 0.05"),
    ("demo --faults lots", "argument --faults: must be a fraction from 0 to 0.5"),
    # dates and months
    (
        "report --date 2026-13-01",
        "argument --date: '2026-13-01' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-22",
    ),
    ("report --week 22/11/2026", "argument --week: '22/11/2026' is not a date: write it as"),
    ("report --month 2026-13", "argument --month: '2026-13' is not a month: write it as YYYY-MM"),
    ("sample run --date tomorrow", "argument --date: 'tomorrow' is not a date"),
    ("sample verify", "the following arguments are required: --date"),
    ("report", "one of the arguments --date --week --month is required"),
    ("report --date 2026-11-22 --month 2026-11", "not allowed with argument --date"),
    # documents
    ("sample plan {tmp}/missing.json", "argument FILE: no such file"),
    ("sample plan {tmp}/bad.json", "is not valid JSON"),
    ("sample plan {tmp}/bad_plan.json", "samvad sample plan: {tmp}/bad_plan.json: "),
    ("config publish departments {tmp}/no_departments.json", "lists no department"),
    ("config publish intake/health {tmp}/bad_aliases_doc.json", "unknown field 'fone'"),
    ("config publish departments {tmp}/list.json", "must be a JSON object"),
    ("directory load {tmp}/bad_directory.json", "'officials' must map official ids"),
    # commands
    ("", "the following arguments are required: COMMAND"),
    ("frobnicate", "argument COMMAND: invalid choice: 'frobnicate'"),
    ("bench", "the following arguments are required: BENCHMARK"),
    ("case show", "the following arguments are required: CASE"),
]


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    """A folder of input files, and no deployed stack in the environment."""
    for name, content in FILES.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for variable in _stack_variables():
        monkeypatch.delenv(variable, raising=False)
    for variable in ("SAMVAD_ID_TOKEN", "WORKSPACE_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SAMVAD_TOKEN_FILE", str(tmp_path / "no-token.json"))
    monkeypatch.setenv("SAMVAD_PASSWORD", "not-asked")
    return tmp_path


@pytest.mark.parametrize(("argv", "says"), BAD_INPUTS, ids=[a or "(none)" for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp, capsys, argv, says):
    """Given a bad command line, When samvad runs it, Then it exits 2 and prints exactly one
    line on stderr that names the problem, nothing on stdout, and no traceback."""
    argv = [a.replace("''", "").format(tmp=tmp) for a in argv.split(" ")] if argv else []

    code = cli.main(argv)

    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("samvad")
    assert says.format(tmp=tmp) in err


def test_an_unreadable_file_is_named(tmp, capsys, monkeypatch):
    """Given an input file that cannot be opened (no permission), Then exit 2 and one line
    naming the file and the reason."""
    from pathlib import Path

    opened = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "visits.csv":
            raise PermissionError(13, "Permission denied")
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert cli.main(["intake", str(tmp / "visits.csv"), "--department", "health"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"samvad intake: argument FILE: cannot read {tmp}/visits.csv: Permission denied"
        " (see 'samvad intake --help')\n"
    )


def test_an_unexpected_failure_is_one_line_and_exit_3_and_debug_shows_the_traceback(
    tmp, capsys, monkeypatch
):
    """Given a command that fails unexpectedly, Then it prints one line suggesting --debug
    and exits 3; with --debug anywhere on the line, the exception propagates."""
    import samvad.cli_intake

    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr(samvad.cli_intake, "run", broken)
    argv = ["intake", str(tmp / "visits.csv"), "--department", "health"]

    assert cli.main(argv) == 3
    err = capsys.readouterr().err
    assert err == (
        "samvad intake: failed: KeyError: 'boom' (run again with --debug for the traceback)\n"
    )
    with pytest.raises(KeyError):
        cli.main([*argv, "--debug"])


def test_every_command_and_flag_has_help():
    """Every command and every flag (the demo's are owned elsewhere) has a help text, and
    no help shows reStructuredText markup."""
    for name, command in _commands(cli.build_parser()):
        assert "`" not in command.format_help(), name
        if name == "samvad demo":
            continue  # its flags belong to the demo's rework (issue 15 §1)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, f"{name} {choice.dest} has no help"
            else:
                assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_intake_help_lists_departments_exit_codes_and_outputs(capsys):
    """Given `samvad intake --help`, Then it lists the departments, the exit codes and
    where the reports and rejects are written."""
    assert cli.main(["intake", "--help"]) == 0
    text = capsys.readouterr().out
    assert "health       Health & Family Welfare" in text
    assert "revenue      Revenue & Disaster Management" in text
    assert "1 some rows rejected or a file quarantined" in text
    assert "FILE.rejects.csv" in text and "FILE.intake.json" in text


def test_version_is_printed(capsys):
    from importlib.metadata import version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"samvad {version('samvad')}\n"


def test_the_installed_entry_point_prints_one_line_not_a_traceback(tmp_path):
    """Given the real entry point in a fresh interpreter, When given a bad number, Then one
    line on stderr and exit 2; with --debug, the traceback."""
    run = [sys.executable, "-m", "samvad", "demo", "--visits", "-5"]
    plain = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, check=False)
    debug = subprocess.run([*run, "--debug"], capture_output=True, text=True, check=False)

    assert plain.returncode == 2 and plain.stdout == ""
    assert plain.stderr == (
        "samvad demo: argument --visits: must be a whole number above 0, not '-5'"
        " (see 'samvad demo --help')\n"
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def _commands(parser, prefix="samvad"):
    """Every command and command group, by its full name."""
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _commands(child, f"{prefix} {name}")


def _stack_variables() -> list[str]:
    names = []
    for value in vars(resources).values():
        if isinstance(value, resources.TableSpec):
            names.append(value.env_var)
    for attribute, value in vars(resources).items():
        if attribute.endswith("_ENV") and isinstance(value, str):
            names.append(value)
    return names


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (
            RuntimeError("environment variable VISITS_TABLE is not set"),
            2,
            "samvad x: environment variable VISITS_TABLE is not set: this command works on the "
            "deployed stack; export the stack's resource names (see 'The AWS environment' in "
            "docs/cli.md)",
        ),
        (
            "NoCredentialsError",
            2,
            "samvad x: Unable to locate credentials: configure AWS access (see 'The AWS "
            "environment' in docs/cli.md)",
        ),
        (
            "ClientError",
            3,
            "samvad x: failed: ClientError: An error occurred (AccessDenied) when calling the "
            "GetItem operation: no (run again with --debug for the traceback)",
        ),
        (
            ValueError("first line\nsecond line"),
            3,
            "samvad x: failed: ValueError: first line (run again with --debug for the traceback)",
        ),
    ],
)
def test_errors_from_aws_and_the_environment_are_explained(error, code, line):
    """Given an exception that reached the CLI, Then its exit code and one line: a missing
    variable or missing credentials is the user's to fix (2), anything else a failure (3)."""
    from botocore.exceptions import ClientError, NoCredentialsError

    from samvad.cli_input import explain

    if error == "NoCredentialsError":
        error = NoCredentialsError()
    elif error == "ClientError":
        denied = {"Error": {"Code": "AccessDenied", "Message": "no"}}
        error = ClientError(denied, "GetItem")
    assert explain(error, "samvad x") == (code, line)
