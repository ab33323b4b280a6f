"""The workspace against ``samvad serve``: every route × every role through the local JWT
authorizer and the real handler on the local stack, forged tokens, scope, and no phone in
clear outside the permitted reveal. One server for the module."""

from __future__ import annotations

import base64
import json
import re

import pytest

from samvad.phones import mask
from tests.workspace_server import request, running_serve, sign_in, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("workspace-serve")]

READERS = {"cmo", "minister", "secretary", "collector", "sp", "office_head", "auditor"}
HOLDERS = {"cmo", "secretary", "collector", "sp", "office_head"}
CALLERS = {"cmo", "minister", "secretary", "collector", "sp", "caller"}
E164 = re.compile(r"\+91[6-9]\d{9}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_serve(tmp_path_factory.mktemp("serve")) as line:
        users = {u["role"]: u for u in line["users"]}
        tokens = {role: sign_in(line["url"], user) for role, user in users.items()}
        yield {"url": line["url"], "users": users, "tokens": tokens}


def call(stack, role, method, path, body=None):
    token = stack["tokens"].get(role) if role else None
    return request(stack["url"], method, path, body, token)


def covers(scope: dict, record: dict) -> bool:
    if scope.get("department") and record["department"] != scope["department"]:
        return False
    if scope.get("district"):
        return record["district"].casefold() == scope["district"].casefold()
    if scope.get("office_code"):
        return record["office_code"] == scope["office_code"]
    return True


@pytest.fixture(scope="module")
def targets(stack):
    """A case the collector holds (their district), and a visit on the CMO's call list."""
    _, cases = call(stack, "collector", "GET", "/api/cases?mine=true")
    held = cases["cases"]
    assert len(held) >= 2, "the demo day gives the collector cases to hold"
    _, calls = call(stack, "cmo", "GET", "/api/calls")
    assert calls["total"] == 10
    return {"case": held[0], "spare_case": held[1], "visit": calls["calls"][-1]["visit_key"]}


def test_one_json_line_lists_a_user_per_role(stack):
    assert set(stack["users"]) == {
        "cmo", "minister", "secretary", "collector", "sp", "office_head", "caller",
        "data_officer", "auditor", "grievance_officer",
    }  # fmt: skip
    for role, user in stack["users"].items():
        status, me = call(stack, role, "GET", "/api/me")
        assert status == 200 and me["role"] == role and me["official_id"] == user["official_id"]


ROUTES = ["me", "cases", "case", "atr", "transfer", "attach", "calls", "outcome", "reveal",
          "upload", "uploads", "dashboard", "audit", "erase", "erasures"]  # fmt: skip
ROLES = ["cmo", "minister", "secretary", "collector", "sp", "office_head", "caller",
         "data_officer", "auditor", "grievance_officer"]  # fmt: skip
NOBODYS_PHONE = "+91 70000 00017"
"""No visit of the demo day has it: the matrix's erasures find nothing and change nothing."""


def expected(stack, targets, route: str, role: str) -> int:
    scope = stack["users"][role]["scope"]
    case = targets["case"]
    table = {
        "me": 200,
        "cases": 200 if role in READERS else 403,
        "case": (200 if covers(scope, case) else 404) if role in READERS else 403,
        "atr": (403 if covers(scope, case) else 404) if role in HOLDERS else 403,
        # the collector holds the case (its district has no office heads in the directory)
        "calls": 200 if role in CALLERS else 403,
        "outcome": (200 if role == "cmo" else 404) if role in CALLERS else 403,
        "upload": 200 if role == "data_officer" else 403,
        "uploads": 200 if role == "data_officer" else 403,
        "dashboard": 403 if role in ("data_officer", "grievance_officer") else 200,
        "audit": 200 if role == "auditor" else 403,
        "erase": 200 if role == "grievance_officer" else 403,
        "erasures": 200 if role == "grievance_officer" else 403,
    }
    if role == "collector":
        table["atr"] = 200
    table["transfer"] = table["attach"] = table["atr"]
    table["reveal"] = table["outcome"]
    return table[route]


def other_department(case: dict) -> str:
    return "revenue" if case["department"] != "revenue" else "health"


def route_call(targets, route: str, department: str = "health"):
    case_id, visit = targets["case"]["case_id"], targets["visit"]
    return {
        "me": ("GET", "/api/me", None),
        "cases": ("GET", "/api/cases", None),
        "case": ("GET", f"/api/cases/{case_id}", None),
        "atr": ("POST", f"/api/cases/{case_id}/atr", {"text": "done"}),
        "transfer": (
            "POST",
            f"/api/cases/{case_id}/transfer",
            {"to": other_department(targets["case"]), "reason": "x"},
        ),
        "attach": ("POST", f"/api/cases/{case_id}/attachments", {"filename": "a.pdf"}),
        "calls": ("GET", "/api/calls", None),
        "outcome": ("POST", f"/api/calls/{visit}/outcome", {"outcome": "busy"}),
        "reveal": ("POST", f"/api/visits/{visit}/phone", None),
        "upload": ("POST", "/api/uploads", {"filename": "a.csv", "department": department}),
        "uploads": ("GET", "/api/uploads", None),
        "dashboard": ("GET", "/api/dashboard", None),
        "audit": ("GET", "/api/audit", None),
        "erase": ("POST", "/api/erasures", {"phone": NOBODYS_PHONE, "reason": "matrix"}),
        "erasures": ("GET", "/api/erasures", None),
    }[route]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_as_every_role(stack, targets, route, role):
    department = stack["users"][role]["scope"].get("department", "health")
    method, path, body = route_call(targets, route, department)
    status, answer = call(stack, role, method, path, body)
    assert status == expected(stack, targets, route, role), answer
    if route != "reveal":
        assert not E164.search(json.dumps(answer)), "a phone in clear outside the reveal"


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_401(stack, targets, route):
    method, path, body = route_call(targets, route)
    assert call(stack, None, method, path, body)[0] == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forgeries(token: str) -> dict[str, str]:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {
        "alg-none": _b64({"alg": "none", "typ": "JWT"}) + "." + payload + ".",
        "role-raised": f"{header}.{_b64({**claims, 'cognito:groups': ['cmo']})}.{signature}",
        "district-changed": f"{header}.{_b64({**claims, 'custom:district': 'Cuttack'})}."
        + signature,
        "signature-cut": f"{header}.{payload}.",
        "expired": f"{header}.{_b64({**claims, 'exp': 1})}.{signature}",
    }


@pytest.mark.parametrize(
    "forgery", ["alg-none", "role-raised", "district-changed", "signature-cut", "expired"]
)
@pytest.mark.parametrize("route", ROUTES)
def test_a_forged_token_is_401(stack, targets, route, forgery):
    forged = _forgeries(stack["tokens"]["collector"])[forgery]
    method, path, body = route_call(targets, route)
    assert request(stack["url"], method, path, body, forged)[0] == 401


def test_a_collector_sees_only_their_districts_cases(stack):
    district = stack["users"]["collector"]["scope"]["district"]
    _, mine = call(stack, "collector", "GET", "/api/cases")
    _, everyone = call(stack, "cmo", "GET", "/api/cases")
    in_district = {c["case_id"] for c in everyone["cases"] if c["district"] == district}
    assert {c["case_id"] for c in mine["cases"]} == in_district
    assert len(in_district) < len(everyone["cases"])


def test_the_case_shows_a_masked_phone_and_only_the_reveal_shows_it(stack, targets):
    _, case = call(stack, "collector", "GET", f"/api/cases/{targets['case']['case_id']}")
    assert "•" in case["citizen_phone"]
    visit = targets["visit"]
    _, listing = call(stack, "cmo", "GET", "/api/calls")
    shown = {c["visit_key"]: c["phone"] for c in listing["calls"]}[visit]
    status, revealed = call(stack, "cmo", "POST", f"/api/visits/{visit}/phone")
    assert status == 200 and revealed["phone"].startswith("+91")
    assert mask(revealed["phone"]) == shown != revealed["phone"]
    _, audit = call(stack, "auditor", "GET", "/api/audit")
    assert revealed["phone"] not in json.dumps(audit)
    assert any(e["what"] == "number_reveal" and e["target"] == visit for e in audit["entries"])


def test_the_holder_files_an_atr_and_transfers(stack, targets):
    case_id = targets["spare_case"]["case_id"]
    status, filed = call(stack, "collector", "POST", f"/api/cases/{case_id}/atr", {"text": "Met"})
    assert status == 200, filed

    def moved_on():
        return call(stack, "collector", "GET", f"/api/cases/{case_id}")[1]["stage"] == (
            "awaiting_confirmation"
        )

    assert wait_for(moved_on, timeout=90)
    assert call(stack, "collector", "POST", f"/api/cases/{case_id}/atr", {"text": "x"})[0] == 409
    spare = case_id
    status, moved = call(
        stack, "collector", "POST", f"/api/cases/{spare}/transfer",
        {"to": other_department(targets["spare_case"]), "reason": "a land matter"},
    )  # fmt: skip
    assert status == 200, moved
    _, audit = call(stack, "auditor", "GET", "/api/audit")
    kinds = {(e["what"], e["target"]) for e in audit["entries"]}
    assert {("atr", case_id), ("transfer", spare)} <= kinds
    assert any(e["what"] == "sign_in" for e in audit["entries"])


def test_bad_input_names_the_field(stack, targets):
    status, body = call(stack, "collector", "GET", "/api/cases?level=7")
    assert (status, body["field"]) == (400, "level")
    status, body = call(stack, "cmo", "POST", f"/api/calls/{targets['visit']}/outcome", {})
    assert (status, body["field"]) == (400, "outcome")
    status, body = call(stack, "data_officer", "POST", "/api/uploads", {"filename": "a.csv"})
    assert (status, body["field"]) == (400, "department")


def test_another_departments_prefix_is_refused(stack):
    status, _ = call(
        stack, "data_officer", "POST", "/api/uploads", {"filename": "a.csv", "department": "police"}
    )
    assert status == 403


def test_the_dashboard_reads_the_report_counters_of_my_scope(stack):
    _, state = call(stack, "cmo", "GET", "/api/dashboard")
    _, district = call(stack, "collector", "GET", "/api/dashboard")
    assert state["figures"]["sampled"] > 0
    assert 0 < district["figures"].get("sampled", 0) < state["figures"]["sampled"]
    assert district["cases"] < state["cases"]
    assert {c["case_id"] for c in district["my_cases"]} <= {
        c["case_id"] for c in call(stack, "collector", "GET", "/api/cases")[1]["cases"]
    }


def _a_case_to_report_on(stack):
    """A role and a case it holds with no report filed at its level yet."""
    for role in ("office_head", "secretary", "collector", "cmo", "sp"):
        _, mine = call(stack, role, "GET", "/api/cases?mine=true")
        for case in mine["cases"]:
            _, shown = call(stack, role, "GET", f"/api/cases/{case['case_id']}")
            if shown.get("can_file_atr"):
                return role, case["case_id"]
    raise AssertionError("the demo day leaves some holder a case to report on")


def test_the_cli_files_an_atr_as_the_signed_in_official_not_a_flag(
    stack, tmp_path, monkeypatch, capsys
):
    """Given `samvad signin` as a holder, When `samvad case atr` runs, Then the report is
    filed as that official (the audit says so); `--by` is refused, and signed in as the
    auditor the same command is refused by the workspace (403), whoever it names."""
    from samvad import cli

    role, case_id = _a_case_to_report_on(stack)
    user = stack["users"][role]
    monkeypatch.setenv("SAMVAD_TOKEN_FILE", str(tmp_path / "token.json"))
    monkeypatch.delenv("SAMVAD_ID_TOKEN", raising=False)
    monkeypatch.setenv("SAMVAD_PASSWORD", user["password"])
    argv = ["signin", "--workspace", stack["url"], "--username", user["username"]]
    assert cli.main(argv) == 0
    signed_in = json.loads(capsys.readouterr().out)
    assert signed_in["signed_in_as"]["official_id"] == user["official_id"]
    assert (tmp_path / "token.json").stat().st_mode & 0o077 == 0

    assert cli.main(["case", "atr", case_id, "--text", "Fixed", "--by", "someone-else"]) == 2
    assert "--by is no longer accepted" in capsys.readouterr().err
    assert cli.main(["case", "atr", case_id, "--text", "Fixed it, from the CLI"]) == 0
    assert json.loads(capsys.readouterr().out)["case_id"] == case_id
    _, audit = call(stack, "auditor", "GET", "/api/audit")
    assert any(
        e["what"] == "atr" and e["target"] == case_id and e["who"] == user["official_id"]
        for e in audit["entries"]
    )

    auditor = stack["users"]["auditor"]
    monkeypatch.setenv("SAMVAD_PASSWORD", auditor["password"])
    assert cli.main(["signin", "--workspace", stack["url"], "--username", auditor["username"]]) == 0
    capsys.readouterr()
    assert cli.main(["case", "atr", case_id, "--text", "Not mine to file"]) == 2
    assert "refused (HTTP 403)" in capsys.readouterr().err


def test_the_grievance_officer_erases_a_citizen_through_the_erasure_function(stack):
    """Given a citizen on the CMO's call list today, When the grievance officer erases them
    (and the request is replayed), Then the receipt holds no number, the replay gets the same
    receipt, the number can no longer be revealed, and the audit trail has one erasure."""
    _, listing = call(stack, "cmo", "GET", "/api/calls")
    visit = listing["calls"][0]["visit_key"]
    status, revealed = call(stack, "cmo", "POST", f"/api/visits/{visit}/phone")
    assert status == 200, revealed
    asked = {"phone": revealed["phone"], "reason": "the citizen asked at the CMO's desk"}
    status, receipt = call(stack, "grievance_officer", "POST", "/api/erasures", asked)
    assert status == 200 and receipt["found"] and receipt["counts"]["visits"] >= 1, receipt
    assert not E164.search(json.dumps(receipt)) and revealed["phone"][3:] not in str(receipt)
    assert call(stack, "grievance_officer", "POST", "/api/erasures", asked)[1] == receipt
    status, _ = call(stack, "cmo", "POST", f"/api/visits/{visit}/phone")
    assert status != 200
    _, listed = call(stack, "grievance_officer", "GET", "/api/erasures")
    assert receipt in listed["erasures"]
    _, audit = call(stack, "auditor", "GET", "/api/audit")
    erasures = [e for e in audit["entries"] if e["target"] == receipt["request_id"]]
    assert [e["what"] for e in erasures] == ["erasure"]
    assert revealed["phone"][3:] not in json.dumps(audit)
    status, refused = call(stack, "grievance_officer", "POST", "/api/erasures",
                           {"phone": "0674 2391234", "reason": "x"})  # fmt: skip
    assert (status, refused["field"]) == (400, "phone")
