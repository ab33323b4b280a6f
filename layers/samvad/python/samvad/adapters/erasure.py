"""The erasure ports (``samvad.erasure``) on DynamoDB and S3."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from samvad import resources
from samvad.adapters.audit import AUDIT_RETENTION_DAYS, DAY
from samvad.adapters.aws import client as make_client
from samvad.erasure.service import ErasurePorts

_TO = TypeSerializer()
_FROM = TypeDeserializer()


class TableRecords:
    """A table's items by partition key, as plain Python values."""

    def __init__(self, table: str, spec: resources.TableSpec, client: Any = None) -> None:
        self._table = table
        self._spec = spec
        self._client = make_client("dynamodb", client)

    def items(self, partition: str) -> list[dict]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": self._spec.partition_key},
            ExpressionAttributeValues={":v": {"S": partition}},
            ConsistentRead=True,
        )
        return [_plain(item) for page in pages for item in page["Items"]]

    def put(self, item: dict) -> None:
        self._client.put_item(
            TableName=self._table, Item={k: _TO.serialize(v) for k, v in item.items()}
        )

    def get(self, item: dict) -> dict | None:
        found = self._client.get_item(
            TableName=self._table, Key=self._key(item), ConsistentRead=True
        ).get("Item")
        return _plain(found) if found else None

    def replace(self, old: dict, new: dict) -> bool:
        """Write the attributes that differ from ``old`` to ``new`` (SET and REMOVE), on the
        condition that each still holds its value in ``old``; False when one changed."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets, removes, conditions = [], [], []
        for i, name in enumerate(sorted(set(old) | set(new))):
            if name in new and name in old and new[name] == old[name]:
                continue
            names[f"#a{i}"] = name
            if name in new:
                values[f":n{i}"] = _TO.serialize(new[name])
                sets.append(f"#a{i} = :n{i}")
            else:
                removes.append(f"#a{i}")
            if name in old:
                values[f":o{i}"] = _TO.serialize(old[name])
                conditions.append(f"#a{i} = :o{i}")
            else:
                conditions.append(f"attribute_not_exists(#a{i})")
        if not names:
            return True
        update = " ".join(
            part
            for part in (
                f"SET {', '.join(sets)}" if sets else "",
                f"REMOVE {', '.join(removes)}" if removes else "",
            )
            if part
        )
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(old),
                UpdateExpression=update,
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _key(self, item: dict) -> dict:
        names = [self._spec.partition_key] + ([self._spec.sort_key] if self._spec.sort_key else [])
        return {k: _TO.serialize(item[k]) for k in names}

    def delete(self, item: dict) -> None:
        self._client.delete_item(TableName=self._table, Key=self._key(item))


class KeysOnlyIndex:
    """A keys-only GSI: the table's partition keys whose index key is ``value``."""

    def __init__(
        self,
        table: str,
        spec: resources.TableSpec,
        index: resources.IndexSpec,
        client: Any = None,
    ) -> None:
        self._table = table
        self._spec = spec
        self._index = index
        self._client = make_client("dynamodb", client)

    def keys(self, value: str) -> list[str]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=self._index.name,
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": self._index.partition_key},
            ExpressionAttributeValues={":v": {"S": value}},
        )
        found = {item[self._spec.partition_key]["S"] for page in pages for item in page["Items"]}
        return sorted(found)


