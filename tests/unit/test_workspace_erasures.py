"""The grievance officer's erasure route (``samvad.workspace.erasures``) with in-memory ports:
the receipt without the number, the audit entry, replay, a failed write, the list."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from samvad.workspace.erasures import ErasureDeskPorts, list_erasures, request_erasure
from samvad.workspace.errors import BadRequest, Forbidden
from tests.unit.test_erasure import CITIZEN, PHONE, _day
from tests.workspace_fakes import MemoryErasureRequests, official

NOW = dt.datetime(2026, 11, 30, 4, 0, tzinfo=dt.UTC)
ASKED = {"phone": "+91 98765 43210", "reason": "citizen asked by letter, ref 12/2026"}


@pytest.fixture
def desk() -> ErasureDeskPorts:
    return ErasureDeskPorts(
        erasure=_day(), requests=MemoryErasureRequests(), audit_clock=lambda: NOW
    )


def test_the_grievance_officer_erases_and_gets_a_receipt_without_the_number(desk):
    """Given a citizen with a visit, feedback and a case, When the grievance officer asks for
    their erasure, Then their visit is redacted and the receipt names the request, the hash
    and the counts, never the number, and one audit entry says who did it."""
    receipt = request_erasure(official("grievance_officer"), ASKED, desk)
    assert receipt["found"] and receipt["counts"]["visits"] == 1
    assert receipt["phone_hash"] == CITIZEN.phone_hash and receipt["by"] == "grievance-officer"
    assert "phone" not in desk.erasure.visits.items("v1")[0]
    text = json.dumps(receipt)
    assert PHONE not in text and PHONE[3:] not in text and "98765" not in text
    [entry] = desk.requests.entries
    assert entry["what"] == "erasure" and entry["target"] == receipt["request_id"]
    assert entry["who"] == "grievance-officer" and entry["role"] == "grievance_officer"
    assert PHONE[3:] not in json.dumps(entry) and CITIZEN.phone_hash not in json.dumps(entry)
    [erased] = desk.requests.erased
    assert erased["by"] == "workspace:grievance-officer" and erased["counts"] == receipt["counts"]


def test_a_replayed_request_returns_the_same_receipt_and_erases_nothing_twice(desk):
    """Given an erasure done, When the same request arrives again (in another written form of
    the number), Then the stored receipt comes back and nothing more is recorded."""
    first = request_erasure(official("grievance_officer"), ASKED, desk)
    again = request_erasure(official("grievance_officer"), ASKED | {"phone": "09876543210"}, desk)
    assert again == first
    assert len(desk.requests.entries) == 1 and len(desk.requests.erased) == 1


def test_a_failed_record_is_completed_by_the_replay_with_nothing_lost(desk):
    """Given the write of the receipt fails after the citizen's records were redacted, When the
    request is replayed, Then it completes: one receipt, one audit entry, the citizen gone
    (its counts are the replay's: what the failed attempt left, here nothing)."""
    desk.requests.fail_next = True
    with pytest.raises(ConnectionError):
        request_erasure(official("grievance_officer"), ASKED, desk)
    assert desk.requests.receipts == {} and desk.requests.entries == []
    receipt = request_erasure(official("grievance_officer"), ASKED, desk)
    assert desk.requests.receipts == {receipt["request_id"]: receipt}
    assert len(desk.requests.entries) == 1 and "phone" not in desk.erasure.visits.items("v1")[0]
    assert request_erasure(official("grievance_officer"), ASKED, desk) == receipt


def test_another_reason_is_another_request(desk):
    """Given an erasure done, When the officer asks again for a new reason, Then it runs again
    and records that it found nothing."""
    request_erasure(official("grievance_officer"), ASKED, desk)
    again = request_erasure(
        official("grievance_officer"), ASKED | {"reason": "second letter"}, desk
    )
    assert not again["found"] and len(desk.requests.entries) == 2


@pytest.mark.parametrize("role", ["cmo", "auditor", "caller", "collector", "data_officer"])
def test_no_other_role_may_erase_or_read_the_receipts(desk, role):
    with pytest.raises(Forbidden):
        request_erasure(official(role), ASKED, desk)
    with pytest.raises(Forbidden):
        list_erasures(official(role), desk)
    assert "phone" in desk.erasure.visits.items("v1")[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "phone"), ({"phone": 9876543210, "reason": "r"}, "phone"),
     ({"phone": "12345", "reason": "r"}, "phone"), ({"phone": PHONE, "reason": " "}, "reason"),
     ({"phone": PHONE, "reason": "ring +919123456789"}, "reason")],
)  # fmt: skip
def test_bad_input_names_the_field_and_never_echoes_the_number(desk, body, field):
    with pytest.raises(BadRequest) as refused:
        request_erasure(official("grievance_officer"), body, desk)
    assert refused.value.field == field
    assert "9876543210" not in str(refused.value) and "9123456789" not in str(refused.value)
    assert desk.requests.receipts == {}


def test_the_receipts_are_listed_newest_first(desk):
    request_erasure(official("grievance_officer"), ASKED, desk)
    later = ErasureDeskPorts(desk.erasure, desk.requests, lambda: NOW + dt.timedelta(hours=1))
    request_erasure(official("grievance_officer"), ASKED | {"reason": "again"}, later)
    listed = list_erasures(official("grievance_officer"), desk)["erasures"]
    assert [r["reason"] for r in listed] == ["again", ASKED["reason"]]
