"""DynamoDB adapters on moto: batches survive throttling and unprocessed items; config versions."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.items import Batches, IncompleteBatch, conditional_failure, plain, to_item
from samvad.adapters.uploads import DynamoLedger
from samvad.adapters.visits import DynamoVisits


class Flaky:
    """Wraps a real client: throttles some calls and leaves some items unprocessed."""

    def __init__(self, client, throttle_calls=(1, 4), unprocess_calls=(2, 3, 5)):
        self._client = client
        self.calls = 0
        self._throttle = set(throttle_calls)
        self._unprocess = set(unprocess_calls)

    def batch_write_item(self, RequestItems):
        self.calls += 1
        if self.calls in self._throttle:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "BatchWriteItem",
            )
        if self.calls in self._unprocess:
            ((table, requests),) = RequestItems.items()
            keep, defer = requests[: len(requests) // 2], requests[len(requests) // 2 :]
            if keep:
                self._client.batch_write_item(RequestItems={table: keep})
            return {"UnprocessedItems": {table: defer}}
        return self._client.batch_write_item(RequestItems=RequestItems)

    def batch_get_item(self, RequestItems):
        self.calls += 1
        if self.calls in self._unprocess:
            ((table, request),) = RequestItems.items()
            half = len(request["Keys"]) // 2
            got = self._client.batch_get_item(
                RequestItems={table: {**request, "Keys": request["Keys"][:half]}}
            )
            return {
                "Responses": got["Responses"],
                "UnprocessedKeys": {table: {**request, "Keys": request["Keys"][half:]}},
            }
        return self._client.batch_get_item(RequestItems=RequestItems)


def items(n):
    return [
        {"visit_key": {"S": f"k{i:04d}"}, "source_upload": {"S": "u"}, "source_row": {"N": str(i)}}
        for i in range(n)
    ]


def test_throttling_and_unprocessed_items_lose_nothing(stack):
    """Given a table that throttles and leaves items unprocessed, When 230 items are written
    and read back in batches, Then every item is stored and found, after backing off."""
    table = stack.table(resources.VISITS)
    client = boto3.client("dynamodb")
    flaky = Flaky(client)
    pauses = []
    batches = Batches(flaky, sleep=pauses.append)

    batches.write(table, items(230))
    found = batches.get(table, [{"visit_key": {"S": f"k{i:04d}"}} for i in range(230)])

    assert client.scan(TableName=table, Select="COUNT")["Count"] == 230
    assert len(found) == 230
    assert len(pauses) >= 5 and all(p >= 0 for p in pauses)


def test_write_requests_are_full_batches_of_25(stack):
    """Given 100 items and a healthy table, When written, Then exactly 4 requests are made."""
    batches = Batches(boto3.client("dynamodb"), sleep=lambda s: None)
    batches.write(stack.table(resources.VISITS), items(100))
    assert batches.requests == 4


def test_items_that_never_get_processed_raise_instead_of_vanishing(stack):
    """Given a table that never accepts part of a batch, When written, Then IncompleteBatch
    is raised (the message is redelivered) rather than the items being dropped."""
    flaky = Flaky(boto3.client("dynamodb"), throttle_calls=(), unprocess_calls=range(1, 100))
    with pytest.raises(IncompleteBatch, match="unprocessed"):
        Batches(flaky, sleep=lambda s: None).write(stack.table(resources.VISITS), items(10))


def test_config_versions_are_kept_and_the_latest_is_read(stack):
    """Given a config document published twice, When read, Then the latest is returned and
    both versions remain."""
    config = DynamoConfig(stack.table(resources.CONFIG))
    assert config.latest("intake/health") is None
    assert config.publish("intake/health", {"aliases": {"Rogi Phone": "phone"}}) == 1
    assert config.publish("intake/health", {"aliases": {"Rogi Mobile": "phone"}}) == 2
    assert config.latest("intake/health") == {"aliases": {"Rogi Mobile": "phone"}}
    versions = boto3.client("dynamodb").query(
        TableName=stack.table(resources.CONFIG),
        KeyConditionExpression="#n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": "intake/health"}},
    )["Items"]
    assert sorted(int(v["version"]["N"]) for v in versions) == [0, 1, 2]


class CountedReads:
    """The DynamoDB client, keeping the response size of each GetItem."""

    def __init__(self):
        self._client = boto3.client("dynamodb")
        self.reads: list[int] = []

    def get_item(self, **request):
        response = self._client.get_item(**request)
        self.reads.append(len(json.dumps(response.get("Item", {}))))
        return response

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_a_config_document_is_read_whole_only_when_a_new_version_is_out(stack):
    """Given a large document read once by a function, When it is read again, Then only its
    version number is read (a small read) and an equal, separate copy returned; When another
    process publishes a new version, Then the very next read returns it."""
    table = stack.table(resources.CONFIG)
    directory = {"officials": [{"id": f"o{n}", "name": "x" * 200} for n in range(200)]}
    DynamoConfig(table).publish("escalation/directory", directory)
    client = CountedReads()
    config = DynamoConfig(table, client)
    first = config.latest("escalation/directory")
    assert first == directory and len(client.reads) == 2
    first["officials"].clear()  # the caller's copy, not the adapter's
    client.reads.clear()
    assert config.latest("escalation/directory") == directory
    assert len(client.reads) == 1 and client.reads[0] < 100
    DynamoConfig(table).publish("escalation/directory", {"officials": []})
    assert config.latest("escalation/directory") == {"officials": []}
    assert config.latest("escalation/missing") is None


def test_ledger_returns_a_report_only_when_finished(stack):
    """Given an upload started but not finished, Then no report; once finished, the report;
    and a finished upload cannot be marked in progress again."""
    ledger = DynamoLedger(stack.table(resources.UPLOADS), clock=lambda: 1_800_000_000)
    ledger.started("u1", {"key": "k"})
    assert ledger.finished_report("u1") is None
    ledger.finished("u1", {"rows": 3})
    assert ledger.finished_report("u1") == {"rows": 3}
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        ledger.started("u1", {"key": "k"})
    item = boto3.client("dynamodb").get_item(
        TableName=stack.table(resources.UPLOADS), Key={"upload_id": {"S": "u1"}}
    )["Item"]
    assert int(item["expires_at"]["N"]) == 1_800_000_000 + 400 * 86400


def test_phones_of_visits_that_stay_unprocessed_raise_instead_of_a_partial_answer(stack):
    """Given a table that never returns part of a BatchGetItem, When the reports ask for the
    phones of 10 visits, Then IncompleteBatch is raised (before: a partial dict after 8 tries)."""

    class Stuck:
        """Answers one key of each request and leaves the rest unprocessed."""

        def __init__(self, client):
            self._client = client

        def batch_get_item(self, RequestItems):
            ((table, request),) = RequestItems.items()
            got = self._client.batch_get_item(
                RequestItems={table: {**request, "Keys": request["Keys"][:1]}}
            )
            rest = request["Keys"][1:] or request["Keys"]
            return {
                "Responses": got["Responses"],
                "UnprocessedKeys": {table: {**request, "Keys": rest}},
            }

    table = stack.table(resources.VISITS)
    Batches(boto3.client("dynamodb")).write(table, items(20))
    visits = DynamoVisits(
        table, batches=Batches(Stuck(boto3.client("dynamodb")), sleep=lambda s: None)
    )
    with pytest.raises(IncompleteBatch):
        visits.phones([f"k{i:04d}" for i in range(10)])


def test_items_convert_to_plain_values_at_any_depth_and_back():
    """Given plain fields with integers, fractions, booleans, lists and maps, When converted to
    an item and back, Then the same values return, integers as int and fractions as float."""
    fields = {
        "case_id": "c1",
        "round": 2,
        "score": 0.25,
        "done": False,
        "reasons": ["asked_money", "not_done"],
        "signals": {"atr": {"round": 1, "delivered": True, "weight": 1.5}},
        "audit": [{"from_level": 1, "to_level": 2}],
    }
    item = to_item(fields)
    assert item["round"] == {"N": "2"} and item["score"] == {"N": "0.25"}
    back = plain(item)
    assert back == fields
    assert type(back["round"]) is int and type(back["signals"]["atr"]["round"]) is int
    assert type(back["score"]) is float


def test_conditional_failure_is_recognised_alone_and_within_a_transaction():
    """Given the errors of a refused condition, a cancelled transaction and a throttle, Then
    only the first two count as conditional failures."""

    def error(code, reasons=None):
        response = {"Error": {"Code": code, "Message": "m"}}
        if reasons is not None:
            response["CancellationReasons"] = [{"Code": r} for r in reasons]
        return ClientError(response, "Op")

    assert conditional_failure(error("ConditionalCheckFailedException"))
    assert conditional_failure(
        error("TransactionCanceledException", ["None", "ConditionalCheckFailed"])
    )
    assert not conditional_failure(error("TransactionCanceledException", ["ThrottlingError"]))
    assert not conditional_failure(error("ProvisionedThroughputExceededException"))
