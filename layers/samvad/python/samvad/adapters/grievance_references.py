"""Which of many candidate references exist in the Grievances table: one BatchGetItem per 100
keys, keys only (the inbound IVR's status lookup, ``samvad.inbound_ivr.desk``)."""

from __future__ import annotations

import functools
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.grievances import ITEM
from samvad.adapters.items import Batches


class DynamoReferenceIndex:
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = client

    @functools.cached_property
    def _batches(self) -> Batches:
        """Made on first use (a status lookup): a client costs tens of milliseconds."""
        return Batches(make_client("dynamodb", self._client))

    def existing(self, references: list[str]) -> list[str]:
        keys = [{"pk": {"S": f"ref#{r}"}, "sk": {"S": ITEM}} for r in references]
        found = self._batches.get(self._table, keys, projection="pk")
        present = {item["pk"]["S"].removeprefix("ref#") for item in found}
        return [r for r in references if r in present]