class BucketObjects:
    """The data bucket: read the current version, replace it and delete the older ones."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)

    def read(self, key: str) -> bytes | None:
        try:
            return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except self._client.exceptions.NoSuchKey:
            return None

    def replace(self, key: str, body: bytes) -> int:
        head = self._client.head_object(Bucket=self._bucket, Key=key)
        written = self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType=head.get("ContentType", "application/octet-stream"),
            Metadata={**head.get("Metadata", {}), resources.ERASED_METADATA: "true"},
        )
        current = written.get("VersionId")
        deleted = 0
        pages = self._client.get_paginator("list_object_versions").paginate(
            Bucket=self._bucket, Prefix=key
        )
        for page in pages:
            for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if version["Key"] != key or version["VersionId"] in (current, None):
                    continue
                self._client.delete_object(
                    Bucket=self._bucket, Key=key, VersionId=version["VersionId"]
                )
                deleted += 1
        return deleted

    def keys(self, prefix: str) -> list[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        return [o["Key"] for page in pages for o in page.get("Contents", [])]


class AuditReceipts:
    """Erasure receipts in the Audit table: ``erasure#<phone hash>`` / ``<when>#<unique>``
    (the time is to the second: two erasures of one citizen within a second keep both)."""

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def record(self, receipt: dict) -> None:
        item = {
            "pk": f"erasure#{receipt['phone_hash']}",
            "sk": f"{receipt['at']}#{uuid.uuid4().hex[:12]}",
            "kind": "erasure",
            **receipt,
        }
        self._client.put_item(
            TableName=self._table, Item={k: _TO.serialize(v) for k, v in item.items()}
        )


class DynamoErasureRequests:
    """The workspace's erasure requests in the Audit table: the request's receipt at
    ``erasure_requests`` / ``<request id>``, written in one transaction with the erasure's own
    receipt (``erasure#<phone hash>``, as ``AuditReceipts``) and the audit trail's entry
    (``day#<date>``, as ``DynamoAuditLog``), on the condition that the request is new."""

    PARTITION = "erasure_requests"

    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._client = make_client("dynamodb", client)

    def get(self, request_id: str) -> dict | None:
        found = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": self.PARTITION}, "sk": {"S": request_id}},
            ConsistentRead=True,
        ).get("Item")
        return json.loads(found["receipt"]["S"]) if found else None

    def record(self, erased: dict, receipt: dict, entry: dict) -> None:
        expires = str(int(time.time()) + AUDIT_RETENTION_DAYS * DAY)
        items = [
            (
                {"pk": {"S": self.PARTITION}, "sk": {"S": receipt["request_id"]},
                 "kind": {"S": "erasure_request"}, "at": {"S": receipt["at"]},
                 "receipt": {"S": json.dumps(receipt, sort_keys=True)}},
                "attribute_not_exists(pk)",
            ),
            (
                {"pk": {"S": f"erasure#{erased['phone_hash']}"},
                 "sk": {"S": f"{erased['at']}#{receipt['request_id'][:12]}"},
                 "kind": {"S": "erasure"}, **{k: _TO.serialize(v) for k, v in erased.items()}},
                None,
            ),
            (
                {"pk": {"S": f"day#{entry['at'][:10]}"},
                 "sk": {"S": f"{entry['at']}#{receipt['request_id'][:12]}"},
                 "entry": {"S": json.dumps(entry, ensure_ascii=False, sort_keys=True)},
                 "expires_at": {"N": expires}},
                None,
            ),
        ]  # fmt: skip
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {"TableName": self._table, "Item": item}
                        | ({"ConditionExpression": condition} if condition else {})
                    }
                    for item, condition in items
                ]
            )
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons") or []
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise
            # the request is stored already (a replay raced this one): nothing more to write

    def recent(self, limit: int) -> list[dict]:
        found: list[dict] = []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": self.PARTITION}},
        )
        for page in pages:
            found.extend(json.loads(item["receipt"]["S"]) for item in page["Items"])
        return sorted(found, key=lambda r: r["at"], reverse=True)[:limit]


def erasure_ports(
    tables: dict[str, str], bucket: str, hash_key: bytes, client: Any = None, s3: Any = None
) -> ErasurePorts:
    """``tables``: logical id → physical name (``resources.TableSpec.logical_id``)."""
    v, lk = resources.VISITS, resources.LINKS

    def records(spec: resources.TableSpec) -> TableRecords:
        return TableRecords(tables[spec.logical_id], spec, client)

    return ErasurePorts(
        hash_key=hash_key,
        visits=records(v),
        visits_by_phone=KeysOnlyIndex(
            tables[v.logical_id], v, resources.BY_PHONE_HASH_INDEX, client
        ),
        feedback=records(resources.FEEDBACK),
        dispatches=records(resources.DISPATCHES),
        links=records(lk),
        links_by_visit=KeysOnlyIndex(
            tables[lk.logical_id], lk, resources.LINKS_BY_VISIT_INDEX, client
        ),
        cases=records(resources.CASES),
        contacts=records(resources.CONTACTS),
        objects=BucketObjects(bucket, s3),
        receipts=AuditReceipts(tables[resources.AUDIT.logical_id], client),
        grievances=(
            records(resources.GRIEVANCES) if resources.GRIEVANCES.logical_id in tables else None
        ),
    )


def _plain(item: dict) -> dict:
    return {k: _FROM.deserialize(v) for k, v in item.items()}


def caller_arn(client: Any = None) -> str:
    """Who runs the erasure, from the verified credential (STS), for the receipt."""
    return make_client("sts", client).get_caller_identity()["Arn"]
