"""The erasure adapters on moto: the keys-only index, conditional rewrites, object versions."""

from __future__ import annotations

import datetime as dt

import boto3

from samvad import resources
from samvad.adapters.erasure import BucketObjects, KeysOnlyIndex, TableRecords, caller_arn


def test_the_phone_hash_index_finds_only_that_citizens_visits(stack):
    """Given three visits, two of one citizen, When the index is asked for that citizen's
    hash, Then it returns exactly their two visit keys."""
    table = stack.table(resources.VISITS)
    visits = TableRecords(table, resources.VISITS)
    for key, hashed in (("v1", "h1"), ("v2", "h1"), ("v3", "h2")):
        visits.put({"visit_key": key, "phone_hash": hashed, "department": "health"})
    index = KeysOnlyIndex(table, resources.VISITS, resources.BY_PHONE_HASH_INDEX)
    assert index.keys("h1") == ["v1", "v2"]
    assert index.keys("nobody") == []


def test_an_item_is_read_and_written_back_whole(stack):
    """Given a dispatch item with numbers and lists, When read and put back, Then it is the
    same item; delete removes it by its keys."""
    records = TableRecords(stack.table(resources.DISPATCHES), resources.DISPATCHES)
    item = {"visit_key": "v1", "entry": "attempt#01", "attempts": 2, "reasons": ["a", "b"]}
    records.put(item)
    (read,) = records.items("v1")
    assert read == item
    records.delete(read)
    assert records.items("v1") == []


def test_a_redaction_is_written_only_over_the_item_as_read(stack):
    """Given a case read by the erasure, When the escalation appends to its audit trail
    before the redaction is written, Then the conditional write is refused and the case keeps
    the transition; read again and redacted, it is written: the changed attributes are set,
    the dropped ones removed, and an attribute written meanwhile that the redaction does not
    touch (a new wait token) is kept."""
    records = TableRecords(stack.table(resources.CASES), resources.CASES)
    audit = [{"what": "opened", "note": "call 9876543210", "level": 1}]
    records.put({"case_id": "case-v1", "audit": audit, "masked_phone": "98XXXXX210", "round": 1})
    (read,) = records.items("case-v1")
    redacted = {k: v for k, v in read.items() if k != "masked_phone"} | {
        "audit": [{"what": "opened", "note": "call [erased]", "level": 1}],
        "erased_at": "2026-11-30T10:00:00+05:30",
    }
    moved_on = {"what": "escalated", "note": "to L2", "level": 2}
    records.put(read | {"audit": [*audit, moved_on]})

    assert records.replace(read, redacted) is False
    again = records.get(read)
    assert again is not None and again["audit"][-1] == moved_on

    records.put(again | {"waits": {"atr": {"token": "t2"}}})  # … and before this write
    again = records.get(read)
    assert again is not None
    redacted_again = {k: v for k, v in again.items() if k != "masked_phone"} | {
        "audit": [{"what": "opened", "note": "call [erased]", "level": 1}, moved_on],
        "erased_at": "2026-11-30T10:00:00+05:30",
    }
    stale = {k: v for k, v in redacted_again.items() if k != "waits"}
    assert records.replace({k: v for k, v in again.items() if k != "waits"}, stale) is True
    (stored,) = records.items("case-v1")
    assert stored == redacted_again
    assert records.replace(stored, stored) is True  # nothing to write


def test_replace_keeps_one_version_with_the_new_body(stack):
    """Given an object written twice (two versions), When replaced, Then the two old versions
    are deleted and only the new body is left."""
    s3 = boto3.client("s3")
    for body in (b"first", b"second"):
        s3.put_object(
            Bucket=stack.bucket, Key="uploads/x/day.csv", Body=body, ContentType="text/csv"
        )
    objects = BucketObjects(stack.bucket)
    assert objects.replace("uploads/x/day.csv", b"third") == 2
    versions = s3.list_object_versions(Bucket=stack.bucket, Prefix="uploads/x/")["Versions"]
    assert len(versions) == 1 and objects.read("uploads/x/day.csv") == b"third"
    assert objects.read("uploads/x/missing.csv") is None
    assert objects.keys("uploads/") == ["uploads/x/day.csv"]


