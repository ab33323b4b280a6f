"""DynamoDB, Connect, SNS, SQS and Scheduler adapters of the dispatch ports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from decimal import Decimal

from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.dispatch.pacing import Bucket, take
from samvad.dispatch.policy import NotifyPolicy, Rate
from samvad.dispatch.service import (
    FINAL_STATUSES,
    ChannelRejected,
    ChannelThrottled,
    Contact,
)
from samvad.links import LinkSigner

DAY = 86400
THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "LimitExceededException",
    "ThrottledException",
}
SQS_MAX_DELAY = 900


def _entry(attempt: int) -> str:
    return f"attempt#{attempt:02d}"


def _conditional_failure(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


class DynamoDispatchLedger:
    """``state`` and ``attempt#NN`` items per contact key; see ``resources.DISPATCHES``."""

    def __init__(self, table: str, client=None, retention_days: int = 400):
        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY

    def _key(self, key: str, entry: str) -> dict:
        return {"visit_key": {"S": key}, "entry": {"S": entry}}

    def _expires(self) -> dict:
        return {"N": str(int(time.time()) + self._ttl)}

    def claim(self, contact: Contact, now: dt.datetime, stale_before: dt.datetime) -> bool:
        """Two conditional writes, no transaction: the contact must not be finished, and the
        attempt must be free (new, released, or stale). A race lost on the second write leaves
        ``state`` as the winner wrote it (the same attempt number), so nothing is undone."""
        finals = {f":f{i}": {"S": s} for i, s in enumerate(FINAL_STATUSES)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(contact.key, "state"),
                UpdateExpression="SET #s = :progress, attempts = :n, #k = :k, "
                "updated_at = :now, expires_at = :exp",
                ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
                + ", ".join(finals)
                + ")",
                ExpressionAttributeNames={"#s": "status", "#k": "kind"},
                ExpressionAttributeValues={
                    ":progress": {"S": "in_progress"},
                    ":n": {"N": str(contact.attempt)},
                    ":k": {"S": contact.kind},
                    ":now": {"S": now.isoformat()},
                    ":exp": self._expires(),
                    **finals,
                },
            )
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(contact.key, _entry(contact.attempt)),
                    "outcome": {"S": "claimed"},
                    "channel": {"S": contact.channel},
                    "claimed_at": {"S": now.isoformat()},
                    "message": {"S": json.dumps(contact.to_message())},
                    "expires_at": self._expires(),
                },
                ConditionExpression="attribute_not_exists(entry) OR outcome = :unplaced OR "
                "(outcome = :claimed AND claimed_at < :stale)",
                ExpressionAttributeValues={
                    ":unplaced": {"S": "unplaced"},
                    ":claimed": {"S": "claimed"},
                    ":stale": {"S": stale_before.isoformat()},
                },
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def placed(self, contact: Contact, outcome: str, reference: str, now: dt.datetime) -> None:
        names, values = {"#o": "outcome"}, {":o": {"S": outcome}, ":t": {"S": now.isoformat()}}
        expression = "SET #o = :o, placed_at = :t"
        if reference:  # an index key may not be an empty string
            expression += ", #ref = :r"  # a reserved word
            names["#ref"] = "reference"
            values[":r"] = {"S": reference}
        self._client.update_item(
            TableName=self._table,
            Key=self._key(contact.key, _entry(contact.attempt)),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def unplaced(self, contact: Contact, reason: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(contact.key, _entry(contact.attempt)),
            UpdateExpression="SET #o = :u, #why = :r",
            ExpressionAttributeNames={"#o": "outcome", "#why": "reason"},
            ExpressionAttributeValues={":u": {"S": "unplaced"}, ":r": {"S": reason}},
        )

    def state(self, key: str) -> dict | None:
        return self._get(key, "state")

    def attempt(self, key: str, attempt: int) -> dict | None:
        item = self._get(key, _entry(attempt))
        if item and "message" in item:
            item["message"] = json.loads(item["message"])
        return item

    def _get(self, key: str, entry: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._key(key, entry), ConsistentRead=True
        ).get("Item")
        return _plain(item) if item else None

    def ended(self, key: str, attempt: int, outcome: str, now: dt.datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(key, _entry(attempt)),
                UpdateExpression="SET #o = :o, ended_at = :t",
                ConditionExpression="#o = :placed",
                ExpressionAttributeNames={"#o": "outcome"},
                ExpressionAttributeValues={
                    ":o": {"S": outcome},
                    ":t": {"S": now.isoformat()},
                    ":placed": {"S": "placed"},
                },
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def settle(self, key: str, attempt: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(key, _entry(attempt)),
            UpdateExpression="SET settled = :y",
            ExpressionAttributeValues={":y": {"BOOL": True}},
        )

    def finish(self, key: str, status: str, channel: str, now: dt.datetime) -> bool:
        finals = {f":f{i}": {"S": s} for i, s in enumerate(FINAL_STATUSES)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(key, "state"),
                UpdateExpression="SET #s = :s, final_channel = :c, finished_at = :t, "
                "expires_at = :exp",
                ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
                + ", ".join(finals)
                + ")",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":s": {"S": status},
                    ":c": {"S": channel},
                    ":t": {"S": now.isoformat()},
                    ":exp": self._expires(),
                    **finals,
                },
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def by_reference(self, reference: str) -> tuple[str, int] | None:
        items = self._client.query(
            TableName=self._table,
            IndexName=resources.BY_REFERENCE_INDEX.name,
            KeyConditionExpression="#ref = :r",
            ExpressionAttributeNames={"#ref": "reference"},
            ExpressionAttributeValues={":r": {"S": reference}},
        )["Items"]
        for item in items:
            entry = item["entry"]["S"]
            if entry.startswith("attempt#"):
                return item["visit_key"]["S"], int(entry.split("#", 1)[1])
        return None


def _plain(item: dict) -> dict:
    """A low-level DynamoDB item as plain Python values (strings, numbers, booleans)."""
    out = {}
    for name, value in item.items():
        ((kind, raw),) = value.items()
        out[name] = int(raw) if kind == "N" else raw
    return out


class DynamoVisitReader:
    def __init__(self, table: str, client=None):
        self._table = table
        self._client = make_client("dynamodb", client)

    def get(self, visit_key: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"visit_key": {"S": visit_key}}, ConsistentRead=True
        ).get("Item")
        return _plain(item) if item else None


class DynamoRateLimiter:
    """Token buckets in one table; a token is taken with a versioned conditional write."""

    def __init__(self, table: str, client=None, attempts: int = 20):
        self._table = table
        self._client = make_client("dynamodb", client)
        self._attempts = attempts
        self.conflicts = 0

    def acquire(self, name: str, rate: Rate, now: float) -> float:
        for _ in range(self._attempts):
            item = self._client.get_item(
                TableName=self._table, Key={"bucket": {"S": name}}, ConsistentRead=True
            ).get("Item")
            current = (
                Bucket(
                    float(item["tokens"]["N"]), float(item["at"]["N"]), int(item["version"]["N"])
                )
                if item
                else None
            )
            stored, wait = take(current, rate, now)
            if stored is None:
                return wait
            condition = (
                {
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":v": {"N": str(current.version)}},
                }
                if current
                else {
                    "ConditionExpression": "attribute_not_exists(#b)",  # reserved words
                    "ExpressionAttributeNames": {"#b": "bucket"},
                }
            )
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        "bucket": {"S": name},
                        "tokens": {"N": repr(stored.tokens)},
                        "at": {"N": repr(stored.at)},
                        "version": {"N": str(stored.version)},
                    },
                    **condition,
                )
                return 0.0
            except ClientError as error:
                if not _conditional_failure(error):
                    raise
                self.conflicts += 1  # another dispatcher took a token first: count again
        return 1.0 / rate.per_second


