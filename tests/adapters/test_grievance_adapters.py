"""The Grievances table and the grievance citizens on moto, held to the in-memory fakes;
and registration end to end over them (one case's records, phone only in Visits)."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3
import pytest

from samvad import resources
from samvad.adapters.grievances import DynamoGrievances, VisitCitizens
from samvad.grievances import Registration, register, status
from samvad.grievances.model import StatusView
from tests.grievance_fakes import PHONE, GrievanceWorld, MemoryGrievanceStore, submission


@pytest.fixture(params=["dynamo", "memory"])
def store(request):
    if request.param == "memory":
        return MemoryGrievanceStore()
    return DynamoGrievances(request.getfixturevalue("stack").table(resources.GRIEVANCES))


def test_a_claim_is_won_once_until_it_expires(store):
    first, created = store.claim("fold#h#d", {"reference": "OD-AAAAAA", "expires_at": 100}, 50)
    assert created and first["reference"] == "OD-AAAAAA"
    again, created = store.claim("fold#h#d", {"reference": "OD-CCCCCC", "expires_at": 200}, 99)
    assert not created and again["reference"] == "OD-AAAAAA"
    later, created = store.claim("fold#h#d", {"reference": "OD-CCCCCC", "expires_at": 300}, 100)
    assert created and later["reference"] == "OD-CCCCCC"


def test_a_claim_without_expiry_is_kept_for_good(store):
    store.claim("once#x", {"reference": "OD-AAAAAA"}, 1)
    assert store.claim("once#x", {"reference": "OD-CCCCCC"}, 10**10)[1] is False
    assert store.get("once#x") == {"reference": "OD-AAAAAA"}
    assert store.get("nothing") is None


def test_put_replaces_and_rejects_are_kept_once_per_id_and_listed_per_day(store):
    store.put("ref#OD-AAAAAA", {"state": "registered", "n": 1})
    store.put("ref#OD-AAAAAA", {"state": "rejected", "n": 2})
    assert store.get("ref#OD-AAAAAA") == {"state": "rejected", "n": 2}
    assert store.add_reject("2026-11-23", "r1", {"reason": "invalid"}) is True
    assert store.add_reject("2026-11-23", "r1", {"reason": "again"}) is False
    assert store.add_reject("2026-11-24", "r2", {"reason": "rate_limited_phone"}) is True
    assert store.rejects("2026-11-23") == [{"reason": "invalid"}]


def test_registration_over_dynamo_keeps_the_phone_only_in_the_visit_item(stack):
    world = GrievanceWorld()
    grievances = DynamoGrievances(stack.table(resources.GRIEVANCES))
    citizens = VisitCitizens(stack.table(resources.VISITS))
    ports = replace(world.ports, store=grievances, citizens=citizens)
    results = [register(ports, submission(), world.now) for _ in range(3)]
    assert len({r.reference for r in results if isinstance(r, Registration)}) == 1
    first = results[0]
    assert isinstance(first, Registration)
    client = boto3.client("dynamodb")
    stored = client.scan(TableName=stack.table(resources.GRIEVANCES))["Items"]
    assert PHONE[-10:] not in json.dumps(stored)
    assert citizens.phone(f"grv-{first.reference}") == PHONE
    visit = client.get_item(
        TableName=stack.table(resources.VISITS), Key={"visit_key": {"S": f"grv-{first.reference}"}}
    )["Item"]
    assert "sample_pk" not in visit and "visit_date" not in visit
    view = status(ports, first.reference, PHONE)
    assert isinstance(view, StatusView) and view.state == "registered"


def test_erasing_the_citizen_removes_the_grievances_text_and_hash_and_the_number(stack):
    """Given a grievance registered over DynamoDB and its case, When the citizen is erased,
    Then the visit item holds no number, the grievance record no text nor hash, the case no
    text (its figures stay)."""
    from samvad.adapters.cases import DynamoCases
    from samvad.adapters.erasure import erasure_ports
    from samvad.erasure.service import erase
    from tests.fakes import HASH_KEY

    world = GrievanceWorld()
    grievances = DynamoGrievances(stack.table(resources.GRIEVANCES))
    ports = replace(
        world.ports, store=grievances, citizens=VisitCitizens(stack.table(resources.VISITS))
    )
    result = register(ports, submission(), world.now)
    assert isinstance(result, Registration)
    DynamoCases(stack.table(resources.CASES)).create(
        {"case_id": result.case_id, "visit_key": f"grv-{result.reference}", "case_type":
         "grievance", "text": "The clerk asked for 200 rupees", "status": "open"}
    )  # fmt: skip
    tables = {spec.logical_id: stack.table(spec) for spec in resources.TABLES}
    receipt = erase(PHONE, "test", erasure_ports(tables, stack.bucket, HASH_KEY))
    assert receipt.found
    record = grievances.get(f"ref#{result.reference}")
    assert record is not None and "text" not in record and "phone_hash" not in record
    case = DynamoCases(stack.table(resources.CASES)).get(result.case_id)
    assert case is not None and "text" not in case and case["case_type"] == "grievance"
    assert VisitCitizens(stack.table(resources.VISITS)).phone(f"grv-{result.reference}") is None
