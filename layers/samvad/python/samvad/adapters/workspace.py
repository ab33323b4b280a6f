"""Read views and actions the workspace needs over the stack's resources: cases by scope,
call lists, department uploads (presigned POST, reports, rejects) and notices to officials."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain as _item
from samvad.workspace.cases import CASE_STATUSES
from samvad.workspace.ports import BadCursor, CaseFilter

UPLOAD_LINK_SECONDS = 900


class DynamoCaseViews:
    """A page of the cases in a scope, by a Query on one index of the Cases table
    (``resources.CASES``), newest first, with every filter in the query.

    The index is the most specific one the scope or the filters name: the office (the
    scope's, or the ``office`` filter's), the district, the department; otherwise (the state)
    ``by_status``, one status after another (only the filter's status, or every status but
    the one excluded). The other scope fields and the filters are a ``FilterExpression``.
    DynamoDB applies ``Limit`` before the filter, so a page is filled by querying on (at most
    ``MAX_QUERIES`` a page) and cut at ``limit``; its cursor is the key of the last case
    returned, or where the reads stopped. The cursor is opaque to callers and cannot move
    the query to another partition (``BadCursor``)."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def page(
        self, scope: Mapping[str, str], filters: CaseFilter, limit: int, cursor: str = ""
    ) -> tuple[list[dict], str]:
        position = _decode_cursor(cursor)
        index, field, values, conditions = _plan(scope, filters)
        if position:
            value = (position.get(field) or {}).get("S", "")
            if value not in values:
                raise BadCursor("the cursor belongs to another list")
            values = values[values.index(value) :]
        found: list[dict] = []
        queries = 0
        for n, value in enumerate(values):
            at = position if n == 0 and "fresh" not in position else {}
            while True:
                items, last = self._query(index, field, value, conditions, limit, at)
                queries += 1
                if len(found) + len(items) >= limit:
                    kept = items[: limit - len(found)]
                    found.extend(kept)
                    more = len(kept) < len(items) or last or value != values[-1]
                    after = _key_of(kept[-1], field) if len(kept) < len(items) else last
                    if not after and more:
                        after = {field: {"S": values[n + 1]}, "fresh": {"BOOL": True}}
                    return found, _encode_cursor(after) if more else ""
                found.extend(items)
                if not last:
                    break
                if queries >= MAX_QUERIES:  # a short page, but never an unbounded request
                    return found, _encode_cursor(last)
                at = last
        return found, ""

    def _query(
        self, index: str, field: str, value: str, conditions: _Conditions, limit: int, at: dict
    ) -> tuple[list[dict], dict]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": field, **conditions.names},
            "ExpressionAttributeValues": {":p": {"S": value}, **conditions.values},
            "ScanIndexForward": False,
            "Limit": max(limit, FETCH),
        }
        if conditions.expression:
            kwargs["FilterExpression"] = conditions.expression
        if at:
            kwargs["ExclusiveStartKey"] = at
        response = self._client.query(**kwargs)
        return [_item(i) for i in response["Items"]], response.get("LastEvaluatedKey") or {}


MAX_QUERIES = 20
"""Queries one page may make (each reads up to ``FETCH`` cases or 1 MB): a filter that
matches almost nothing gives a short page with a cursor rather than a request that reads
a whole partition."""
FETCH = 100
"""Cases read per query at least: the filters drop some, so read more than the page needs."""

SCOPE_INDEXES = (
    ("office_code", resources.CASES_BY_OFFICE_INDEX.name),
    ("district", resources.CASES_BY_DISTRICT_INDEX.name),
    ("department", resources.CASES_BY_DEPARTMENT_INDEX.name),
)
"""The most specific first: an office head's office, an SP's district (department filtered)."""


@dataclass(frozen=True)
class _Conditions:
    expression: str = ""
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)


def _plan(scope: Mapping[str, str], filters: CaseFilter) -> tuple[str, str, list[str], _Conditions]:
    """The index, its partition field and values (in order), and the filter expression."""
    equal: dict[str, str] = {k: v for k, v in scope.items() if v}
    if filters.office_code and equal.get("office_code", filters.office_code) != filters.office_code:
        equal["office_code_filter"] = filters.office_code  # another office than the scope's
    elif filters.office_code:
        equal["office_code"] = filters.office_code
    for name in ("status", "service"):
        if getattr(filters, name):
            equal[name] = getattr(filters, name)
    for key_field, index in SCOPE_INDEXES:
        if equal.get(key_field):
            values = [equal.pop(key_field)]
            return index, key_field, values, _conditions(equal, filters)
    status = equal.pop("status", "")
    statuses = [status] if status else [s for s in CASE_STATUSES if s != filters.not_status]
    index = resources.CASES_BY_STATUS_INDEX.name
    return index, "status", statuses, _conditions(equal, replace(filters, not_status=""))


