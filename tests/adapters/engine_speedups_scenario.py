"""Executions of one state machine on moto's engine, their histories printed as JSON: run by
``test_engine_speedups.py`` in two processes, with and without ``engine_speedups.install()``,
whose outputs must be equal. ``python engine_speedups_scenario.py [patched]``.

The definition has what a program could carry from one execution to the next if it were
shared: a ``Retry`` (whose attempts moto counts under the retrier's ``heap_key``), a
``Pass`` whose ``Result`` is a map that the next state reads and replaces, a ``Choice``,
intrinsics, a Task that succeeds (``dynamodb:putItem``) and one that fails into a ``Catch``;
four executions at once, two down each branch. Request ids, random, are left out.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

import boto3
from moto import mock_aws

REGION = "ap-south-1"
TABLE = "t"
DEFINITION = {
    "StartAt": "Seed",
    "States": {
        "Seed": {
            "Type": "Pass",
            "Result": {"tags": ["first"], "count": 1},
            "ResultPath": "$.seeded",
            "Next": "Extend",
        },
        "Extend": {
            "Type": "Pass",
            "Parameters": {
                "tags.$": "States.Array($.seeded.tags[0], $.name)",
                "count.$": "States.MathAdd($.seeded.count, $.n)",
            },
            "ResultPath": "$.seeded",
            "Next": "Which",
        },
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Fails"}],
            "Default": "Write",
        },
        "Write": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {
                "TableName": TABLE,
                "Item": {"pk": {"S.$": "$.name"}, "count": {"N.$": "States.Format('{}', $.n)"}},
            },
            "ResultPath": None,
            "Next": "Done",
        },
        "Fails": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {
                "TableName": "no-such-table",
                "Key": {"pk": {"S.$": "$.name"}},
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "1"}},
            },
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


def _stable(event: dict) -> dict:
    """A history event without its timestamp."""
    return {k: v for k, v in event.items() if k not in ("timestamp", "ResponseMetadata")}


def run() -> dict:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sfn = boto3.client("stepfunctions", region_name=REGION)
        arn = sfn.create_state_machine(
            name="scenario",
            definition=json.dumps(DEFINITION),
            roleArn="arn:aws:iam::123456789012:role/scenario",
        )["stateMachineArn"]
        inputs = [("a", 1), ("b", 2), ("c", 1), ("d", 3)]
        executions = {}
        for name, n in inputs:
            executions[name] = sfn.start_execution(
                stateMachineArn=arn, name=name, input=json.dumps({"name": name, "n": n})
            )["executionArn"]
        results: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        for name, execution in executions.items():
            while (described := sfn.describe_execution(executionArn=execution))[
                "status"
            ] == "RUNNING" and time.monotonic() < deadline:
                time.sleep(0.05)
            history = sfn.get_execution_history(executionArn=execution)["events"]
            results[name] = {
                "status": described["status"],
                "output": json.loads(described.get("output", "null")),
                "history": [_stable(e) for e in history],
            }
        items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
        results["items"] = sorted(items, key=lambda item: item["pk"]["S"])
        return results


if __name__ == "__main__":
    if sys.argv[1:] == ["patched"]:
        from samvad_dev.local import engine_speedups

        engine_speedups.install()
    printed = json.dumps(run(), default=str, sort_keys=True)
    print(re.sub(r"Request ID: \w+", "Request ID: …", printed))
