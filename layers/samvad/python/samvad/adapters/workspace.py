"""Read views and actions the workspace needs over the stack's resources: cases by scope,
call lists, department uploads (presigned POST, reports, rejects) and notices to officials."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.items import plain as _item

UPLOAD_LINK_SECONDS = 900


class DynamoCaseViews:
    """Cases matching the caller's scope fields, filtered by DynamoDB (a Scan: the Cases
    table has no scope index yet; fine for thousands of open cases, see docs/workspace.md)."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def list(self, scope: Mapping[str, str]) -> list[dict]:
        kwargs: dict = {"TableName": self._table}
        if scope:
            names = {f"#s{i}": k for i, k in enumerate(scope)}
            values = {f":s{i}": {"S": v} for i, v in enumerate(scope.values())}
            kwargs.update(
                FilterExpression=" AND ".join(f"#s{i} = :s{i}" for i in range(len(scope))),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        found: list[dict] = []
        for page in self._client.get_paginator("scan").paginate(**kwargs):
            found.extend(_item(i) for i in page["Items"])
        return found


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
