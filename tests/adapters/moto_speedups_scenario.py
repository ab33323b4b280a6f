"""A scenario over every moto call the speed-ups touch, printed as JSON: run by
``test_moto_speedups.py`` in two processes, with and without ``moto_speedups.install()``,
whose outputs must be equal. ``python moto_speedups_scenario.py [patched]``."""

from __future__ import annotations

import json
import sys
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

REGION = "ap-south-1"


def outcome(call: Any) -> Any:
    """The call's response without its metadata, or its error code and message."""
    try:
        response = call()
    except ClientError as error:
        return {"error": error.response["Error"]["Code"], "message": str(error)}
    response.pop("ResponseMetadata", None)
    return response


def dynamodb(db: Any) -> dict:
    db.create_table(
        TableName="t",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "g-only",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for p in range(6):
        for s in range(7):
            item = {
                "pk": {"S": f"p{p}"},
                "sk": {"S": f"s{6 - s}"},
                "n": {"N": str((p * 7 + s) % 5)},
                "bytes": {"B": b"\x00\x01" + bytes([s])},
                "tags": {"SS": ["a", f"t{s}"]},
                "nums": {"NS": ["1", str(s + 2)]},
                "map": {"M": {"x": {"S": "y"}, "l": {"L": [{"N": "1"}, {"NULL": True}]}}},
                "flag": {"BOOL": s % 2 == 0},
                "empty": {"S": ""},
            }
            if s % 3:
                item["g"] = {"S": f"g{s % 2}"}
            db.put_item(TableName="t", Item=item)
    results: dict[str, Any] = {}
    queries = {
        "partition": {"KeyConditionExpression": "pk = :p"},
        "range": {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b"},
        "prefix": {"KeyConditionExpression": "pk = :p AND begins_with(sk, :x)"},
        "backwards": {"KeyConditionExpression": "pk = :p", "ScanIndexForward": False},
        "missing": {"KeyConditionExpression": "pk = :q"},
        "filtered": {"KeyConditionExpression": "pk = :p", "FilterExpression": "n > :one"},
        "projected": {"KeyConditionExpression": "pk = :p", "ProjectionExpression": "sk, map.x"},
        "index": {"IndexName": "by-g", "KeyConditionExpression": "g = :g"},
        "index range": {"IndexName": "by-g", "KeyConditionExpression": "g = :g AND n < :three"},
        "index backwards": {
            "IndexName": "by-g",
            "KeyConditionExpression": "g = :g",
            "ScanIndexForward": False,
        },
        "index keys only": {"IndexName": "g-only", "KeyConditionExpression": "g = :g"},
    }
    values = {
        ":p": {"S": "p3"},
        ":q": {"S": "nobody"},
        ":a": {"S": "s2"},
        ":b": {"S": "s5"},
        ":x": {"S": "s1"},
        ":one": {"N": "1"},
        ":g": {"S": "g1"},
        ":three": {"N": "3"},
    }
    for name, query in queries.items():
        used = {k: v for k, v in values.items() if k in json.dumps(query)}
        pages = []
        for limit in (None, 2):
            start: dict = {}
            while True:
                page = outcome(
                    lambda q=query, u=used, lim=limit, st=start: db.query(
                        TableName="t",
                        ExpressionAttributeValues=u,
                        **q,
                        **({"Limit": lim} if lim else {}),
                        **({"ExclusiveStartKey": st} if st else {}),
                    )
                )
                pages.append(page)
                start = page.get("LastEvaluatedKey") or {}
                if not start:
                    break
        results[f"query {name}"] = pages
    updates = {
        "add and set": {
            "UpdateExpression": "ADD #c :one, #d :one SET #s = :s, map.x = :s",
            "ExpressionAttributeNames": {"#c": "count", "#d": "other", "#s": "status"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"S": "open"}},
        },
        "again, the same expression": {
            "UpdateExpression": "ADD #c :one, #d :one SET #s = :s, map.x = :s",
            "ExpressionAttributeNames": {"#c": "count", "#d": "other", "#s": "status"},
            "ExpressionAttributeValues": {":one": {"N": "2"}, ":s": {"S": "closed"}},
        },
        "same expression, other names": {
            "UpdateExpression": "ADD #c :one, #d :one SET #s = :s, map.x = :s",
            "ExpressionAttributeNames": {"#c": "count", "#d": "count", "#s": "status"},
            "ExpressionAttributeValues": {":one": {"N": "2"}, ":s": {"S": "closed"}},
        },
        "functions": {
            "UpdateExpression": "SET l = list_append(if_not_exists(l, :e), :v), "
            "m = if_not_exists(m, :one) + :one REMOVE empty, map.l[1]",
            "ExpressionAttributeValues": {
                ":e": {"L": []},
                ":v": {"L": [{"S": "v"}]},
                ":one": {"N": "1"},
            },
        },
        "a key": {
            "UpdateExpression": "SET sk = :s",
            "ExpressionAttributeValues": {":s": {"S": "moved"}},
        },
        "overlapping": {
            "UpdateExpression": "SET map.x = :s, map = :m",
            "ExpressionAttributeValues": {":s": {"S": "a"}, ":m": {"M": {}}},
        },
        "two SET clauses": {
            "UpdateExpression": "SET a = :s SET b = :s",
            "ExpressionAttributeValues": {":s": {"S": "a"}},
        },
        "syntax": {"UpdateExpression": "SET = :s", "ExpressionAttributeValues": {":s": {"S": "a"}}},
    }
    for name, update in updates.items():
        for key in ("s1", "new"):
            results[f"update {name} {key}"] = outcome(
                lambda u=update, k=key: db.update_item(
                    TableName="t",
                    Key={"pk": {"S": "p1"}, "sk": {"S": k}},
                    ReturnValues="ALL_NEW",
                    **u,
                )
            )
    increment = {
        "Update": {
            "TableName": "t",
            "Key": {"pk": {"S": "tally"}, "sk": {"S": "day"}},
            "UpdateExpression": "ADD #c :one SET #s = :s",
            "ExpressionAttributeNames": {"#c": "count", "#s": "office"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"S": "o1"}},
        }
    }
    for event in ("e1", "e2", "e1"):
        marker = {
            "Put": {
                "TableName": "t",
                "Item": {"pk": {"S": event}, "sk": {"S": "applied"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        results[f"transaction {event}"] = outcome(
            lambda m=marker: db.transact_write_items(TransactItems=[m, increment])
        )
    for returned in ("NONE", "ALL_OLD", "UPDATED_OLD", "UPDATED_NEW", "ALL_NEW"):
        results[f"update returning {returned}"] = outcome(
            lambda r=returned: db.update_item(
                TableName="t",
                Key={"pk": {"S": "p2"}, "sk": {"S": "s1"}},
                UpdateExpression="SET #s = :s, #m.x = :x ADD #c :one REMOVE flag",
                ExpressionAttributeNames={"#s": "status", "#c": "count", "#m": "map"},
                ExpressionAttributeValues={":s": {"S": r}, ":x": {"S": r}, ":one": {"N": "1"}},
                ReturnValues=r,
            )
        )
    results["sizes"] = item_sizes(db)
    results["scan"] = outcome(lambda: db.scan(TableName="t"))
    results["scan index"] = outcome(lambda: db.scan(TableName="t", IndexName="by-g"))
    results["get"] = outcome(
        lambda: db.get_item(TableName="t", Key={"pk": {"S": "p1"}, "sk": {"S": "s1"}})
    )
    return results


def streamed(db: Any) -> dict:
    """An update of a table with a stream: its record holds the old and the new image."""
    db.create_table(
        TableName="streamed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    db.put_item(TableName="streamed", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    for value in ("2", "3"):
        db.update_item(
            TableName="streamed",
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET n = :n, l = list_append(if_not_exists(l, :e), :v)",
            ExpressionAttributeValues={
                ":n": {"N": value},
                ":e": {"L": []},
                ":v": {"L": [{"N": value}]},
            },
        )
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["streamed"].stream_shard
    records = [record.to_json() for record in shard.items]
    return {
        "records": [
            (r["eventName"], r["dynamodb"].get("OldImage"), r["dynamodb"].get("NewImage"))
            for r in records
        ]
    }


def item_sizes(db: Any) -> dict:
    """Items at and over the 400 KB limit (ASCII, non-ASCII, numbers, a map), by PutItem,
    UpdateItem and a transaction that fails on it (its other item rolled back): what is
    refused and what is stored (each attribute's type and length)."""
    db.create_table(
        TableName="sizes",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def stored(pk: str) -> Any:
        item = db.get_item(TableName="sizes", Key={"pk": {"S": pk}}).get("Item", {})
        return {k: [next(iter(v)), len(json.dumps(v))] for k, v in sorted(item.items())}

    results: dict[str, Any] = {}
    values = {
        "ascii": lambda n: {"S": "a" * n},
        "accented": lambda n: {"S": "é" * (n // 2)},
        "map": lambda n: {"M": {"inner": {"S": "m" * n}, "k": {"N": "12.5"}}},
    }
    for name, value in values.items():
        for n in (404_900, 404_990, 404_997, 405_010):
            item = {"pk": {"S": f"{name}{n}"}, "v": value(n)}
            results[f"put {name} {n}"] = outcome(
                lambda i=item: db.put_item(TableName="sizes", Item=i)
            )
    db.put_item(TableName="sizes", Item={"pk": {"S": "u"}, "v": {"S": "u" * 404_000}})
    for n, update in enumerate(
        [
            ("SET w = :v", {":v": {"N": "123456789012345678901234567890"}}),
            ("ADD c1 :v, c2 :v, c3 :v", {":v": {"N": "7"}}),
            ("SET x = :v", {":v": {"S": "é" * 300}}),
            ("SET y = :v", {":v": {"S": "y" * 900}}),
            ("SET z = :v", {":v": {"SS": ["a" * 100, "b" * 100]}}),
            ("SET y2 = :v", {":v": {"S": "q" * 145}}),
            ("SET y3 = :v", {":v": {"S": "é" * 3}}),
            ("SET y4 = :v", {":v": {"S": "é"}}),
            ("SET y5 = :v", {":v": {"S": "é"}}),
        ]
    ):
        expression, names = update
        results[f"update {n}"] = outcome(
            lambda e=expression, v=names: db.update_item(
                TableName="sizes",
                Key={"pk": {"S": "u"}},
                UpdateExpression=e,
                ExpressionAttributeValues=v,
            )
        )
    results["updated"] = stored("u")
    db.put_item(TableName="sizes", Item={"pk": {"S": "other"}, "n": {"N": "1"}})
    results["transaction over the limit"] = outcome(
        lambda: db.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": "sizes",
                        "Key": {"pk": {"S": "other"}},
                        "UpdateExpression": "ADD n :one SET s = :s",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"S": "é"}},
                    }
                },
                {
                    "Update": {
                        "TableName": "sizes",
                        "Key": {"pk": {"S": "u"}},
                        "UpdateExpression": "SET big = :v",
                        "ExpressionAttributeValues": {":v": {"S": "b" * 5000}},
                    }
                },
            ]
        )
    )
    results["after the transaction"] = [stored("other"), stored("u")]
    return results


def events_and_queues(events: Any, sqs: Any) -> dict:
    url = sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": "600"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.create_event_bus(Name="bus")
    events.put_rule(Name="all", EventBusName="bus", EventPattern=json.dumps({"source": ["s"]}))
    events.put_targets(
        Rule="all",
        EventBusName="bus",
        Targets=[
            {"Id": "plain", "Arn": arn},
            {
                "Id": "shaped",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"kind": "$.detail-type", "office": "$.detail.office"},
                    "InputTemplate": '{"kind": "<kind>", "office": "<office>"}',
                },
            },
        ],
    )
    for n in range(3):
        events.put_events(
            Entries=[
                {
                    "EventBusName": "bus",
                    "Source": "s",
                    "DetailType": f"Kind{n}",
                    "Detail": json.dumps({"office": f"o{n}", "n": n, "nested": {"list": [n]}}),
                }
            ]
        )
    results: dict[str, Any] = {}
    for names in (["ApproximateNumberOfMessages"], ["MessageRetentionPeriod", "DelaySeconds"]):
        results[f"attributes {names}"] = outcome(
            lambda n=names: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=n)
        )
    results["attributes unknown"] = outcome(
        lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])
    )
    results["fifo"] = fifo_queues(sqs)
    bodies = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        for message in batch:
            body = json.loads(message["Body"])
            body.pop("id", None)
            body.pop("time", None)
            bodies.append(body)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    results["delivered"] = sorted(bodies, key=json.dumps)
    return results


