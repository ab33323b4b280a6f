"""``samvad schemes publish FILE`` against the stack's Config table (moto in-process)."""

from __future__ import annotations

import json
import os

from samvad import cli, resources
from samvad.adapters.config import DynamoConfig
from tests.inbound_fakes import scheme_document


def test_a_scheme_file_is_published_as_the_next_version(stack, tmp_path, capsys):
    """Given two files published one after the other, Then version 2 holds both notices."""
    first, second = tmp_path / "kalia.json", tmp_path / "more.json"
    first.write_text(json.dumps(scheme_document()), encoding="utf-8")
    second.write_text(json.dumps({"schemes": [scheme_document("MAMATA")]}), encoding="utf-8")

    assert cli.main(["schemes", "publish", str(first)]) == 0
    assert cli.main(["schemes", "publish", str(second)]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["version"] for line in lines] == [1, 2]
    stored = DynamoConfig(os.environ[resources.CONFIG.env_var]).latest("schemes/notices")
    assert sorted(stored["schemes"]) == ["KALIA", "MAMATA"]


def test_a_bad_scheme_file_is_one_line_and_exit_2_and_nothing_is_stored(stack, tmp_path, capsys):
    """Given a notice whose dates are reversed, When published, Then exit 2, one line naming
    the field, no traceback, and no document stored."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scheme_document(valid_to="2020-01-01")), encoding="utf-8")

    assert cli.main(["schemes", "publish", str(path)]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "samvad schemes publish" in err[0]
    assert "valid_to 2020-01-01 is before valid_from 2026-04-01" in err[0]
    assert DynamoConfig(os.environ[resources.CONFIG.env_var]).latest("schemes/notices") is None


def test_a_bad_menus_document_is_refused_by_config_publish(stack, tmp_path, capsys):
    path = tmp_path / "menus.json"
    path.write_text(json.dumps({"departments": []}), encoding="utf-8")
    assert cli.main(["config", "publish", "inbound/ivr_menus", str(path)]) == 2
    assert "'departments' must be a non-empty list" in capsys.readouterr().err


def test_broadcast_sends_to_subscribers_and_refuses_an_unknown_keyword(stack, tmp_path, capsys):
    """Given KALIA published and two subscribers, When broadcast by the CLI inside calling
    hours, Then two SMS; an unknown keyword is one line and exit 2."""
    import datetime as dt

    from samvad.adapters.scheme_subscribers import DynamoSubscribers
    from samvad.clock import SIMULATED_NOW_ENV

    path = tmp_path / "kalia.json"
    path.write_text(json.dumps(scheme_document()), encoding="utf-8")
    assert cli.main(["schemes", "publish", str(path)]) == 0
    subscribers = DynamoSubscribers(os.environ[resources.CONTACTS.env_var])
    for n in range(2):
        subscribers.subscribe(f"h{n}", f"+91943700000{n}", "en", "")
    noon = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC).isoformat()
    os.environ[SIMULATED_NOW_ENV] = noon
    try:
        assert cli.main(["schemes", "broadcast", "kalia"]) == 0
        assert cli.main(["schemes", "broadcast", "NOPE"]) == 2
    finally:
        del os.environ[SIMULATED_NOW_ENV]
    out, err = capsys.readouterr()
    counts = json.loads(out.splitlines()[-2])
    assert (counts["status"], counts["sent"]) == ("done", 2)
    assert "NOPE is not a current notice" in err
