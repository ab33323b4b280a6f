"""Read views and actions the workspace needs over the stack's resources: cases by scope,
call lists, department uploads (presigned POST, reports, rejects) and notices to officials."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain as _item
from samvad.workspace.cases import CASE_STATUSES
from samvad.workspace.ports import BadCursor

UPLOAD_LINK_SECONDS = 900


class DynamoCaseViews:
    """A page of the cases in a scope, by a Query on the scope's index of the Cases table
    (``resources.CASES``: by office, district or department, the most specific the scope
    names; the state's by status, one status after another), newest first. The other scope
    fields and the status are filters. The cursor is opaque to callers and cannot move the
    query to another partition (``BadCursor``)."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def page(
        self, scope: Mapping[str, str], status: str, limit: int, cursor: str = ""
    ) -> tuple[list[dict], str]:
        position = _decode_cursor(cursor)
        for field, index in SCOPE_INDEXES:
            if scope.get(field):
                filters = {k: v for k, v in scope.items() if k != field and v}
                if status:
                    filters["status"] = status
                items, last = self._query(index, field, scope[field], filters, limit, position)
                return items, _encode_cursor(last)
        statuses = [status] if status else list(CASE_STATUSES)
        start = (position.get("status") or {}).get("S", "") if position else statuses[0]
        if start not in statuses:
            raise BadCursor("the cursor belongs to another list")
        found: list[dict] = []
        for n, each in enumerate(statuses[statuses.index(start) :]):
            at = position if n == 0 else {}
            items, last = self._query(
                resources.CASES_BY_STATUS_INDEX.name, "status", each, {}, limit - len(found), at
            )
            found.extend(items)
            if last:
                return found, _encode_cursor(last)
            rest = statuses[statuses.index(each) + 1 :]
            if len(found) >= limit and rest:
                return found, _encode_cursor({"status": {"S": rest[0]}, "fresh": {"BOOL": True}})
        return found, ""

    def _query(
        self,
        index: str,
        field: str,
        value: str,
        filters: Mapping[str, str],
        limit: int,
        position: dict,
    ) -> tuple[list[dict], dict]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": field},
            "ExpressionAttributeValues": {":p": {"S": value}},
            "ScanIndexForward": False,
            "Limit": max(1, limit),
        }
        if filters:
            kwargs["ExpressionAttributeNames"] |= {f"#f{i}": k for i, k in enumerate(filters)}
            kwargs["ExpressionAttributeValues"] |= {
                f":f{i}": {"S": v} for i, v in enumerate(filters.values())
            }
            kwargs["FilterExpression"] = " AND ".join(f"#f{i} = :f{i}" for i in range(len(filters)))
        if position and "fresh" not in position:
            if (position.get(field) or {}).get("S") != value:
                raise BadCursor("the cursor belongs to another list")
            kwargs["ExclusiveStartKey"] = position
        response = self._client.query(**kwargs)
        return [_item(i) for i in response["Items"]], response.get("LastEvaluatedKey") or {}


SCOPE_INDEXES = (
    ("office_code", resources.CASES_BY_OFFICE_INDEX.name),
    ("district", resources.CASES_BY_DISTRICT_INDEX.name),
    ("department", resources.CASES_BY_DEPARTMENT_INDEX.name),
)
"""The most specific first: an office head's office, an SP's district (department filtered)."""


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
