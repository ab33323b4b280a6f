"""The RateLimits table (``resources.RATE_LIMITS``): token buckets shared by dispatchers."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import conditional_failure
from samvad.dispatch.pacing import Bucket, take
from samvad.dispatch.policy import Rate


class DynamoRateLimiter:
    """Token buckets in one table; a token is taken with a versioned conditional write."""

    def __init__(self, table: str, client: Any = None, attempts: int = 20) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._attempts = attempts
        self.conflicts = 0

    def acquire(self, name: str, rate: Rate, now: float) -> float:
        for _ in range(self._attempts):
            item = self._client.get_item(
                TableName=self._table, Key={"bucket": {"S": name}}, ConsistentRead=True
            ).get("Item")
            current = (
                Bucket(
                    float(item["tokens"]["N"]), float(item["at"]["N"]), int(item["version"]["N"])
                )
                if item
                else None
            )
            stored, wait = take(current, rate, now)
            if stored is None:
                return wait
            condition = (
                {
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":v": {"N": str(current.version)}},
                }
                if current
                else {
                    "ConditionExpression": "attribute_not_exists(#b)",  # reserved words
                    "ExpressionAttributeNames": {"#b": "bucket"},
                }
            )
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        "bucket": {"S": name},
                        "tokens": {"N": repr(stored.tokens)},
                        "at": {"N": repr(stored.at)},
                        "version": {"N": str(stored.version)},
                    },
                    **condition,
                )
                return 0.0
            except ClientError as error:
                if not conditional_failure(error):
                    raise
                self.conflicts += 1  # another dispatcher took a token first: count again
        return 1.0 / rate.per_second
