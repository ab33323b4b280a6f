"""``samvad users load``: the users file is validated row by row before anything is written."""

from __future__ import annotations

import json

import pytest

from samvad.cli import main
from samvad.workspace.users import parse_users

HEADER = "username,email,role,official_id,department,district,office_code\n"


def test_a_valid_csv_gives_one_user_per_row():
    text = HEADER + "dc.khordha,dc@od.gov.in,collector,collector-khordha,,Khordha,\n"
    users, problems = parse_users(text)
    assert problems == []
    assert users[0]["role"] == "collector" and users[0]["district"] == "Khordha"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("x,,collector,collector-k,,,", "row 2: username: 3-128"),
        ("dc.k,,collector,collector-k,,,", "row 2: district: required for the collector role"),
        ("dc.k,,king,k,,,", "row 2: role: 'king' is not one of"),
        ("dc.k,,cmo,,,,", "row 2: official_id: required"),
        ("dc.k,not-an-address,cmo,cmo,,,", "row 2: email: 'not-an-address' is not an address"),
        ("head.k,,office_head,h,,,", "row 2: office_code: required for the office_head role"),
        ("do.k,,data_officer,d,,,", "row 2: department: required for the data_officer role"),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_returned(row, problem):
    users, problems = parse_users(HEADER + row + "\n")
    assert users == []
    assert any(p.startswith(problem) for p in problems), problems


def test_json_lists_and_duplicates():
    rows = [{"username": "aud1", "role": "auditor", "official_id": "a"}] * 2
    users, problems = parse_users(json.dumps(rows))
    assert users == [] and problems == ["row 2: username 'aud1' appears twice"]
    assert parse_users("username,role\n")[1] == [
        "the header needs the columns official_id (of username, email, role, official_id, "
        "department, district, office_code)"
    ]


def test_the_cli_prints_every_problem_and_exits_2(tmp_path, capsys):
    path = tmp_path / "users.csv"
    path.write_text(HEADER + "dc.k,,collector,collector-k,,,\nx,,cmo,cmo,,,\n")
    assert main(["users", "load", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith(f"samvad: {path}: row ") for line in err)


def test_the_cli_needs_the_pool(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    path = tmp_path / "users.csv"
    path.write_text(HEADER + "aud1,,auditor,auditor,,,\n")
    assert main(["users", "load", str(path)]) == 2
    assert "USER_POOL_ID" in capsys.readouterr().err


def test_serve_refuses_a_busy_port_or_bad_arguments_before_loading_anything(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"port {port} cannot be used" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 2
    assert main(["serve", "--visits", "3"]) == 2
