"""The Cases table (``resources.CASES``): one item per grievance case, with its audit trail."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import conditional_failure, plain, to_item, written
from samvad.resources import CASE_RETENTION_DAYS

DAY = 86_400

SPARSE = frozenset(i.partition_key for i in resources.CASES.indexes)
"""Index keys: DynamoDB refuses an empty string there, so an empty one is not stored (the case
is in no such list); ``BLANK`` names them, and they read back as ``""``."""
BLANK = "blank_fields"


class DynamoCases:
    """One item per case; every transition appends to ``audit`` in the same UpdateItem.

    Every write sets ``expires_at`` (TTL) to ``retention_days`` after it: a case is kept for
    that long after its last transition (its closing, for a closed case), like its ATR
    attachments under ``cases/`` (docs/data-protection.md)."""

    def __init__(
        self,
        table: str,
        client: Any = None,
        retention_days: int = CASE_RETENTION_DAYS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY
        self._now = now

    def _expires(self) -> int:
        return int(self._now()) + self._ttl

    def _key(self, case_id: str) -> dict:
        return {"case_id": {"S": case_id}}

    def create(self, case: dict[str, Any]) -> bool:
        blank = sorted(k for k in SPARSE if case.get(k) == "")
        stored = {k: v for k, v in case.items() if k not in blank}
        if blank:
            stored[BLANK] = blank
        return written(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(stored | {"expires_at": self._expires()}),
                ConditionExpression="attribute_not_exists(case_id)",
            )
        )

    def get(self, case_id: str) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._key(case_id), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        case = plain(item)
        for name in case.pop(BLANK, None) or ():
            case[name] = ""
        return case

    def assign(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any]
    ) -> bool:
        condition = "attribute_exists(case_id) AND #r < :round"
        names, values = {"#r": "round"}, {":round": round_}
        sets = {**fields, "round": round_}
        return self._update(case_id, [], condition, names, values, sets, entry, False) is not None

    def set_wait(
        self, case_id: str, kind: str, round_: int, token: str, fields: dict[str, Any]
    ) -> dict[str, Any] | None:
        return self._nested(
            case_id, "waits", kind, {"round": round_, "token": token}, round_, fields=fields
        )

    def set_signal(
        self, case_id: str, kind: str, round_: int, signal: dict[str, Any], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Only once per (kind, round); a confirmation only after this round's ATR."""
        extra = "(attribute_not_exists(signals.#k) OR signals.#k.#r <> :round)"
        if kind == "confirmation":
            extra += " AND signals.atr.#r = :round"
        return self._nested(case_id, "signals", kind, signal, round_, entry=entry, extra=extra)

    def mark_delivered(self, case_id: str, kind: str, round_: int) -> None:
        written(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(case_id),
                UpdateExpression="SET signals.#k.delivered = :t, expires_at = :exp",
                ConditionExpression="signals.#k.#r = :round",
                ExpressionAttributeNames={"#k": kind, "#r": "round"},
                ExpressionAttributeValues={
                    ":t": {"BOOL": True},
                    ":round": {"N": str(round_)},
                    ":exp": {"N": str(self._expires())},
                },
            )
        )

    def append(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any] | None
    ) -> bool:
        names, values = {"#r": "round"}, {":round": round_}
        updated = self._update(case_id, [], "#r = :round", names, values, fields, entry, False)
        return updated is not None

    def annotate(self, case_id: str, fields: dict[str, Any]) -> bool:
        """Set ``fields`` on the case if it exists (a grievance's copied voice message)."""
        condition = "attribute_exists(case_id)"
        return self._update(case_id, [], condition, {}, {}, fields, returned=False) is not None

    def _nested(
        self,
        case_id: str,
        map_name: str,
        kind: str,
        value: Any,
        round_: int,
        fields: dict[str, Any] | None = None,
        entry: dict[str, Any] | None = None,
        extra: str | None = None,
    ) -> dict[str, Any] | None:
        """Set ``<map_name>.<kind>`` while the case is at ``round_`` and not resolved."""
        names = {"#r": "round", "#k": kind, "#s": "status"}
        values = {":round": round_, ":v": value, ":resolved": "resolved"}
        condition = "#r = :round AND #s <> :resolved" + (f" AND {extra}" if extra else "")
        clauses = [f"{map_name}.#k = :v"]
        return self._update(case_id, clauses, condition, names, values, fields, entry)

    def _update(
        self,
        case_id: str,
        clauses: list[str],
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
        fields: dict[str, Any] | None = None,
        entry: dict[str, Any] | None = None,
        returned: bool = True,
    ) -> dict[str, Any] | None:
        """SET the clauses and the fields (and append ``entry`` to the audit) if the condition
        holds; the case as it is now (``{}`` unless ``returned``: the whole item, audit trail
        and all, is not sent back for nothing), or None when the condition refused it."""
        names, values, clauses = dict(names), dict(values), list(clauses)
        clauses.append("expires_at = :exp")
        values[":exp"] = self._expires()
        for i, (field, field_value) in enumerate((fields or {}).items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = field_value
            clauses.append(f"#f{i} = :f{i}")
        if entry is not None:
            clauses.append("audit = list_append(audit, :entry)")
            values[":entry"] = [entry]
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(case_id),
                UpdateExpression="SET " + ", ".join(clauses),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW" if returned else "NONE",
            )
        except ClientError as error:
            if conditional_failure(error):
                return None
            raise
        return plain(response["Attributes"]) if returned else {}
