"""Step Functions: start a case's escalation, resume a waiting task; start a chunked intake."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

if TYPE_CHECKING:
    from samvad.intake.chunking import Chunking
    from samvad.intake.service import Upload

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


class StepFunctionsChunks:
    """Starts the split → map → reduce state machine for an upload.

    The execution is named after the upload id, so a redelivered S3 event starts nothing new
    (``ExecutionAlreadyExists`` for a different input never happens: the input is the upload).
    """

    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self._arn = state_machine_arn
        self._client = make_client("stepfunctions", client)

    def start(self, upload: Upload, chunking: Chunking) -> dict:
        name = hashlib.sha256(upload.upload_id.encode()).hexdigest()[:64]
        document = {"upload": dataclasses.asdict(upload), "chunking": chunking.as_dict()}
        try:
            execution = self._client.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(document)
            )["executionArn"]
        except self._client.exceptions.ExecutionAlreadyExists:
            execution = f"{self._arn.replace(':stateMachine:', ':execution:')}:{name}"
        return {"upload_id": upload.upload_id, "chunked": True, "execution": execution}
