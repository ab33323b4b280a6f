"""Escalation rules without AWS: execution names, SLA timing, the directory, signed links."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad.escalation import directory, links
from samvad.escalation.http import AtrWebPorts, handle_atr_request
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


def test_signed_atr_links_work_for_that_official_and_case_until_expiry():
    """Given a link for one official and case, Then it verifies; another official, another
    case, a changed signature or a later time do not."""
    key = links.atr_key(b"secret")
    deadline = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    url = links.atr_link("https://f.example/", key, "case-v1", "head-khu", deadline)
    query = dict(p.split("=") for p in url.split("?")[1].split("&"))
    now = deadline.timestamp()
    assert links.verify(key, "case-v1", "head-khu", query["e"], query["s"], now) is None
    assert links.verify(key, "case-v1", "dc-khurda", query["e"], query["s"], now)
    assert links.verify(key, "case-v2", "head-khu", query["e"], query["s"], now)
    assert links.verify(key, "case-v1", "head-khu", query["e"], query["s"] + "x", now)
    assert "expired" in links.verify(key, "case-v1", "head-khu", query["e"], query["s"], now + 2e5)


def test_atr_page_refuses_an_unsigned_request_before_reading_anything():
    """Given a request without a valid signature, When handled, Then 403 and no case read."""

    class NoReads:
        def __getattr__(self, name):
            raise AssertionError("the case store must not be touched")

    ports = AtrWebPorts(
        escalation=type(
            "P", (), {"cases": NoReads(), "clock": staticmethod(lambda: dt.datetime.now(dt.UTC))}
        )(),
        link_key=b"k",
    )
    status, headers, body = handle_atr_request("POST", "/atr/case-v1", {"o": "x"}, "", {}, ports)
    assert status == 403 and "incomplete" in body and headers["Cache-Control"] == "no-store"
    assert handle_atr_request("GET", "/elsewhere", {}, "", {}, ports)[0] == 404