class ConnectTelephony:
    """Amazon Connect outbound calls into the survey contact flow."""

    def __init__(self, instance_id: str, flow_id: str, source_phone: str, client=None):
        self._instance = instance_id
        self._flow = flow_id
        self._source = source_phone
        self._client = make_client("connect", client)

    def start_call(self, phone: str, attributes: dict[str, str], token: str) -> str:
        request = {
            "DestinationPhoneNumber": phone,
            "ContactFlowId": self._flow,
            "InstanceId": self._instance,
            "Attributes": attributes,
            "ClientToken": token,
        }
        if self._source:
            request["SourcePhoneNumber"] = self._source
        try:
            return self._client.start_outbound_voice_contact(**request)["ContactId"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in THROTTLING:
                raise ChannelThrottled(code) from None
            if code in ("DestinationNotAllowedException", "InvalidParameterException"):
                raise ChannelRejected(code) from None
            raise

    def describe(self, contact_id: str) -> dict:
        """The call as a DISCONNECTED-event detail (empty ``disconnectTimestamp``: ongoing)."""
        contact = self._client.describe_contact(InstanceId=self._instance, ContactId=contact_id)[
            "Contact"
        ]
        detail = {"contactId": contact_id}
        for source, target in (
            ("ConnectedToSystemTimestamp", "connectedToSystemTimestamp"),
            ("DisconnectTimestamp", "disconnectTimestamp"),
            ("DisconnectReason", "disconnectReason"),
        ):
            value = contact.get(source)
            if value:
                detail[target] = value.isoformat() if hasattr(value, "isoformat") else value
        return detail


class SnsSms:
    """Transactional SMS through SNS, with the sender ID and India's DLT ids."""

    def __init__(self, client=None):
        self._client = make_client("sns", client)

    def send(self, phone: str, text, policy: NotifyPolicy) -> str:
        attributes = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": policy.sms_sender_id},
        }
        if policy.dlt_entity_id:
            attributes["AWS.MM.SMS.EntityId"] = {
                "DataType": "String",
                "StringValue": policy.dlt_entity_id,
            }
        template_id = policy.dlt_template_ids.get(f"{text.template}.{text.language}")
        if template_id:
            attributes["AWS.MM.SMS.TemplateId"] = {"DataType": "String", "StringValue": template_id}
        try:
            return self._client.publish(
                PhoneNumber=phone, Message=text.body, MessageAttributes=attributes
            )["MessageId"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in THROTTLING:
                raise ChannelThrottled(code) from None
            if code in ("InvalidParameter", "InvalidParameterValue", "OptedOut"):
                raise ChannelRejected(code) from None
            raise


class Deferrer:
    """Put a message back on the dispatch queue later: SQS delay up to 15 minutes, beyond
    that a one-time EventBridge Scheduler schedule (deleted once it has fired)."""

    def __init__(
        self,
        queue_url: str,
        queue_arn: str,
        role_arn: str,
        sqs=None,
        scheduler=None,
        max_sqs_delay: int | None = None,
        dead_letter_arn: str = "",
    ):
        """``max_sqs_delay=0`` sends every later delivery through the Scheduler (the local
        runtime's simulated clock fires schedules; SQS delays would run on the real one)."""
        self._max_delay = SQS_MAX_DELAY if max_sqs_delay is None else max_sqs_delay
        self._url = queue_url
        self._arn = queue_arn
        self._role = role_arn
        self._dead_letters = (
            {"DeadLetterConfig": {"Arn": dead_letter_arn}} if dead_letter_arn else {}
        )
        self._sqs = make_client("sqs", sqs)
        self._scheduler = make_client("scheduler", scheduler)

    def defer(self, message: dict, until: dt.datetime, now: dt.datetime) -> None:
        delay = (until - now).total_seconds()
        body = json.dumps(message, sort_keys=True)
        if delay <= self._max_delay or delay <= 0:
            self._sqs.send_message(
                QueueUrl=self._url, MessageBody=body, DelaySeconds=max(0, math.ceil(delay))
            )
            return
        at = until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        name = "d-" + hashlib.sha256(f"{body}|{at}".encode()).hexdigest()[:48]
        try:
            self._scheduler.create_schedule(
                Name=name,
                GroupName=resources.DISPATCH_SCHEDULE_GROUP,
                ScheduleExpression=f"at({at})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._arn,
                    "RoleArn": self._role,
                    "Input": body,
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 10},
                    **self._dead_letters,
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise  # ConflictException: this very deferral exists already (a replay)


class DynamoLinks:
    """Issue and redeem feedback-link tokens (``resources.LINKS``)."""

    def __init__(self, table: str, signer: LinkSigner, base_url: str, client=None):
        self._table = table
        self._signer = signer
        # SMS carry the link without its scheme (phones link ``host/path`` themselves).
        self._base = base_url.split("://", 1)[-1].rstrip("/")
        self._client = make_client("dynamodb", client)

    def issue(
        self, contact: Contact, language: str, expires: dt.datetime, host: str | None = None
    ) -> str:
        token, token_id = self._signer.new_token()
        item = {
            "token_id": {"S": token_id},
            "contact_key": {"S": contact.key},
            "visit_key": {"S": contact.visit_key},
            "kind": {"S": contact.kind},
            "language": {"S": language},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }
        if contact.case_id:
            item["case_id"] = {"S": contact.case_id}
        self._client.put_item(TableName=self._table, Item=item)
        return f"{host or self._base}/f/{token}"

    def lookup(self, token: str) -> dict | None:
        """The link's record for a genuine token, or None (forged, unknown, or purged)."""
        token_id = self._signer.token_id(token)
        if token_id is None:
            return None
        item = self._client.get_item(
            TableName=self._table, Key={"token_id": {"S": token_id}}, ConsistentRead=True
        ).get("Item")
        return _plain(item) if item else None

    def use(self, token_id: str, now: dt.datetime) -> bool:
        """Mark the link used; False if it was used already (single use)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"token_id": {"S": token_id}},
                UpdateExpression="SET used_at = :t",
                ConditionExpression="attribute_exists(token_id) AND attribute_not_exists(used_at)",
                ExpressionAttributeValues={":t": {"S": now.isoformat()}},
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True


class DynamoFeedback:
    """Feedback items (``resources.FEEDBACK``): the first answer for a key wins."""

    def __init__(self, table: str, client=None, retention_days: int = 400):
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self._table = table
        self._client = make_client("dynamodb", client)
        self._ttl = retention_days * DAY
        self._to = TypeSerializer()
        self._from = TypeDeserializer()

    def put_new(self, key: str, item: dict) -> bool:
        record = {**item, "visit_key": key, "published": False}
        record["expires_at"] = int(time.time()) + self._ttl
        try:
            self._client.put_item(
                TableName=self._table,
                Item={name: self._to.serialize(value) for name, value in record.items()},
                ConditionExpression="attribute_not_exists(visit_key)",
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def get(self, key: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"visit_key": {"S": key}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        plain = {name: self._from.deserialize(value) for name, value in item.items()}
        return {k: int(v) if isinstance(v, Decimal) else v for k, v in plain.items()}

    def mark_published(self, key: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"visit_key": {"S": key}},
            UpdateExpression="SET published = :y",
            ExpressionAttributeValues={":y": {"BOOL": True}},
        )
