"""``DynamoTallies.apply_all`` on moto: a batch of updates, merged into few transactions,
leaves the table as applying them one by one does; repeats count once; a failure part-way
loses and doubles nothing once the batch is delivered again."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.tallies import DynamoTallies
from samvad.reports.tally import TallyUpdate, updates_for
from samvad_dev.demo import report_events as ev
from samvad_dev.local import moto_speedups
from samvad_dev.local.cloud import REGION

DAY = dt.date(2026, 11, 23)


def _day_updates(offices: int, per_office: int, seed: int = 5) -> list[TallyUpdate]:
    """A day of every tallied kind of event, interleaved as a queue delivers them."""
    events = ev.day_of_events(ev.offices(2, offices // 2, seed=seed), per_office, DAY, seed)
    return [u for kind, detail in events for u in updates_for(kind, detail, lambda key: {})]


class CountedClient:
    """The DynamoDB client, counting transactions; ``fail_at`` makes that one (1-based) fail."""

    def __init__(self, fail_at: int = 0):
        self._client = boto3.client("dynamodb", region_name=REGION)
        self.transactions = 0
        self.fail_at = fail_at

    def transact_write_items(self, **request):
        self.transactions += 1
        if self.transactions == self.fail_at:
            error = {"Error": {"Code": "InternalServerError", "Message": "injected"}}
            raise ClientError(error, "TransactWriteItems")
        return self._client.transact_write_items(**request)

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.fixture
def tables(stack):
    """The stack's Tallies table and a second one like it, for the one-by-one reference."""
    moto_speedups.install()  # moto backs up whole tables per transaction without it
    client = boto3.client("dynamodb", region_name=REGION)
    batch = stack.table(resources.TALLIES)
    shape = client.describe_table(TableName=batch)["Table"]
    client.create_table(
        TableName=f"{batch}-one-by-one",
        KeySchema=shape["KeySchema"],
        AttributeDefinitions=shape["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    return batch, f"{batch}-one-by-one"


def _contents(table: str) -> dict:
    """Every item but the time its TTL was set (``expires_at``)."""
    client = boto3.client("dynamodb", region_name=REGION)
    items = [i for page in client.get_paginator("scan").paginate(TableName=table)
             for i in page["Items"]]  # fmt: skip
    return {
        (i["pk"]["S"], i["sk"]["S"]): {k: v for k, v in i.items() if k != "expires_at"}
        for i in items
    }


def test_a_merged_batch_writes_what_one_by_one_writes_in_few_transactions(tables) -> None:
    """Given a day of 8 offices' events (outcomes, feedback, case steps), When the updates
    are applied as one batch, Then the table holds exactly what applying them one at a time
    holds (counters, fractional hour sums, revisions, overdue fields), in a tenth of the
    transactions, with none over 100 items."""
    batch_table, reference_table = tables
    updates = _day_updates(offices=8, per_office=6)
    reference = DynamoTallies(reference_table, boto3.client("dynamodb", region_name=REGION))
    assert all(reference.apply(update) for update in updates)
    client = CountedClient()
    assert DynamoTallies(batch_table, client).apply_all(updates) == [True] * len(updates)
    assert _contents(batch_table) == _contents(reference_table)
    assert 1 < client.transactions <= len(updates) // 10


def test_repeats_in_the_batch_and_before_it_count_once(tables) -> None:
    """Given one update applied before, When a batch holds it, a new one twice and a third,
    Then only the first copy of each new identity is applied, and the counters agree with
    applying each identity once."""
    batch_table, reference_table = tables
    first, second, third = _day_updates(offices=2, per_office=1)[:3]
    tallies = DynamoTallies(batch_table, boto3.client("dynamodb", region_name=REGION))
    assert tallies.apply(first)
    assert tallies.apply_all([second, first, second, third]) == [True, False, False, True]
    reference = DynamoTallies(reference_table, boto3.client("dynamodb", region_name=REGION))
    for update in (first, second, third):
        reference.apply(update)
    assert _contents(batch_table) == _contents(reference_table)


def test_a_batch_that_fails_part_way_is_counted_once_when_delivered_again(tables) -> None:
    """Given a batch cut into several transactions, When the second transaction fails, Then
    the error is raised (the messages return to the queue); delivered again, the batch
    applies only what the failure left out, and the table equals one-by-one's."""
    batch_table, reference_table = tables
    updates = _day_updates(offices=8, per_office=6)
    failing = CountedClient(fail_at=2)
    with pytest.raises(ClientError, match="injected"):
        DynamoTallies(batch_table, failing).apply_all(updates)
    again = DynamoTallies(batch_table, CountedClient()).apply_all(updates)
    assert 0 < sum(again) < len(updates)  # the first transaction's updates were repeats
    reference = DynamoTallies(reference_table, boto3.client("dynamodb", region_name=REGION))
    for update in updates:
        reference.apply(update)
    assert _contents(batch_table) == _contents(reference_table)
    assert DynamoTallies(batch_table).apply_all(updates) == [False] * len(updates)
