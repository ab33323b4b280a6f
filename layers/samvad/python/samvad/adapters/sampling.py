"""DynamoDB, S3 and SQS adapters of the sampler's ports."""

from __future__ import annotations

import json
import time

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.adapters.dynamo import Batches
from samvad.sampling.draw import Candidate

DAY = 86400


class DynamoStrata:
    """Strata counts as idempotent contributions: ``<stratum>|upload|<id>`` adds visits,
    ``<stratum>|taken|<run date>`` subtracts what a run sampled or skipped."""

    def __init__(self, table: str, client=None, retention_days: int = 400):
        self._table = table
        self._client = make_client("dynamodb", client)
        self._batches = Batches(self._client)
        self._ttl = retention_days * DAY

    def record_uploaded(self, upload_id: str, counts: dict[tuple[str, str], int]) -> None:
        self._put(counts, "upload", upload_id, "visits")

    def record_taken(self, run_date: str, taken: dict[tuple[str, str], int]) -> None:
        self._put(taken, "taken", run_date, "taken")

    def _put(self, counts: dict[tuple[str, str], int], kind: str, source: str, field: str):
        expires = str(int(time.time()) + self._ttl)
        items = [
            {
                "visit_date": {"S": day},
                "stratum": {"S": f"{stratum}|{kind}|{source}"},
                field: {"N": str(n)},
                "expires_at": {"N": expires},
            }
            for (day, stratum), n in sorted(counts.items())
        ]
        self._batches.write(self._table, items)

    def available(self, dates: list[str]) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        pages = self._client.get_paginator("query")
        for day in dates:
            for page in pages.paginate(
                TableName=self._table,
                KeyConditionExpression="visit_date = :d",
                ExpressionAttributeValues={":d": {"S": day}},
            ):
                for item in page["Items"]:
                    stratum = item["stratum"]["S"].split("|", 1)[0]
                    delta = int(item.get("visits", {"N": "0"})["N"]) - int(
                        item.get("taken", {"N": "0"})["N"]
                    )
                    per_date = result.setdefault(stratum, {})
                    per_date[day] = per_date.get(day, 0) + delta
        return result


class DynamoCandidateIndex:
    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def page(
        self, partition: str, after: str, limit: int, upto: str | None = None
    ) -> list[Candidate]:
        condition, values = "sample_pk = :p", {":p": {"S": partition}}
        if after and upto:  # one condition on the sort key: BETWEEN is inclusive
            condition += " AND sample_score BETWEEN :a AND :u"
            values.update({":a": {"S": after}, ":u": {"S": upto}})
        elif upto:
            condition += " AND sample_score <= :u"
            values[":u"] = {"S": upto}
        elif after:  # DynamoDB refuses an empty string as a key value
            condition += " AND sample_score > :a"
            values[":a"] = {"S": after}
        response = self._client.query(
            TableName=self._table,
            IndexName=resources.UNSAMPLED_INDEX.name,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=limit,
        )
        stratum, visit_date = partition.rsplit("#", 1)
        return [
            Candidate(
                visit_key=i["visit_key"]["S"],
                score=i["sample_score"]["S"],
                stratum=stratum,
                visit_date=visit_date,
                phone_hash=i["phone_hash"]["S"],
                district=i.get("district", {}).get("S", ""),
                language=i.get("language", {}).get("S", ""),
            )
            for i in response["Items"]
        ]


class DynamoContacts:
    def __init__(self, table: str, client=None, retention_days: int = 400):
        self._table = table
        self._client = make_client("dynamodb", client)
        self._batches = Batches(self._client)
        self._ttl = retention_days * DAY

    def lookup(self, phone_hashes: list[str]) -> dict[str, dict]:
        if not phone_hashes:
            return {}
        items = self._batches.get(self._table, [{"phone_hash": {"S": h}} for h in phone_hashes])
        return {
            i["phone_hash"]["S"]: {
                "opted_out": i.get("opted_out", {}).get("BOOL", False),
                "last_sampled": i.get("last_sampled", {}).get("S"),
            }
            for i in items
        }

    def mark_sampled(self, phone_hashes: list[str], run_date: str) -> None:
        expires = str(int(time.time()) + self._ttl)
        for phone_hash in phone_hashes:
            self._client.update_item(
                TableName=self._table,
                Key={"phone_hash": {"S": phone_hash}},
                UpdateExpression="SET last_sampled = :d, expires_at = :t",
                ExpressionAttributeValues={":d": {"S": run_date}, ":t": {"N": expires}},
            )

    def opted_out(self, phone_hash: str) -> bool:
        item = self._client.get_item(
            TableName=self._table, Key={"phone_hash": {"S": phone_hash}}, ConsistentRead=True
        ).get("Item")
        return bool(item and item.get("opted_out", {}).get("BOOL"))

    def remember_sms(self, phone_hash: str, message: dict) -> None:
        """The last SMS contact sent to this citizen: an SMS reply without a reference
        (``previousPublishedMessageId``) is attached to it."""
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="SET last_sms = :m",
            ExpressionAttributeValues={":m": {"S": json.dumps(message, sort_keys=True)}},
        )

    def last_sms(self, phone_hash: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"phone_hash": {"S": phone_hash}}, ConsistentRead=True
        ).get("Item")
        return json.loads(item["last_sms"]["S"]) if item and "last_sms" in item else None

    def opt_out(self, phone_hash: str, when: str) -> None:
        """Record STOP for good (no expiry)."""
        self._client.update_item(
            TableName=self._table,
            Key={"phone_hash": {"S": phone_hash}},
            UpdateExpression="SET opted_out = :y, opted_out_at = :w REMOVE expires_at",
            ExpressionAttributeValues={":y": {"BOOL": True}, ":w": {"S": when}},
        )


