"""SMS acknowledgement claims on moto and in memory: the same cases, the same answers."""

from __future__ import annotations

import pytest

from samvad import resources
from samvad.adapters.acknowledgements import DynamoAcknowledgements
from tests.dispatch_fakes import MemoryAcknowledgements


@pytest.fixture(params=["dynamo", "memory"])
def acks(request):
    if request.param == "memory":
        return MemoryAcknowledgements()
    names = request.getfixturevalue("stack")
    return DynamoAcknowledgements(names.table(resources.FEEDBACK))


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


def test_claims_leave_no_feedback_behind(stack):
    """Given claims in the Feedback table, Then their items are apart from any visit's (keys
    under ``ack#``) and expire."""
    import boto3

    table = stack.table(resources.FEEDBACK)
    DynamoAcknowledgements(table).claim("h1", "2026-11-23", "thanks#v1", 3)
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    assert sorted(i["visit_key"]["S"] for i in items) == ["ack#h1#2026-11-23", "ack#h1#thanks#v1"]
    assert all("expires_at" in i for i in items)
