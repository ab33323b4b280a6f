"""The local runtime is isolated from the process's other moto users (docs/local-runtime.md).

``LocalCloud`` runs moto's server in the test process, where other tests open and close
``mock_aws()`` and other ``LocalCloud``s start and stop: neither may wipe a live cloud's state,
and a Step Functions execution started through a cloud's server must keep calling that
server whatever mock is active in the process."""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from samvad_dev.local.cloud import REGION, LocalCloud

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-isolation")]

TABLE = "isolation-held"


def _definition(queue_url: str) -> str:
    """Hand a task token to ``queue_url`` and wait for it; then write an item."""
    return json.dumps(
        {
            "StartAt": "Token",
            "States": {
                "Token": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {
                        "QueueUrl": queue_url,
                        "MessageBody": {"token.$": "$$.Task.Token"},
                    },
                    "Next": "Put",
                },
                "Put": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName": TABLE, "Item": {"pk": {"S": "after"}}},
                    "End": True,
                },
            },
        }
    )


@pytest.fixture
def cloud():
    """A started local cloud (no stack: only what each test creates)."""
    local = LocalCloud(stage="isolation")
    local.start()
    _enable_executions(local)
    try:
        yield local
    finally:
        local.stop()


def _enable_executions(cloud) -> None:
    request = urllib.request.Request(
        f"{cloud.endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def _hold_a_table(cloud) -> None:
    cloud.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    cloud.client("dynamodb").put_item(TableName=TABLE, Item={"pk": {"S": "before"}})


def _held(cloud) -> set[str]:
    items = cloud.client("dynamodb").scan(TableName=TABLE)["Items"]
    return {item["pk"]["S"] for item in items}


@contextlib.contextmanager
def _another_tests_mock() -> Iterator[None]:
    """What an adapter test does in the same process (``tests/conftest.py``'s ``aws``): no
    endpoint override, ``mock_aws()`` opened, used and closed."""
    saved = os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            boto3.client("sqs", region_name=REGION).create_queue(QueueName="other-test")
            yield
    finally:
        if saved is not None:
            os.environ["AWS_ENDPOINT_URL"] = saved


def test_a_live_clouds_state_survives_another_tests_mock(cloud):
    """Given a cloud holding a table, When another test opens and closes ``mock_aws()`` in
    the same process (closing it resets moto's backends), Then the table and its item are
    still there, and the mock saw none of the cloud's resources."""
    _hold_a_table(cloud)
    with _another_tests_mock():
        assert boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"] == []
    assert _held(cloud) == {"before"}
    assert "other-test" not in str(cloud.client("sqs").list_queues())


def test_a_live_clouds_state_survives_another_cloud(cloud):
    """Given a cloud holding a table, When another cloud starts and stops in the same
    process, Then the first cloud's table is still there and the other never saw it."""
    _hold_a_table(cloud)
    with LocalCloud(stage="other") as other:
        assert TABLE not in other.client("dynamodb").list_tables()["TableNames"]
    assert _held(cloud) == {"before"}


def test_a_running_execution_calls_its_server_while_another_tests_mock_is_open(cloud):
    """Given an execution started through the cloud's server, waiting for a task token,
    When its token is answered while another test's ``mock_aws()`` is open, Then its next
    Task (a DynamoDB putItem) still reaches the server and the execution succeeds; and the
    mock's closing leaves the cloud's table intact."""
    _hold_a_table(cloud)
    sqs, sfn = cloud.client("sqs"), cloud.client("stepfunctions")
    queue_url = sqs.create_queue(QueueName="isolation-tokens")["QueueUrl"]
    machine = sfn.create_state_machine(
        name="isolation",
        definition=_definition(queue_url),
        roleArn="arn:aws:iam::123456789012:role/isolation",  # moto checks none
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = _token(sqs, sfn, queue_url, execution)
    with _another_tests_mock():  # open while the execution runs on
        sfn.send_task_success(taskToken=token, output="{}")
        status = _finished(sfn, execution)
    assert status == "SUCCEEDED", sfn.get_execution_history(executionArn=execution)["events"]
    assert _held(cloud) == {"before", "after"}


def _token(sqs, sfn, queue_url: str, execution: str) -> str:
    for _ in range(120):
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")
        if messages:
            return json.loads(messages[0]["Body"])["token"]
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    raise AssertionError("the execution sent no task token")


def _finished(sfn, execution: str) -> str:
    for _ in range(1200):
        status = sfn.describe_execution(executionArn=execution)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.1)
    return "RUNNING"


def test_engine_clients_are_made_while_functions_variables_come_and_go():
    """Given the main thread setting and unsetting variables (as the local runtime does around
    each function it invokes), When engine threads make the clients of their Task states for
    every region and service, Then none fails: moto's own maker iterated ``os.environ`` for
    proxies and raised ``KeyError`` now and again, which stalled a case (``States.Runtime``)."""
    import threading

    import botocore.session
    from moto.stepfunctions.parser.asl.utils import boto_client

    from samvad_dev.local import isolation

    isolation.install()
    regions = botocore.session.get_session().get_available_regions("sqs")
    stop, errors = threading.Event(), []

    def churn() -> None:
        i = 0
        while not stop.is_set():
            os.environ[f"SAMVAD_CHURN_{i % 40}"] = "x"
            os.environ.pop(f"SAMVAD_CHURN_{(i + 20) % 40}", None)
            i += 1

    def make() -> None:
        for region in regions * 2:
            for service in ("sqs", "sns", "events", "dynamodb"):
                try:
                    boto_client.boto_client_for(region, service)
                except Exception as error:  # any failure is the finding
                    errors.append(error)

    churner = threading.Thread(target=churn)
    churner.start()
    makers = [threading.Thread(target=make) for _ in range(4)]
    try:
        for maker in makers:
            maker.start()
        for maker in makers:
            maker.join()
    finally:
        stop.set()
        churner.join()
        for i in range(40):
            os.environ.pop(f"SAMVAD_CHURN_{i}", None)
    assert errors == []


IN_PROCESS_MAKERS = """
import sys
from samvad_dev.local import isolation
from samvad_dev.local.cloud import LocalCloud
with LocalCloud(stage="inproc", in_process=True):
    makers = {
        name: module.boto_client_for
        for name, module in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser") and hasattr(module, "boto_client_for")
    }
print(len(makers), sorted(n for n, m in makers.items() if m is not isolation._engine_client))
"""


def test_an_in_process_cloud_gives_the_engine_its_clients_too():
    """Given a fresh process (the demo's), When an in-process cloud has started there, Then
    every one of moto's Task integrations makes its clients with the local runtime's maker:
    before in-process clouds installed it, the demo's engine used moto's, which iterates
    ``os.environ``, and a case stalled now and again."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS_MAKERS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    count, others = done.stdout.split(" ", 1)
    assert int(count) > 5 and others.strip() == "[]"