class DynamoVisitMarks:
    """Sampled and skipped visits leave the sparse ``unsampled`` index (``sample_pk`` removed)."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def mark_sampled(self, assignments: list[dict], run_date: str) -> None:
        for a in assignments:
            self._client.update_item(
                TableName=self._table,
                Key={"visit_key": {"S": a["visit_key"]}},
                UpdateExpression="SET sampled_on = :d, sample_caller = :c, sample_channel = :h "
                "REMOVE sample_pk",
                ExpressionAttributeValues={
                    ":d": {"S": run_date},
                    ":c": {"S": a["caller"]},
                    ":h": {"S": a["channel"]},
                },
            )

    def mark_skipped(self, skipped: list[dict], run_date: str) -> None:
        for s in skipped:
            self._client.update_item(
                TableName=self._table,
                Key={"visit_key": {"S": s["visit_key"]}},
                UpdateExpression="SET sample_skip = :r, skipped_on = :d REMOVE sample_pk",
                ExpressionAttributeValues={":r": {"S": s["reason"]}, ":d": {"S": run_date}},
            )


class DynamoCallLists:
    def __init__(self, table: str, client=None, retention_days: int = 400):
        self._table = table
        self._batches = Batches(make_client("dynamodb", client))
        self._ttl = retention_days * DAY

    def write(self, run_date: str, assignments: list[dict]) -> None:
        expires = str(int(time.time()) + self._ttl)
        self._batches.write(
            self._table,
            [
                {
                    "list_id": {"S": f"{run_date}#{a['caller']}"},
                    "visit_key": {"S": a["visit_key"]},
                    "channel": {"S": a["channel"]},
                    "stratum": {"S": a["stratum"]},
                    "visit_date": {"S": a["visit_date"]},
                    "district": {"S": a["district"] or "-"},
                    "language": {"S": a["language"] or "-"},
                    "expires_at": {"N": expires},
                }
                for a in assignments
            ],
        )


class DynamoRuns:
    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def get(self, run_date: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"run_date": {"S": run_date}}, ConsistentRead=True
        ).get("Item")
        return json.loads(item["run"]["S"]) if item else None

    def put(self, run_date: str, status: str, details: dict) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "run_date": {"S": run_date},
                "status": {"S": status},
                "run": {"S": json.dumps({"status": status, **details}, default=str)},
            },
        )


class S3Documents:
    def __init__(self, bucket: str, client=None):
        self._bucket = bucket
        self._client = make_client("s3", client)

    def put_json(self, key: str, document: dict) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            ContentType="application/json",
            Body=json.dumps(document, ensure_ascii=False, default=str).encode(),
        )

    def get_json(self, key: str) -> dict:
        return json.loads(self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def find_json(self, key: str) -> dict | None:
        try:
            return self.get_json(key)
        except self._client.exceptions.NoSuchKey:
            return None


class SqsDispatcher:
    """One message per contact, sent in batches of 10; failures are retried, then raised."""

    def __init__(self, queue_url: str, client=None, attempts: int = 5):
        self._url = queue_url
        self._client = make_client("sqs", client)
        self._attempts = attempts

    def send(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(m)}
                for i, m in enumerate(messages[start : start + 10])
            ]
            for attempt in range(self._attempts):
                failed = self._client.send_message_batch(QueueUrl=self._url, Entries=entries).get(
                    "Failed", []
                )
                if not failed:
                    break
                retry = {f["Id"] for f in failed}
                entries = [e for e in entries if e["Id"] in retry]
                time.sleep(0.1 * 2**attempt)
            else:
                raise RuntimeError(f"{len(entries)} dispatch messages refused by SQS")


class DynamoVisitsByDate:
    """Every visit of a date through the ``by_visit_date`` index, as plain strings."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def visits_of(self, visit_date: str) -> list[dict]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=resources.BY_VISIT_DATE_INDEX.name,
            KeyConditionExpression="visit_date = :d",
            ExpressionAttributeValues={":d": {"S": visit_date}},
        )
        return [
            {name: next(iter(value.values())) for name, value in item.items()}
            for page in pages
            for item in page["Items"]
        ]
