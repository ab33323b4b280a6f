"""Step Functions: start a case's escalation, resume a waiting task."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

TOKEN_GONE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}


class StepFunctionsTasks:
    """Start a case's execution; resume a waiting one with ``SendTaskSuccess``."""

    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
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
