"""The erasure adapters on moto: the keys-only index, whole-item rewrite, object versions."""

from __future__ import annotations

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
