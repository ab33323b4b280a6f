"""Concurrent intake writes on moto: every row lands once, through throttles, faults, replays."""

import dataclasses
import datetime as dt
import random
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.items import Batches
from samvad.adapters.visits import DynamoVisits
from samvad.intake.service import Upload, ingest
from samvad.intake.wiring import intake_ports
from samvad.settings import IntakeSettings
from samvad_dev.demo.synthetic import write_bench_csv

DAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
COUNTED = ("rows", "accepted", "rejected", "duplicates", "rejected_by_reason")


class Counting:
    """Wraps the real client: counts the items each BatchWriteItem puts, and can throttle,
    leave items unprocessed, or fail outright (``fail_on`` write call) like a broken network.
    Thread-safe: the intake's writer threads share it."""

    def __init__(self, client, flaky: bool = False, fail_on: int | None = None):
        self._client = client
        self._lock = threading.Lock()
        self._random = random.Random(14)
        self.flaky = flaky
        self.fail_on = fail_on
        self.writes = 0
        self.put = 0
        self.refused = 0

    def batch_write_item(self, RequestItems):
        with self._lock:
            self.writes += 1
            call, roll = self.writes, self._random.random()
        if call == self.fail_on:
            raise ConnectionError("connection reset while writing")
        if self.flaky and roll < 0.2:
            with self._lock:
                self.refused += 1
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "BatchWriteItem",
            )
        ((table, requests),) = RequestItems.items()
        if self.flaky and roll < 0.4 and len(requests) > 1:
            keep, defer = requests[: len(requests) // 2], requests[len(requests) // 2 :]
            self._put(table, keep)
            return {"UnprocessedItems": {table: defer}}
        self._put(table, requests)
        return {"UnprocessedItems": {}}

    def _put(self, table, requests):
        self._client.batch_write_item(RequestItems={table: requests})
        with self._lock:
            self.put += len(requests)

    def batch_get_item(self, RequestItems):
        return self._client.batch_get_item(RequestItems=RequestItems)


def upload_with_repeats(stack, tmp_path, rows=900) -> Upload:
    """A bench file (3 % bad rows) where every 9th row also reappears 150 rows later, in a
    batch written while the first may still be in flight."""
    path = tmp_path / "visits.csv"
    write_bench_csv(path, rows, seed=14, day=DAY, error_rate=0.03)
    header, *lines = path.read_bytes().splitlines(keepends=True)
    for i in range(len(lines) - 1, -1, -1):
        if i % 9 == 0 and i + 150 < len(lines):
            lines.insert(i + 150, lines[i])
    key = f"{resources.UPLOADS_PREFIX}health/visits.csv"
    put = boto3.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=header + b"".join(lines))
    return Upload(stack.bucket, key, etag=put["ETag"].strip('"'))


def ports_with(stack, client, workers: int):
    ports = intake_ports(IntakeSettings.from_env())
    batches = Batches(client, sleep=lambda seconds: None)
    visits = DynamoVisits(stack.table(resources.VISITS), client, batches)
    return dataclasses.replace(ports, visits=visits, write_workers=workers, clock=lambda: NOW)


def stored_rows(stack) -> dict[str, int]:
    pages = (
        boto3.client("dynamodb")
        .get_paginator("scan")
        .paginate(TableName=stack.table(resources.VISITS))
    )
    return {i["visit_key"]["S"]: int(i["source_row"]["N"]) for p in pages for i in p["Items"]}


def counts(report: dict) -> dict:
    return {name: report[name] for name in COUNTED}


def sequential_counts(stack, upload) -> tuple[dict, dict[str, int]]:
    """The one-writer run of the same file, then the table emptied again."""
    client = boto3.client("dynamodb")
    report = ingest(upload, ports_with(stack, Counting(client), workers=1))
    rows = stored_rows(stack)
    table = stack.table(resources.VISITS)
    for key in rows:
        client.delete_item(TableName=table, Key={"visit_key": {"S": key}})
    boto3.client("dynamodb").delete_item(
        TableName=stack.table(resources.UPLOADS), Key={"upload_id": {"S": upload.upload_id}}
    )
    return counts(report), rows


def test_with_a_pool_of_writers_every_row_lands_exactly_once(stack, tmp_path):
    """Given a file with repeated rows, When ingested with 8 writer threads, Then the report
    counts equal one writer's, each accepted visit is stored once, by its first row, and
    there are at most 1/24 write requests per row."""
    upload = upload_with_repeats(stack, tmp_path)
    expected, expected_rows = sequential_counts(stack, upload)
    client = Counting(boto3.client("dynamodb"))

    report = ingest(upload, ports_with(stack, client, workers=8))

    assert counts(report) == expected
    assert report["duplicates"] > 50  # the repeats (every 9th row) were seen as such
    assert stored_rows(stack) == expected_rows
    assert client.put == report["accepted"]  # each written once
    assert client.writes / report["rows"] <= 1 / 24


def test_throttling_and_unprocessed_items_under_concurrency_lose_nothing(stack, tmp_path):
    """Given a table that throttles a fifth of the write requests and leaves half the items
    of another fifth unprocessed, When ingested with 8 writers, Then every visit is stored
    once and the counts are one writer's."""
    upload = upload_with_repeats(stack, tmp_path)
    expected, expected_rows = sequential_counts(stack, upload)
    client = Counting(boto3.client("dynamodb"), flaky=True)

    report = ingest(upload, ports_with(stack, client, workers=8))

    assert counts(report) == expected
    assert client.refused > 0
    assert stored_rows(stack) == expected_rows
    assert client.put == report["accepted"]


def test_a_fault_mid_write_then_a_replay_writes_nothing_twice(stack, tmp_path):
    """Given a write that fails (connection reset) part-way with 8 writers, When the message
    is redelivered and the upload ingested again, Then the counts are one writer's and no
    visit written by the first attempt is written again."""
    upload = upload_with_repeats(stack, tmp_path)
    expected, expected_rows = sequential_counts(stack, upload)
    client = Counting(boto3.client("dynamodb"), fail_on=12)

    with pytest.raises(ConnectionError):
        ingest(upload, ports_with(stack, client, workers=8))
    first_attempt = client.put
    assert 0 < first_attempt < expected["accepted"]
    report = ingest(upload, ports_with(stack, client, workers=8))

    assert counts(report) == expected
    assert stored_rows(stack) == expected_rows
    assert client.put == expected["accepted"]  # the replay wrote only what was missing
