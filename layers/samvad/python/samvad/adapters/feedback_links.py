"""The Links table (``resources.LINKS``): single-use feedback-link tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain, written
from samvad.dispatch.service import Contact
from samvad.link_tokens import LinkSigner


class DynamoLinks:
    """Issue and redeem feedback-link tokens (``resources.LINKS``)."""

    def __init__(self, table: str, signer: LinkSigner, base_url: str, client: Any = None) -> None:
        self._table = table
        self._signer = signer
        # SMS carry the link without its scheme (phones link ``host/path`` themselves).
        self._base = base_url.split("://", 1)[-1].rstrip("/")
        self._client = make_client("dynamodb", client)

    def issue(
        self, contact: Contact, language: str, expires: dt.datetime, host: str | None = None
    ) -> str:
        token, token_id = self._signer.new_token()
        item = {
            "token_id": {"S": token_id},
            "contact_key": {"S": contact.key},
            "visit_key": {"S": contact.visit_key},
            "kind": {"S": contact.kind},
            "language": {"S": language},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }
        if contact.case_id:
            item["case_id"] = {"S": contact.case_id}
        self._client.put_item(TableName=self._table, Item=item)
        return f"{host or self._base}/f/{token}"

    def lookup(self, token: str) -> dict | None:
        """The link's record for a genuine token, or None (forged, unknown, or purged)."""
        token_id = self._signer.token_id(token)
        if token_id is None:
            return None
        item = self._client.get_item(
            TableName=self._table, Key={"token_id": {"S": token_id}}, ConsistentRead=True
        ).get("Item")
        return plain(item) if item else None

    def use(self, token_id: str, now: dt.datetime) -> bool:
        """Mark the link used; False if it was used already (single use)."""
        return written(
            lambda: self._client.update_item(
                TableName=self._table,
                Key={"token_id": {"S": token_id}},
                UpdateExpression="SET used_at = :t",
                ConditionExpression="attribute_exists(token_id) AND attribute_not_exists(used_at)",
                ExpressionAttributeValues={":t": {"S": now.isoformat()}},
            )
        )
