"""SMS acknowledgement claims (``samvad.feedback.acks``), kept as items of the Feedback table.

Two items per claim, written in one transaction: ``ack#<phone hash>#<key>`` (each key once)
and ``ack#<phone hash>#<day>`` (a counter, at most ``limit``). Both expire after 30 days, when
a reply to an old contact is unlikely (a late one may then be acknowledged once more).
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

KEEP_SECONDS = 30 * 86400


class DynamoAcknowledgements:
    def __init__(self, table: str, client=None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def claim(self, phone_hash: str, day: str, key: str, limit: int) -> bool:
        expires = {"N": str(int(time.time()) + KEEP_SECONDS)}
        once = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "visit_key": {"S": f"ack#{phone_hash}#{key}"},
                    "day": {"S": day},
                    "expires_at": expires,
                },
                "ConditionExpression": "attribute_not_exists(visit_key)",
            }
        }
        counted = {
            "Update": {
                "TableName": self._table,
                "Key": {"visit_key": {"S": f"ack#{phone_hash}#{day}"}},
                "UpdateExpression": "ADD sent :one SET expires_at = :expires",
                "ConditionExpression": "attribute_not_exists(sent) OR sent < :limit",
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":expires": expires,
                },
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[once, counted])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = error.response.get("CancellationReasons") or []
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                    return False
            raise
        return True
