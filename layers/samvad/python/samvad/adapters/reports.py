"""DynamoDB, S3 and SNS adapters of the reports' ports."""

from __future__ import annotations

import time
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from samvad.adapters.aws import client as make_client
from samvad.reports.periods import day_partition, month_partition
from samvad.reports.tally import TallyUpdate

DAY = 86400
OVERDUE_PARTITION = "overdue"
RESOLVED_OVERDUE_DAYS = 30  # a resolved case leaves the overdue partition after this
_DESERIALIZE = TypeDeserializer().deserialize


class DynamoTallies:
    """Tallies in one table: per event a marker and its increments in one transaction.

    ``TransactWriteItems``: Put the marker ``<identity>`` only if absent, ADD the counters
    to the day's and the month's item of the grain, and set the overdue-list fields of a
    case. A repeated event fails the marker's condition and the whole transaction: nothing
    is counted twice, and nothing half-counted."""

    def __init__(self, table: str, client=None, retention_days: int = 400):
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def apply(self, update: TallyUpdate) -> bool:
        items = [self._marker(update.identity)]
        for partition in (day_partition(update.day), month_partition(update.day)):
            items.append({"Update": self._increment(partition, update)})
        if update.overdue:
            items.append({"Update": self._overdue(update)})
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False  # the marker exists: this event was counted before
            raise
        return True

    def first_time(self, identity: str) -> bool:
        try:
            self._client.put_item(**self._marker(identity)["Put"])
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _marker(self, identity: str) -> dict:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": {"S": identity},
                    "sk": {"S": "applied"},
                    "expires_at": {"N": str(int(time.time()) + self._ttl)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _increment(self, partition: str, update: TallyUpdate) -> dict:
        grain = update.grain
        names, values, adds = {}, {}, []
        for i, (counter, amount) in enumerate(sorted(update.add.items())):
            names[f"#c{i}"] = counter
            values[f":c{i}"] = {"N": _number(amount)}
            adds.append(f"#c{i} :c{i}")
        sets = {
            "department": grain.department,
            "service": grain.service,
            "office_code": grain.office_code,
            "official_id": grain.official_id,
        }
        if grain.district:
            sets["district"] = grain.district
        if grain.office_name:
            sets["office_name"] = grain.office_name
        for i, (attribute, value) in enumerate(sets.items()):
            names[f"#s{i}"] = attribute
            values[f":s{i}"] = {"S": value}
        assignments = ", ".join(f"#s{i} = :s{i}" for i in range(len(sets)))
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": partition}, "sk": {"S": grain.key}},
            "UpdateExpression": f"ADD {', '.join(adds)} SET {assignments}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _overdue(self, update: TallyUpdate) -> dict:
        fields = dict(update.overdue)
        if "resolved_at" in fields:
            fields["expires_at"] = int(time.time()) + RESOLVED_OVERDUE_DAYS * DAY
        names = {f"#o{i}": k for i, k in enumerate(fields)}
        values = {f":o{i}": _attribute(v) for i, v in enumerate(fields.values())}
        return {
            "TableName": self._table,
            "Key": {"pk": {"S": OVERDUE_PARTITION}, "sk": {"S": update.case_id}},
            "UpdateExpression": "SET " + ", ".join(f"#o{i} = :o{i}" for i in range(len(fields))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def rows(self, partition: str) -> list[dict]:
        """The tally items of a partition, as plain dicts without their keys."""
        return [
            {k: v for k, v in _plain(item).items() if k not in ("pk", "sk")}
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": partition}},
            )
            for item in page["Items"]
        ]

    def overdue_cases(self) -> list[dict]:
        """Cases on the overdue list that are not resolved."""
        return [
            _plain(item)
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :p",
                FilterExpression="attribute_exists(case_id) AND attribute_not_exists(resolved_at)",
                ExpressionAttributeValues={":p": {"S": OVERDUE_PARTITION}},
            )
            for item in page["Items"]
        ]


class DynamoVisitPhones:
    """The phone numbers of a few visits (the overdue cases'), to show them masked."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def phones(self, visit_keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(visit_keys), 100):
            request = {
                self._table: {
                    "Keys": [{"visit_key": {"S": k}} for k in visit_keys[start : start + 100]],
                    "ProjectionExpression": "visit_key, phone",
                }
            }
            for _ in range(8):
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    if "phone" in item:
                        found[item["visit_key"]["S"]] = item["phone"]["S"]
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05)
        return found


class S3ReportFiles:
    def __init__(self, bucket: str, client=None, link_seconds: int = 7 * DAY):
        self._bucket = bucket
        self._client = make_client("s3", client)
        self._link_seconds = link_seconds

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)

    def link(self, key: str) -> str:
        """A presigned GET. Signed with a Lambda role's temporary credentials, it stops working
        when they expire (hours), whatever ``link_seconds`` says."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=self._link_seconds,
        )


class SnsNotifier:
    def __init__(self, topic_arn: str, client=None):
        self._topic = topic_arn
        self._client = make_client("sns", client)

    def notify(self, subject: str, message: str) -> None:
        self._client.publish(TopicArn=self._topic, Subject=subject, Message=message)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _attribute(value) -> dict:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": _number(value)}
    return {"S": str(value)}


def _plain(item: dict) -> dict:
    result = {}
    for name, value in item.items():
        python = _DESERIALIZE(value)
        if isinstance(python, Decimal):
            python = int(python) if python == python.to_integral_value() else float(python)
        result[name] = python
    return result
