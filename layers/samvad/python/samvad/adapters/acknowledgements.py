"""SMS acknowledgement claims (``samvad.feedback.acks``), kept on the number's item of the
Contacts table (``resources.CONTACTS``).

Three attributes: ``acked`` (the set of keys acknowledged), ``ack_day`` and ``ack_count`` (the
day's count, at most ``limit``). A claim is one conditional update: on the same day it adds one
below the cap, on a new day it starts the count at one; a key in ``acked`` is refused either
way. The item is never created here and its ``expires_at`` is left alone (an opted-out number
has none, on purpose): a number without an item (never contacted) gets no acknowledgement, and
the attributes go when the item does (its retention, or erasure).

Each claim also writes its own id (``ack_claim``): when the SDK retried an update that was
applied but whose answer was lost, the retry is refused by that very claim; the id tells it
apart from a replay of the same key (which must stay refused), so the acknowledgement is sent.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

_KNOWN_AND_NEW_KEY = "attribute_exists(phone_hash) AND NOT contains(acked, :key)"
_SAME_DAY = (
    "SET ack_count = ack_count + :one, ack_claim = :claim ADD acked :keys",
    f"{_KNOWN_AND_NEW_KEY} AND ack_day = :day AND ack_count < :limit",
)
_NEW_DAY = (
    "SET ack_day = :day, ack_count = :one, ack_claim = :claim ADD acked :keys",
    f"{_KNOWN_AND_NEW_KEY} AND (attribute_not_exists(ack_day) OR ack_day <> :day)",
)


class DynamoAcknowledgements:
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def claim(self, phone_hash: str, day: str, key: str, limit: int) -> bool:
        claim = uuid.uuid4().hex
        values: dict[str, dict[str, Any]] = {
            ":key": {"S": key},
            ":keys": {"SS": [key]},
            ":day": {"S": day},
            ":one": {"N": "1"},
            ":limit": {"N": str(limit)},
            ":claim": {"S": claim},
        }
        # the same day, a new day, and the same day again (a concurrent claim began the day)
        for update, condition in (_SAME_DAY, _NEW_DAY, _SAME_DAY):
            names = set(re.findall(r":\w+", f"{update} {condition}"))
            used = {name: value for name, value in values.items() if name in names}
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key={"phone_hash": {"S": phone_hash}},
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=used,
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue
            return True
        return self._was_ours(phone_hash, key, claim)

    def _was_ours(self, phone_hash: str, key: str, claim: str) -> bool:
        item = self._client.get_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            ConsistentRead=True,
            ProjectionExpression="acked, ack_claim",
        ).get("Item", {})
        return item.get("ack_claim", {}).get("S") == claim and key in item.get("acked", {}).get(
            "SS", []
        )
