"""SMS acknowledgement claims on moto and in memory: the same cases, the same answers."""

from __future__ import annotations

import boto3
import pytest

from samvad import resources
from samvad.adapters.acknowledgements import DynamoAcknowledgements
from tests.dispatch_fakes import MemoryAcknowledgements


def contacted(table: str, *phone_hashes: str, **attributes: dict) -> None:
    """Contacts items as the sampler leaves them (a TTL), or as an opt-out does (none)."""
    for phone_hash in phone_hashes:
        boto3.client("dynamodb").put_item(
            TableName=table, Item={"phone_hash": {"S": phone_hash}, **attributes}
        )


@pytest.fixture(params=["dynamo", "memory"])
def acks(request):
    if request.param == "memory":
        return MemoryAcknowledgements()
    table = request.getfixturevalue("stack").table(resources.CONTACTS)
    contacted(table, "h1", "h2", expires_at={"N": "1999999999"})
    return DynamoAcknowledgements(table)


def test_a_key_is_claimed_once_and_a_number_day_at_most_limit_times(acks):
    """Given a number, When acknowledgements are claimed, Then each key once (a replay, or the
    same key the next day, is refused), at most ``limit`` a day, and other numbers and days
    are counted apart."""
    assert acks.claim("h1", "2026-11-23", "not_understood#v1", 2) is True
    assert acks.claim("h1", "2026-11-23", "not_understood#v1", 2) is False
    assert acks.claim("h1", "2026-11-24", "not_understood#v1", 2) is False
    assert acks.claim("h1", "2026-11-23", "thanks#v1", 2) is True
    assert acks.claim("h1", "2026-11-23", "not_understood#v2", 2) is False  # the day is full
    assert acks.claim("h2", "2026-11-23", "not_understood#v2", 2) is True
    assert acks.claim("h1", "2026-11-24", "not_understood#v3", 2) is True
    assert acks.claim("h1", "2026-11-24", "not_understood#v4", 2) is True
    assert acks.claim("h1", "2026-11-24", "not_understood#v5", 2) is False


def test_claims_keep_the_contacts_item_retention_and_create_no_item(stack):
    """Given a contacted number, an opted-out one (kept for good: no TTL) and an unknown one,
    When acknowledgements are claimed, Then the first two keep their TTL as it was, and the
    unknown number gets no acknowledgement and no item."""
    table = stack.table(resources.CONTACTS)
    contacted(table, "sampled", expires_at={"N": "1999999999"})
    contacted(table, "stopped", opted_out={"BOOL": True})
    acks = DynamoAcknowledgements(table)
    assert acks.claim("sampled", "2026-11-23", "thanks#v1", 3) is True
    assert acks.claim("stopped", "2026-11-23", "not_understood#v2", 3) is True
    assert acks.claim("unknown", "2026-11-23", "not_understood#v3", 3) is False
    items = {
        i["phone_hash"]["S"]: i for i in boto3.client("dynamodb").scan(TableName=table)["Items"]
    }
    assert set(items) == {"sampled", "stopped"}
    assert items["sampled"]["expires_at"] == {"N": "1999999999"}
    assert "expires_at" not in items["stopped"] and items["stopped"]["opted_out"]["BOOL"]
    assert items["sampled"]["acked"] == {"SS": ["thanks#v1"]}
