"""Escalation adapters: the Cases table, Step Functions task tokens, the visit's phone."""

from __future__ import annotations

import json
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

_TO = TypeSerializer()
_FROM = TypeDeserializer()
TOKEN_GONE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def _dynamo(value):
    return _TO.serialize(json.loads(json.dumps(value), parse_float=Decimal))


def _item(fields: dict) -> dict:
    return {k: _dynamo(v) for k, v in fields.items()}


def _conditional_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoCases:
    """One item per case; every transition appends to ``audit`` in the same UpdateItem."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def _key(self, case_id: str) -> dict:
        return {"case_id": {"S": case_id}}

    def create(self, case: dict) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_item(case),
                ConditionExpression="attribute_not_exists(case_id)",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def get(self, case_id: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._key(case_id), ConsistentRead=True
        ).get("Item")
        return _plain({k: _FROM.deserialize(v) for k, v in item.items()}) if item else None

    def _update(self, case_id, sets: dict, condition: str, values: dict, entry=None, names=None):
        names = dict(names or {})
        values = dict(values)
        clauses = []
        for i, (field, value) in enumerate(sets.items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = value
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
                ExpressionAttributeValues={k: _dynamo(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return None
            raise
        return _plain({k: _FROM.deserialize(v) for k, v in response["Attributes"].items()})

    def assign(self, case_id: str, round_: int, fields: dict, entry: dict) -> bool:
        sets = {**fields, "round": round_}
        condition = "attribute_exists(case_id) AND #r < :round"
        updated = self._update(
            case_id, sets, condition, {":round": round_}, entry, names={"#r": "round"}
        )
        return updated is not None

    def set_wait(self, case_id, kind, round_, token, fields) -> dict | None:
        return self._nested(
            case_id, "waits", kind, {"round": round_, "token": token}, round_, fields=fields
        )

    def set_signal(self, case_id, kind, round_, signal, entry) -> dict | None:
        """Only once per (kind, round); a confirmation only after this round's ATR."""
        extra = "(attribute_not_exists(signals.#k) OR signals.#k.#r <> :round)"
        if kind == "confirmation":
            extra += " AND signals.atr.#r = :round"
        return self._nested(case_id, "signals", kind, signal, round_, entry=entry, extra=extra)

    def _nested(self, case_id, attribute, kind, value, round_, fields=None, entry=None, extra=None):
        names = {"#r": "round", "#k": kind, "#s": "status"}
        values = {":round": round_, ":v": value, ":resolved": "resolved"}
        clauses = [f"{attribute}.#k = :v"]
        for i, (field, field_value) in enumerate((fields or {}).items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = field_value
            clauses.append(f"#f{i} = :f{i}")
        if entry is not None:
            clauses.append("audit = list_append(audit, :entry)")
            values[":entry"] = [entry]
        condition = "#r = :round AND #s <> :resolved" + (f" AND {extra}" if extra else "")
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(case_id),
                UpdateExpression="SET " + ", ".join(clauses),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: _dynamo(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return None
            raise
        return _plain({k: _FROM.deserialize(v) for k, v in response["Attributes"].items()})

    def mark_delivered(self, case_id: str, kind: str, round_: int) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(case_id),
                UpdateExpression="SET signals.#k.delivered = :t",
                ConditionExpression="signals.#k.#r = :round",
                ExpressionAttributeNames={"#k": kind, "#r": "round"},
                ExpressionAttributeValues={":t": {"BOOL": True}, ":round": {"N": str(round_)}},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise

    def append(self, case_id: str, round_: int, fields: dict, entry: dict) -> bool:
        condition = "#r = :round"
        updated = self._update(
            case_id, fields, condition, {":round": round_}, entry, names={"#r": "round"}
        )
        return updated is not None


class StepFunctionsTasks:
    """Start a case's execution; resume a waiting one with ``SendTaskSuccess``."""

    def __init__(self, state_machine_arn: str, client=None):
        self._arn = state_machine_arn
        self._client = make_client("stepfunctions", client)

    def start(self, name: str, payload: dict) -> bool:
        try:
            self._client.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(payload, sort_keys=True)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def send_success(self, token: str, output: dict) -> bool:
        try:
            self._client.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as error:
            if error.response["Error"]["Code"] in TOKEN_GONE:
                return False
            raise
        return True


class VisitPhones:
    """The citizen's phone (E.164) of a visit, for masking in officials' notices."""

    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def __call__(self, visit_key: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={"visit_key": {"S": visit_key}},
            ProjectionExpression="phone",
        ).get("Item")
        return item["phone"]["S"] if item and "phone" in item else None


class OfficialSubscriptions:
    """Officials' SMS and e-mail subscriptions to the notices topic, each filtered on its
    ``official_id`` so an official receives only their own cases' notices (never tokens)."""

    def __init__(self, topic_arn: str, client=None):
        self._topic = topic_arn
        self._client = make_client("sns", client)

    def sync(self, officials: dict[str, dict]) -> dict[str, int]:
        existing = {
            (s["Protocol"], s["Endpoint"])
            for page in self._client.get_paginator("list_subscriptions_by_topic").paginate(
                TopicArn=self._topic
            )
            for s in page["Subscriptions"]
        }
        added = 0
        for official_id, details in officials.items():
            policy = json.dumps({"official_id": [official_id], "task": ["await_atr"]})
            for protocol, endpoint in (
                ("sms", details.get("phone")),
                ("email", details.get("email")),
            ):
                if endpoint and (protocol, endpoint) not in existing:
                    self._client.subscribe(
                        TopicArn=self._topic,
                        Protocol=protocol,
                        Endpoint=endpoint,
                        Attributes={"FilterPolicy": json.dumps(json.loads(policy))},
                    )
                    added += 1
        return {"subscriptions_added": added, "subscriptions_existing": len(existing)}
