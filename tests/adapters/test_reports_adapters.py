"""The local runtime's faster moto transactions keep DynamoDB's all-or-nothing semantics."""

from __future__ import annotations

import boto3
import pytest

from samvad import resources
from samvad_dev.local import moto_speedups
from samvad_dev.local.cloud import REGION


def test_a_cancelled_transaction_leaves_every_item_as_it_was(stack) -> None:
    """Given the speed-up installed, an existing item and a marker that already exists, when a
    transaction updates the item, creates a new one and then fails the marker's condition, then
    it is cancelled with ConditionalCheckFailed and both items are exactly as before."""
    moto_speedups.install()
    client = boto3.client("dynamodb", region_name=REGION)
    table = stack.table(resources.TALLIES)
    client.put_item(TableName=table, Item={"pk": {"S": "day#x"}, "sk": {"S": "a"}, "n": {"N": "1"}})
    client.put_item(TableName=table, Item={"pk": {"S": "seen"}, "sk": {"S": "applied"}})
    update = {
        "TableName": table,
        "Key": {"pk": {"S": "day#x"}, "sk": {"S": "a"}},
        "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    new = {"TableName": table, "Item": {"pk": {"S": "day#x"}, "sk": {"S": "b"}}}
    marker = {
        "TableName": table,
        "Item": {"pk": {"S": "seen"}, "sk": {"S": "applied"}},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        client.transact_write_items(
            TransactItems=[{"Update": update}, {"Put": new}, {"Put": marker}]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    items = client.scan(TableName=table)["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["S"], i.get("n", {}).get("N")) for i in items) == [
        ("day#x", "a", "1"),
        ("seen", "applied", None),
    ]
    client.transact_write_items(TransactItems=[{"Update": update}, {"Put": new}])
    assert len(client.scan(TableName=table)["Items"]) == 3