def test_the_receipt_names_the_caller_from_sts(aws):
    """Given credentials, Then the receipt's author is the caller's ARN from STS."""
    assert caller_arn().startswith("arn:aws:")


def test_a_workspace_request_is_recorded_once_with_its_receipt_and_audit_entry(stack):
    """Given an erasure request's receipts and audit entry, When recorded twice (a racing
    replay), Then the Audit table holds one request receipt, one erasure receipt and one
    audit entry; the request is read back by its id and listed, newest first."""
    from samvad.adapters.audit import DynamoAuditLog
    from samvad.adapters.erasure import DynamoErasureRequests

    table = stack.table(resources.AUDIT)
    requests = DynamoErasureRequests(table)
    erased = {"phone_hash": "h1", "at": "2026-11-30T04:00:00+00:00", "by": "workspace:go",
              "counts": {"visits": 1}, "found": True}  # fmt: skip
    receipt = {"request_id": "r1", "phone_hash": "h1", "at": erased["at"], "by": "go",
               "reason": "asked", "counts": {"visits": 1}, "found": True}  # fmt: skip
    entry = {"at": "2026-11-30T04:00:01Z", "who": "go", "role": "grievance_officer",
             "what": "erasure", "target": "r1", "from": "10.0.0.1", "found": True}  # fmt: skip
    requests.record(erased, receipt, entry)
    requests.record(erased, receipt | {"counts": {"visits": 0}}, entry)
    assert requests.get("r1") == receipt and requests.get("r2") is None
    later = receipt | {"request_id": "r2", "at": "2026-11-30T05:00:00+00:00"}
    requests.record(erased | {"at": later["at"]}, later, entry | {"target": "r2"})
    assert [r["request_id"] for r in requests.recent(10)] == ["r2", "r1"]
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    assert sorted(i["pk"]["S"] for i in items if i["pk"]["S"].startswith("erasure")) == [
        "erasure#h1", "erasure#h1", "erasure_requests", "erasure_requests",
    ]  # fmt: skip
    audited = DynamoAuditLog(table).recent(dt.date(2026, 11, 30), 1, 10)
    assert sorted(e["target"] for e in audited) == ["r1", "r2"]


def test_two_erasures_of_one_citizen_within_a_second_keep_both_receipts(stack):
    """Given a citizen erased twice within the same second (the receipt's time is to the
    second), When both receipts are recorded, by the CLI's path and by two workspace
    requests, Then the Audit table keeps every one: none overwrites another."""
    from samvad.adapters.erasure import AuditReceipts, DynamoErasureRequests

    table = stack.table(resources.AUDIT)
    at = "2026-11-30T04:00:00+00:00"
    receipts = AuditReceipts(table)
    for found in (True, False):
        receipts.record({"phone_hash": "h2", "at": at, "by": "cli", "counts": {}, "found": found})
    requests = DynamoErasureRequests(table)
    for request_id in ("r7", "r8"):
        erased = {"phone_hash": "h3", "at": at, "by": "go", "counts": {}, "found": False}
        receipt = {"request_id": request_id, "phone_hash": "h3", "at": at, "by": "go",
                   "reason": "asked", "counts": {}, "found": False}  # fmt: skip
        entry = {"at": at, "who": "go", "role": "grievance_officer", "what": "erasure",
                 "target": request_id, "from": "10.0.0.1", "found": False}  # fmt: skip
        requests.record(erased, receipt, entry)
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    kept = sorted(i["pk"]["S"] for i in items if i["pk"]["S"] in ("erasure#h2", "erasure#h3"))
    assert kept == ["erasure#h2", "erasure#h2", "erasure#h3", "erasure#h3"]
