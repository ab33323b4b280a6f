"""The local runtime's moto speed-ups keep DynamoDB's semantics."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
from moto import mock_aws

from samvad_dev.local import moto_speedups


def _table(client, name: str) -> None:
    """An on-demand table keyed by the string ``pk``."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_a_projection_of_nested_and_top_level_attributes_returns_exactly_those():
    """Given moto with the speed-ups and an item with nested maps, When it is read with a
    projection naming two attributes of one map, one of another and a top-level one, Then
    exactly those come back, each map holding only its projected keys (the pieces are merged
    without altering each other)."""
    moto_speedups.install()
    with mock_aws():
        db = boto3.client("dynamodb", region_name="ap-south-1")
        _table(db, "t")
        db.put_item(
            TableName="t",
            Item={
                "pk": {"S": "case-1"},
                "status": {"S": "open"},
                "secret": {"S": "not projected"},
                "assignment": {
                    "M": {"round": {"N": "2"}, "deadline": {"S": "d"}, "note": {"S": "n"}}
                },
                "holder": {"M": {"official_id": {"S": "o-1"}, "name": {"S": "A. Name"}}},
            },
        )
        for read in (
            lambda **kw: db.get_item(TableName="t", Key={"pk": {"S": "case-1"}}, **kw)["Item"],
            lambda **kw: db.scan(TableName="t", **kw)["Items"][0],
        ):
            item = read(
                ProjectionExpression="pk, #s, assignment.#r, assignment.deadline, "
                "holder.official_id",
                ExpressionAttributeNames={"#s": "status", "#r": "round"},
            )
            assert item == {
                "pk": {"S": "case-1"},
                "status": {"S": "open"},
                "assignment": {"M": {"round": {"N": "2"}, "deadline": {"S": "d"}}},
                "holder": {"M": {"official_id": {"S": "o-1"}}},
            }


def test_every_patched_call_answers_as_unpatched_moto_does():
    """Given a scenario over every call the speed-ups touch (queries of a table and of its
    indexes, paged, filtered, projected, backwards; updates that succeed and that fail
    validation, on existing and new items, the same expression twice with other names;
    transactions, one refused; scans; items of every attribute type; items at the 400 KB
    limit, put, updated and in a refused transaction; events to SQS with
    and without an input transformer; queue attributes by name; sends to FIFO queues), When
    it runs on moto with and without ``install()``, each in a process of its own, Then both
    print the same responses and errors."""
    scenario = Path(__file__).with_name("moto_speedups_scenario.py")

    def run(*args: str) -> dict:
        done = subprocess.run(
            [sys.executable, str(scenario), *args], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    unpatched, patched = run(), run("patched")
    assert patched["dynamodb"]["query index range"][0]["Count"] > 0  # the scenario reads data
    assert "error" in patched["dynamodb"]["update overlapping s1"]
    assert patched == unpatched


def test_concurrent_updates_of_one_item_all_apply_without_an_error():
    """Given one item with many attributes in moto (in-process, as the demo runs it), When
    six threads update it 150 times each at once (the escalation engine's threads and a
    handler do this to a case), Then no update raises and every one of them applied."""
    import threading

    moto_speedups.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-south-1")
        _table(client, "cases")
        item = {"pk": {"S": "case"}} | {f"a{i}": {"S": "x" * 20} for i in range(60)}
        client.put_item(TableName="cases", Item=item)
        errors: list[Exception] = []

        def update(worker: int) -> None:
            for n in range(150):
                try:
                    client.update_item(
                        TableName="cases",
                        Key={"pk": {"S": "case"}},
                        UpdateExpression=f"SET w{worker}_{n % 40} = :n ADD tally :one",
                        ExpressionAttributeValues={":n": {"N": str(n)}, ":one": {"N": "1"}},
                    )
                except Exception as error:  # any error is the failure
                    errors.append(error)

        threads = [threading.Thread(target=update, args=(w,)) for w in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        tally = client.get_item(TableName="cases", Key={"pk": {"S": "case"}})["Item"]["tally"]
    assert errors == []
    assert tally == {"N": "900"}