def fifo_queues(sqs: Any) -> dict:
    """Sends to FIFO queues with and without content-based deduplication: duplicates
    dropped, a missing group or deduplication id refused, batches too."""
    results: dict[str, Any] = {}
    for dedup in ("true", "false"):
        url = sqs.create_queue(
            QueueName=f"f-{dedup}.fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": dedup},
        )["QueueUrl"]
        sends = {
            "no group": {},
            "group": {"MessageGroupId": "g"},
            "group again": {"MessageGroupId": "g"},
            "group and id": {"MessageGroupId": "g", "MessageDeduplicationId": "d"},
            "same id": {"MessageGroupId": "g", "MessageDeduplicationId": "d"},
        }
        for name, extra in sends.items():
            sent = outcome(
                lambda e=extra, u=url: sqs.send_message(QueueUrl=u, MessageBody="b", **e)
            )
            results[f"{dedup} {name}"] = sent if "error" in sent else sorted(sent)
        batch = outcome(
            lambda u=url: sqs.send_message_batch(
                QueueUrl=u,
                Entries=[
                    {"Id": str(n), "MessageBody": f"m{n % 2}", "MessageGroupId": "g"}
                    for n in range(4)
                ],
            )
        )
        results[f"{dedup} batch"] = {
            "ok": sorted(e["Id"] for e in batch.get("Successful", [])),
            "failed": sorted(json.dumps(e, sort_keys=True) for e in batch.get("Failed", [])),
            "error": batch.get("error"),
        }
        results[f"{dedup} attributes"] = outcome(
            lambda u=url: sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])
        )["Attributes"]
        for volatile in ("CreatedTimestamp", "LastModifiedTimestamp"):
            results[f"{dedup} attributes"].pop(volatile, None)
        results[f"{dedup} received"] = sorted(
            m["Body"]
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        )
    return results


