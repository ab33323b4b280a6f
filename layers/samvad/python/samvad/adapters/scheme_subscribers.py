"""Scheme news subscriptions on the Contacts table (``resources.CONTACTS``): the citizen's item
holds ``scheme_news`` (the sparse index's key), the number and language to send to, and the
keywords already broadcast to them (``scheme_sent``, the at-most-once claim). Erasure's
tombstone keeps none of these (``erasure.service.CONTACT_TOMBSTONE``)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.schemes.service import Subscriber

SUBSCRIBED = "yes"
BROADCAST_PREFIX = "broadcast#"


class DynamoSubscribers:
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._given = client

    @functools.cached_property
    def _client(self) -> Any:
        """Made on first use: the feedback function builds these ports for every SMS and
        few are scheme requests; a client costs tens of milliseconds."""
        return make_client("dynamodb", self._given)

    def subscribe(self, phone_hash: str, phone: str, language: str, when: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="SET scheme_news = :y, scheme_phone = :p, scheme_language = :l, "
            "scheme_since = :w",
            ExpressionAttributeValues={
                ":y": {"S": SUBSCRIBED}, ":p": {"S": phone}, ":l": {"S": language},
                ":w": {"S": when},
            },
        )  # fmt: skip

    def unsubscribe(self, phone_hash: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="REMOVE scheme_news, scheme_phone, scheme_language, scheme_since",
        )

    def all(self) -> Iterator[Subscriber]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            IndexName=resources.SCHEME_NEWS_INDEX.name,
            KeyConditionExpression="scheme_news = :y",
            ExpressionAttributeValues={":y": {"S": SUBSCRIBED}},
        ):
            for item in page.get("Items", []):
                yield Subscriber(
                    item["phone_hash"]["S"], item["scheme_phone"]["S"], item["scheme_language"]["S"]
                )

    def claim(self, key: str) -> bool:
        """``scheme#<keyword>#<phone hash>``: add the keyword to the citizen's ``scheme_sent``
        unless it is there (False then)."""
        _, keyword, phone_hash = key.split("#", 2)
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"phone_hash": {"S": phone_hash}},
                UpdateExpression="ADD scheme_sent :k",
                ConditionExpression=(
                    "attribute_not_exists(scheme_sent) OR NOT contains(scheme_sent, :kw)"
                ),
                ExpressionAttributeValues={":k": {"SS": [keyword]}, ":kw": {"S": keyword}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def finished(self, keyword: str) -> bool:
        """Whether the scheduled broadcast of ``keyword`` reached every subscriber (an item
        ``broadcast#<keyword>``: no subscriber, no phone, not in the scheme_news index)."""
        item = self._client.get_item(
            TableName=self._table,
            Key={"phone_hash": {"S": f"{BROADCAST_PREFIX}{keyword}"}},
            ConsistentRead=True,
        ).get("Item")
        return bool(item and "broadcast_finished" in item)

    def finish(self, keyword: str, when: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": f"{BROADCAST_PREFIX}{keyword}"}},
            UpdateExpression="SET broadcast_finished = :w",
            ExpressionAttributeValues={":w": {"S": when}},
        )
