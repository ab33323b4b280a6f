"""DynamoDB items: conversion to and from plain Python values, the conditional-failure check,
and ``Batches``, the one retry of BatchWriteItem and BatchGetItem."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client
from samvad.adapters.aws import retry_partial

Item = dict[str, Any]
"""A low-level DynamoDB item: attribute name → attribute value (``{"S": "…"}`` …)."""

BATCH_WRITE = 25
BATCH_GET = 100
MAX_ATTEMPTS = 10
THROTTLES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
}

_TO = TypeSerializer()
_FROM = TypeDeserializer()


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A low-level item as plain Python values: strings, booleans, ints (floats where a number
    has a fraction), and lists and dicts of them, at any depth."""
    return {name: _python(_FROM.deserialize(value)) for name, value in item.items()}


def _python(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_python(v) for v in value]
    return value


def attribute(value: Any) -> dict[str, Any]:
    """A plain Python value (floats allowed, at any depth) as a DynamoDB attribute value."""
    return _TO.serialize(_decimals(value))


def to_item(fields: Mapping[str, Any]) -> Item:
    """Plain fields as a low-level item."""
    return {name: attribute(value) for name, value in fields.items()}


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def number(value: float) -> str:
    """A number as DynamoDB's ``N`` text: integral values without a fraction."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def scalar(value: object) -> dict[str, Any]:
    """A flat field as an attribute value: a boolean, a number, or else its text."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": number(value)}
    return {"S": str(value)}


def conditional_failure(error: ClientError) -> bool:
    """True when a write was refused by its condition (alone or within a transaction)."""
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


def written(write: Callable[[], object]) -> bool:
    """Make a conditional write; False when its condition refused it (other errors raise)."""
    try:
        write()
    except ClientError as error:
        if conditional_failure(error):
            return False
        raise
    return True


class IncompleteBatch(RuntimeError):
    """Items stayed unprocessed after every retry; the caller's message will be redelivered."""


class Batches:
    """BatchWriteItem and BatchGetItem with UnprocessedItems/Keys and throttling retried.

    Backoff is exponential with full jitter (AWS's advice); after ``MAX_ATTEMPTS`` the
    remaining work raises ``IncompleteBatch`` rather than being dropped.
    """

    def __init__(
        self,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        base_delay: float = 0.05,
        max_delay: float = 5.0,
    ) -> None:
        self._client = make_client("dynamodb", client)
        self._sleep = sleep
        self._base = base_delay
        self._max = max_delay
        self.requests = 0  # counted under a lock: intake's writer threads share one Batches
        self._counting = threading.Lock()

    def write(self, table: str, items: list[Item]) -> None:
        for start in range(0, len(items), BATCH_WRITE):
            pending = {
                table: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE]]
            }
            self._until_done(
                lambda p: self._client.batch_write_item(RequestItems=p), pending, "UnprocessedItems"
            )

    def get(
        self,
        table: str,
        keys: list[Item],
        projection: str | None = None,
        names: dict[str, str] | None = None,
    ) -> list[Item]:
        found: list[Item] = []
        for start in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {
                "Keys": keys[start : start + BATCH_GET],
                "ConsistentRead": True,
            }
            if projection:
                request["ProjectionExpression"] = projection
            if names:
                request["ExpressionAttributeNames"] = names

            def call(pending: dict[str, Any]) -> dict[str, Any]:
                response: dict[str, Any] = self._client.batch_get_item(RequestItems=pending)
                found.extend(response.get("Responses", {}).get(table, []))
                return response

            self._until_done(call, {table: request}, "UnprocessedKeys")
        return found

    def _until_done(
        self,
        call: Callable[[dict[str, Any]], dict[str, Any]],
        pending: dict[str, Any],
        unprocessed_field: str,
    ) -> None:
        def attempt(request: dict[str, Any]) -> dict[str, Any]:
            with self._counting:
                self.requests += 1
            left: dict[str, Any] = call(request).get(unprocessed_field) or {}
            return left

        left = retry_partial(
            attempt,
            pending,
            attempts=MAX_ATTEMPTS,
            sleep=self._sleep,
            base=self._base,
            cap=self._max,
            transient=THROTTLES,
        )
        if left:
            raise IncompleteBatch(
                f"{_count(left)} items still unprocessed after {MAX_ATTEMPTS} attempts"
            )


def _count(pending: dict[str, Any]) -> int:
    return sum(len(v) if isinstance(v, list) else len(v.get("Keys", [])) for v in pending.values())