def objects_and_topics(s3: Any, sns: Any) -> dict:
    """S3 (whose URL table the speed-ups keep) and SNS (XML responses with a request id)."""
    s3.create_bucket(
        Bucket="speedups-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    results: dict[str, Any] = {}
    for key in ("a.json", "dir/b.html", "dir/sub/c d.csv"):
        put = outcome(
            lambda k=key: s3.put_object(Bucket="speedups-bucket", Key=k, Body=k.encode() * 3)
        )
        results[f"put {key}"] = put.get("ETag", put)
        got = s3.get_object(Bucket="speedups-bucket", Key=key)
        results[f"get {key}"] = [got["Body"].read().decode(), got["ContentLength"], got["ETag"]]
    listed = s3.list_objects_v2(Bucket="speedups-bucket", Prefix="dir/")
    results["list"] = [(o["Key"], o["Size"]) for o in listed["Contents"]]
    results["missing"] = outcome(lambda: s3.get_object(Bucket="speedups-bucket", Key="nothing"))
    results["no bucket"] = outcome(lambda: s3.list_objects_v2(Bucket="none"))
    arn = sns.create_topic(Name="t")["TopicArn"]
    results["publish"] = sorted(outcome(lambda: sns.publish(TopicArn=arn, Message="m")))
    results["publish nowhere"] = outcome(
        lambda: sns.publish(TopicArn=arn.replace(":t", ":none"), Message="m")
    )
    return results


def run() -> dict:
    with mock_aws():
        return {
            "s3 and sns": objects_and_topics(
                boto3.client("s3", region_name=REGION), boto3.client("sns", region_name=REGION)
            ),
            "dynamodb": dynamodb(boto3.client("dynamodb", region_name=REGION)),
            "stream": streamed(boto3.client("dynamodb", region_name=REGION)),
            "events": events_and_queues(
                boto3.client("events", region_name=REGION),
                boto3.client("sqs", region_name=REGION),
            ),
        }


if __name__ == "__main__":
    if sys.argv[1:] == ["patched"]:
        from samvad_dev.local import moto_speedups

        moto_speedups.install()
    print(json.dumps(run(), sort_keys=True, default=str))
