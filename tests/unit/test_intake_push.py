"""The push API's domain: the caller's department, whole-batch refusals, rows, replays."""

import json

import pytest

from samvad.intake.push import (
    MAX_RECORDS,
    PUSH_CALLERS_CONFIG,
    PushPorts,
    PushRefused,
    caller_department,
    push,
    role_arn,
)
from tests.fakes import (
    FIXED_NOW,
    HASH_KEY,
    SAMPLING_KEY,
    MemoryConfig,
    MemoryDirectory,
    MemoryLedger,
    MemoryStrata,
    MemoryVisits,
)

HEALTH_ROLE = "arn:aws:iam::123456789012:role/samvad-push-health"
CALLERS = {PUSH_CALLERS_CONFIG: {"callers": {HEALTH_ROLE: "health"}}}


def ports(workers: int = 1) -> PushPorts:
    return PushPorts(
        visits=MemoryVisits(),
        ledger=MemoryLedger(),
        directory=MemoryDirectory(),
        strata=MemoryStrata(),
        config=MemoryConfig(dict(CALLERS)),
        hash_key=HASH_KEY,
        sampling_key=SAMPLING_KEY,
        write_workers=workers,
        clock=lambda: FIXED_NOW,
    )


def record(n: int, **fields) -> dict:
    return {
        "Mobile No": f"98765{n:05d}",
        "Date of Visit": "22/11/2026",
        "Office Code": "HLT-KHU-001",
        "Service": "OPD",
        **fields,
    }


def body(records, batch_id="opd-2026-11-22-001", **extra) -> str:
    return json.dumps({"batch_id": batch_id, "records": records, **extra})


def refusal(call) -> PushRefused:
    with pytest.raises(PushRefused) as caught:
        call()
    return caught.value


def test_the_department_is_the_signing_roles():
    """Given the health push role's session ARN (as API Gateway verified it), Then the caller
    pushes for health; an unmapped role or no principal is refused without a department."""
    config = MemoryConfig(dict(CALLERS))
    session = "arn:aws:sts::123456789012:assumed-role/samvad-push-health/opd-system"
    assert role_arn(session) == HEALTH_ROLE
    assert caller_department(session, config) == "health"
    other = "arn:aws:sts::123456789012:assumed-role/samvad-push-police/cctns"
    assert refusal(lambda: caller_department(other, config)).status == 403
    assert refusal(lambda: caller_department(None, config)).status == 401


def test_a_good_batch_is_answered_with_accepted_rejected_and_duplicates():
    """Given 4 records: two good, one repeated, one with a landline, When pushed, Then the
    answer counts them, names the bad record by index and reason, and the visits are stored
    with the batch as their source."""
    p = ports()
    records = [record(1), record(2), record(1), record(3, **{"Mobile No": "0674-2391234"})]

    pushed = push(body(records), "health", p)

    answer = pushed.answer
    assert not pushed.replayed
    assert (answer["received"], answer["accepted"], answer["duplicates"]) == (4, 2, 1)
    assert answer["rejections"] == [
        {"index": 3, "code": "phone_landline", "message": answer["rejections"][0]["message"]}
    ]
    assert "0674" not in json.dumps(answer)  # no phone number echoed
    sources = {i["source_upload"]["S"] for i in p.visits.items.values()}
    assert sources == {"push:health:opd-2026-11-22-001"}
    assert sum(p.strata.totals().values()) == 2


def test_a_replayed_batch_id_gets_the_same_answer_and_writes_nothing():
    """Given a batch already taken, When the same batch is pushed again, Then the answer is
    the same, marked as a replay, and nothing is written again."""
    p = ports()
    first = push(body([record(1), record(2)]), "health", p)
    puts = p.visits.put_calls

    again = push(body([record(1), record(2)]), "health", p)

    assert again.replayed and again.answer == first.answer
    assert p.visits.put_calls == puts


def test_a_batch_id_reused_with_other_records_is_refused():
    """Given a batch id already taken, When other records come with it, Then 409 names it."""
    p = ports()
    push(body([record(1)]), "health", p)
    refused = refusal(lambda: push(body([record(2)]), "health", p))
    assert (refused.status, refused.field) == (409, "batch_id")


def test_the_same_batch_id_is_separate_per_department():
    """Given health's batch id, When police uses the same id, Then it is police's own batch."""
    p = ports()
    push(body([record(1)]), "health", p)
    assert not push(body([record(2)]), "police", p).replayed


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body([record(1)], department="police"), "department"),
        (body([record(1), record(2, Department="police")]), "records[1].department"),
    ],
)
def test_a_department_in_the_body_other_than_the_credentials_is_refused(payload, field):
    """Given health's credential, When the body names police (at the top or in a record),
    Then the batch is refused with 403 naming that field, and nothing is written."""
    p = ports()
    refused = refusal(lambda: push(payload, "health", p))
    assert (refused.status, refused.code, refused.field) == (403, "department_not_yours", field)
    assert p.visits.items == {}


def test_the_callers_own_department_in_the_body_is_accepted():
    """Given health's credential and records that say health, Then they are taken."""
    answer = push(body([record(1, Department="Health")], department="health"), "health", ports())
    assert answer.answer["accepted"] == 1


@pytest.mark.parametrize(
    ("payload", "status", "field", "code"),
    [
        ('{"batch_id": "b1", "records": [', 400, "body", "invalid_json"),
        ("", 400, "body", "body_empty"),
        ("[1, 2]", 400, "body", "not_an_object"),
        (body([record(1)], batch_id="../etc"), 400, "batch_id", "batch_id_invalid"),
        (json.dumps({"batch_id": "b1"}), 400, "records", "records_missing"),
        (body([record(i) for i in range(MAX_RECORDS + 1)]), 413, "records", "too_many_records"),
        (b"\xff\xfe{}", 400, "body", "body_not_utf8"),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_naming_the_problem(payload, status, field, code):
    """Given a malformed or oversized body, Then the refusal's status, field and code say
    what to fix, and nothing is written."""
    p = ports()
    refused = refusal(lambda: push(payload, "health", p))
    assert (refused.status, refused.field, refused.code) == (status, field, code)
    assert p.visits.items == {} and p.ledger.reports == {}


def test_bad_json_says_where():
    """Given JSON cut short, Then the message gives the line and column."""
    refused = refusal(lambda: push('{"batch_id": "b1",\n "records": [}', "health", ports()))
    assert "line 2 column" in refused.message


def test_a_batch_with_a_pool_of_writers_counts_as_one_writer():
    """Given 1,000 records with repeats, When pushed with 8 writers, Then the answer equals
    one writer's."""
    records = [record(n % 700) for n in range(1_000)]
    one = push(body(records), "health", ports(1)).answer
    many = push(body(records), "health", ports(8)).answer
    assert (
        (many["accepted"], many["duplicates"])
        == (one["accepted"], one["duplicates"])
        == (
            700,
            300,
        )
    )
