"""The local runtime's moto speed-ups keep DynamoDB's semantics."""

from __future__ import annotations

import boto3
from moto import mock_aws

from samvad_dev.local import moto_speedups


def test_a_projection_of_nested_and_top_level_attributes_returns_exactly_those():
    """Given moto with the speed-ups and an item with nested maps, When it is read with a
    projection naming two attributes of one map, one of another and a top-level one, Then
    exactly those come back, each map holding only its projected keys (the pieces are merged
    without altering each other)."""
    moto_speedups.install()
    with mock_aws():
        db = boto3.client("dynamodb", region_name="ap-south-1")
        db.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
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