def _conditions(equal: Mapping[str, str], filters: CaseFilter) -> _Conditions:
    parts: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, dict] = {}

    def compare(path: tuple[str, ...], operator: str, value: dict) -> None:
        n = len(values)
        for i, name in enumerate(path):
            names[f"#f{n}_{i}"] = name
        attribute = ".".join(f"#f{n}_{i}" for i in range(len(path)))
        values[f":f{n}"] = value
        clause = f"{attribute} {operator} :f{n}"
        if operator == "<>":  # a case without the attribute is not the excluded one either
            clause = f"(attribute_not_exists({attribute}) OR {clause})"
        parts.append(clause)

    for name, value in equal.items():
        compare((name.removesuffix("_filter"),), "=", {"S": value})
    if filters.not_status:
        compare(("status",), "<>", {"S": filters.not_status})
    if filters.level is not None:
        compare(("level",), "=", {"N": str(filters.level)})
    if filters.holder:
        compare(("holder", "official_id"), "=", {"S": filters.holder})
    if filters.not_holder:
        compare(("holder", "official_id"), "<>", {"S": filters.not_holder})
    return _Conditions(" AND ".join(parts), names, values)


def _key_of(case: Mapping[str, Any], field: str) -> dict:
    """The index key of a case returned (its ``ExclusiveStartKey``): the table's key, the
    index's partition and sort keys."""
    return {name: {"S": str(case[name])} for name in ("case_id", field, "opened_at")}


def _encode_cursor(key: dict) -> str:
    if not key:
        return ""
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode_cursor(cursor: str) -> dict:
    if not cursor:
        return {}
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise BadCursor("not a cursor this list gave") from None
    valid = isinstance(key, dict) and all(
        isinstance(v, dict) and len(v) == 1 and set(v) <= {"S", "N", "BOOL"} for v in key.values()
    )
    if not valid:
        raise BadCursor("not a cursor this list gave")
    return key


class DynamoCallListEntries:
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def entries(self, list_id: str) -> list[dict]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="list_id = :l",
            ExpressionAttributeValues={":l": {"S": list_id}},
        )
        return [_item(i) for page in pages for i in page["Items"]]


class S3DepartmentUploads:
    """Presigned POSTs bound to one key, type and size; the intake ledger's reports."""

    def __init__(
        self, bucket: str, uploads_table: str, s3: Any = None, dynamodb: Any = None
    ) -> None:
        self._bucket = bucket
        self._table = uploads_table
        self._s3 = make_client("s3", s3)
        self._dynamodb = make_client("dynamodb", dynamodb)

    def presign(self, key: str, content_type: str, max_bytes: int) -> dict:
        post = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
                ["eq", "$key", key],
            ],
            ExpiresIn=UPLOAD_LINK_SECONDS,
        )
        return {"url": post["url"], "fields": post["fields"]}

    def list(self, prefix: str) -> list[dict]:
        """The intake ledger's items (``<bucket>/<key>#<etag>``) under ``prefix``."""
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=self._table,
            FilterExpression="begins_with(upload_id, :p)",
            ExpressionAttributeValues={":p": {"S": f"{self._bucket}/{prefix}"}},
        )
        found: list[dict] = []
        for page in pages:
            for item in page["Items"]:
                row = _item(item)
                report = json.loads(row["report"]) if row.get("report") else {}
                found.append(
                    {
                        "upload_id": row["upload_id"],
                        "key": row["upload_id"].rsplit("#", 1)[0].split("/", 1)[1],
                        "status": row.get("status", ""),
                        "report": {k: report.get(k) for k in REPORT_VIEW if k in report},
                    }
                )
        return sorted(found, key=lambda u: u["key"])

    def first_bytes(self, key: str, count: int) -> bytes | None:
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{count - 1}")
        except self._s3.exceptions.NoSuchKey:
            return None
        return found["Body"].read()

    def download_url(self, key: str) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=UPLOAD_LINK_SECONDS,
        )


REPORT_VIEW = (
    "key", "format", "rows", "accepted", "rejected", "duplicates", "quarantined",
    "quarantine_reason", "rejects_key", "report_key", "rejected_by_reason", "ingested_at",
)  # fmt: skip


class SnsOfficialNotifier:
    """An SMS to an official's phone from the escalation directory (none if not listed)."""

    def __init__(self, config, sns=None):
        self._config = config
        self._sns = make_client("sns", sns)

    def notify(self, official_id: str, text: str) -> None:
        document = self._config.latest(resources.ESCALATION_DIRECTORY_CONFIG) or {}
        phone = ((document.get("officials") or {}).get(official_id) or {}).get("phone")
        if phone:
            self._sns.publish(PhoneNumber=str(phone), Message=text)
