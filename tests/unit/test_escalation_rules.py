"""Escalation rules without AWS: execution names, SLA timing, the directory, the retired
ATR link."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad.escalation import directory
from samvad.escalation.http import handle_atr_request
from samvad.escalation.model import CaseError, LevelTiming, SlaPolicy, case_id_for, execution_name
from tests.escalation_support import DIRECTORY

CASE = {"office_code": "HLT-KHU-001", "district": "Khurda", "department": "health"}


def test_execution_name_is_the_case_id_when_valid_and_unique_otherwise():
    """Given case ids, When named, Then a valid id is used as is, and a long or odd one gets a
    readable prefix plus a hash: ≤ 80 allowed characters, distinct ids never collide."""
    assert execution_name(case_id_for("a1b2")) == "case-a1b2"
    long_one, long_two = "case-" + "x" * 100, "case-" + "x" * 99 + "y"
    odd = "case-a/b c"
    for name in map(execution_name, (long_one, long_two, odd)):
        assert len(name) <= 80 and all(c.isalnum() or c in "-_" for c in name)
    assert execution_name(long_one) != execution_name(long_two)
    with pytest.raises(CaseError):
        case_id_for("")


def test_sla_scales_days_by_the_time_factor_with_a_reminder_at_75_percent():
    """Given 7 days, When the factor is 1 or compresses a day to a second, Then the SLA is in
    seconds, the reminder at 75% and the rest after it (never below one second)."""
    assert LevelTiming.of(7, 1.0) == LevelTiming(604800, 453600, 151200)
    assert LevelTiming.of(8, 1 / 86400) == LevelTiming(8, 6, 2)
    assert LevelTiming.of(1, 1 / 86400).final_seconds == 1
    policy = SlaPolicy.from_document({"services": {"health/OPD": {"1": 5}}})
    assert (policy.days("health", "OPD", 1), policy.days("health", "IPD", 1)) == (5, 7)
    with pytest.raises(CaseError):
        SlaPolicy.from_document({"time_factor": 3})


def test_directory_validates_and_falls_to_the_next_holder():
    """Given the directory, Then it is valid; a level without a holder for the office falls
    to the next level's holder with a note; an invalid document lists each problem."""
    assert directory.validate(DIRECTORY) == []
    assert directory.holder_for(DIRECTORY, 1, CASE).official_id == "head-khu"
    elsewhere = directory.holder_for(DIRECTORY, 1, {**CASE, "office_code": "X"})
    assert elsewhere.official_id == "dc-khurda" and "no office head" in elsewhere.note
    assert directory.holder_for(DIRECTORY, 4, CASE).official_id == "cmo"
    broken = {**DIRECTORY, "district": {"Puri": "ghost"}, "cm_office": None}
    problems = directory.validate(broken)
    assert any("ghost" in p for p in problems) and any("cm_office" in p for p in problems)
    with pytest.raises(CaseError, match="directory load"):
        directory.holder_for(None, 1, CASE)


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT"])
def test_an_old_signed_atr_link_is_gone_and_shows_nothing_of_the_case(method):
    """Given a request on an old bearer ATR link (any method, any signature), When handled,
    Then 410 with a page that points to the workspace, shows no case and takes no report
    (the handler has no ports: it cannot read or file anything)."""
    status, headers, body = handle_atr_request(method, "/atr/case-v1")
    assert status == 410 and "workspace" in body and headers["Cache-Control"] == "no-store"
    assert "case-v1" not in body and "<form" not in body
    assert handle_atr_request("GET", "/elsewhere")[0] == 404


def test_a_notice_deep_links_the_workspace_case_page_and_carries_no_credential():
    """Given a workspace URL, When a holder's notice is written, Then the SMS and e-mail link
    the case page (sign-in required) with no signature, expiry or official in the link, and
    the CLI hint takes no ``--by``; without a URL the notice names the CLI only."""
    from samvad.escalation.notices import case_page, texts

    case = {"case_id": "case-v/1", "service": "OPD", "reasons": ["low_rating"], **CASE}
    holder = {"level": 1, "official_id": "head-khu", "name": "Head", "title": "Office head"}
    deadline = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    link = case_page("https://ws.example/", "case-v/1")
    assert link == "https://ws.example/cases/case-v%2F1"
    notice = texts(case, holder, deadline, "98•••••10", link)["notice"]
    assert link in notice["sms"] and link in notice["email"]
    for text in (notice["sms"], notice["email"]):
        assert "?" not in text.split(link)[1][:1] and "--by" not in text and "s=" not in text
    assert "samvad case atr case-v/1" in texts(case, holder, deadline, "x", "")["notice"]["sms"]
