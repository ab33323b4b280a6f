"""Inbound grievances in the workspace, on fakes through the real handler: the route × role
table of the new routes, the anonymous case view, the caller's entry, relay and unmask."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from samvad.escalation.grievance_cases import open_grievance_case
from samvad.grievances import register
from samvad.workspace.roles import ROLES
from tests.escalation_fakes import MemoryCases
from tests.grievance_fakes import PHONE, GrievanceWorld, submission
from tests.unit.test_workspace_authz import app as authz_app  # noqa: F401
from tests.workspace_fakes import claims_of

GRIEVANCE = {
    "phone": "98765 43210",
    "department": "health",
    "service": "OPD",
    "office_code": "K1",
    "district": "Khordha",
    "category": "money_asked",
    "text": "asked for 200 rupees",
    "language": "or",
    "call_id": "call-1",
}


@pytest.fixture
def app(authz_app):  # noqa: F811
    """The workspace with one inbound grievance at L1 of office K1 (health, Khordha)."""
    ports = authz_app.ports
    grievances = GrievanceWorld()
    gports = replace(grievances.ports, cases=ports.escalation.cases)
    ports.grievances = gports
    result = register(gports, submission(office_code="K1", district="Khordha"), grievances.now)
    detail = grievances.events.published[-1][1]
    opened = MemoryCases()
    escalation = replace(
        ports.escalation, cases=opened, grievance_of=lambda r: gports.store.get(f"ref#{r}")
    )
    open_grievance_case(detail, escalation)
    case = opened.get(result.case_id)
    case.update(
        level=1, round=1, stage="awaiting_atr", status="open",
        holder={"level": 1, "official_id": "head-k1", "name": "head-k1", "title": ""},
        deadline="2026-12-05T00:00:00Z",
    )  # fmt: skip
    ports.escalation.cases.items[result.case_id] = case
    authz_app.case_id = result.case_id
    authz_app.grievances = grievances
    return authz_app


def cells(ok: set[str], not_found: set[str] = frozenset()) -> dict[str, int]:
    return {r: 200 if r in ok else 404 if r in not_found else 403 for r in ROLES}


HOLDERS = {"office_head", "collector", "sp", "secretary", "cmo"}
IN_SCOPE = {"office_head", "collector", "secretary", "cmo"}  # K1 is health, Khordha


def routes(case_id: str) -> dict:
    return {
        "register": ("POST", "/api/grievances", GRIEVANCE, cells({"caller"})),
        "rejects": ("GET", "/api/grievances/rejects", None, cells({"caller"})),
        "question": ("POST", f"/api/cases/{case_id}/question", {"question": "Which counter?"},
                     cells({"office_head"}, HOLDERS - IN_SCOPE)),
        "unmask": ("POST", f"/api/cases/{case_id}/unmask", {"reason": "court order"},
                   cells({"cmo"})),
    }  # fmt: skip


@pytest.mark.parametrize("route", ["register", "rejects", "question", "unmask"])
@pytest.mark.parametrize("role", ROLES)
def test_every_grievance_route_as_every_role(app, route, role):
    method, path, body, expected = routes(app.case_id)[route]
    status, text = app(method, path, body, claims=claims_of(role))
    expected_status = expected[role]
    if route == "question" and role in IN_SCOPE - {"office_head"}:
        expected_status = 403  # in scope, but only the holder asks
    assert status == expected_status, text
    if route != "unmask":
        assert PHONE[3:] not in text


def test_inbound_cases_are_listed_and_shown_without_any_phone(app):
    status, text = app("GET", "/api/cases", claims=claims_of("cmo"))
    listed = [c for c in json.loads(text)["cases"] if c["case_id"] == app.case_id]
    assert status == 200 and listed[0]["origin"] == "inbound"
    assert listed[0]["category"] == "money_asked" and listed[0]["reference"].startswith("OD-")
    status, text = app("GET", f"/api/cases/{app.case_id}", claims=claims_of("office_head"))
    shown = json.loads(text)
    assert shown["text"] == "The clerk asked for 200 rupees" and shown["citizen_phone"] == ""
    assert PHONE[3:] not in text and PHONE[-4:] not in text


def test_the_caller_registers_once_per_call_and_the_phone_stays_out_of_the_answer(app):
    answers = [
        app("POST", "/api/grievances", GRIEVANCE, claims=claims_of("caller")) for _ in range(3)
    ]
    references = {json.loads(t)["reference"] for _, t in answers}
    assert len(references) == 1 and all(PHONE[3:] not in t for _, t in answers)


def test_a_bad_field_from_the_caller_is_named(app):
    status, text = app(
        "POST", "/api/grievances", {**GRIEVANCE, "category": "x"}, claims=claims_of("caller")
    )
    assert status == 400 and json.loads(text)["field"] == "category"


def test_the_holders_question_reaches_the_citizen_by_sms_and_the_trail(app):
    status, _ = app(
        "POST", f"/api/cases/{app.case_id}/question", {"question": "Which counter?"},
        claims=claims_of("office_head"),
    )  # fmt: skip
    assert status == 200
    [(phone, text)] = app.grievances.sms.sent[1:]
    assert phone == PHONE and "OD-" in text.body
    case = app.ports.escalation.cases.get(app.case_id)
    assert case["audit"][-1]["what"] == "question_sent"


def test_unmasking_is_audited_with_its_reason(app):
    status, text = app(
        "POST", f"/api/cases/{app.case_id}/unmask", {"reason": "court order"},
        claims=claims_of("cmo"),
    )  # fmt: skip
    assert status == 200 and json.loads(text)["phone"] == PHONE
    entry = app.ports.audit.entries[-1]
    assert (entry["what"], entry["reason"], entry["target"]) == (
        "grievance_unmask",
        "court order",
        app.case_id,
    )
    assert PHONE not in json.dumps(entry)


@pytest.mark.parametrize("language", ["or", "hi", "en"])
def test_the_callers_grievance_page_renders_its_form_in_each_language(language):
    from samvad.workspace import pages

    status, html = pages.render("grievance", language)
    assert status == 200 and pages.LABELS[language]["grievance"] in html
    assert 'id="grievance-form"' in html and "/api/grievances" in html


VOICE_READERS = IN_SCOPE | {"minister", "auditor"}  # may read cases, and this one is in scope


@pytest.mark.parametrize("role", ROLES)
def test_the_voice_message_is_played_by_a_short_lived_link_for_case_readers(app, role):
    """Given an inbound case whose voice message was copied into ``cases/``, When each role
    asks for it, Then the case's readers in scope get a presigned link to that object only
    (audited, no phone), a reader out of scope 404, any other role 403; before the copy, 404."""
    path = f"/api/cases/{app.case_id}/voice"
    status, _ = app("GET", path, claims=claims_of("cmo"))
    assert status == 404  # not copied yet
    key = f"cases/{app.case_id}/voice/message.wav"
    app.ports.escalation.cases.items[app.case_id]["voice_object"] = key
    status, text = app("GET", path, claims=claims_of(role))
    expected = 200 if role in VOICE_READERS else 404 if role == "sp" else 403
    assert status == expected, text
    if status == 200:
        assert json.loads(text)["url"] == f"https://bucket.example/{key}?signed"
        assert app.ports.audit.entries[-1]["what"] == "voice_message"
        shown = json.loads(app("GET", f"/api/cases/{app.case_id}", claims=claims_of(role))[1])
        assert shown["voice_ready"] is True and shown["has_voice"] is False
    assert PHONE[3:] not in text
