"""Escalation rules without AWS: execution names, SLA timing, the directory, the retired
ATR link."""

from __future__ import annotations

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
