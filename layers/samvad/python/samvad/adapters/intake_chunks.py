"""Adapters of the chunked intake: small S3 reads, the ledger's progress, the state machine.

New module (the existing adapters are being reorganised): each class extends the inline
intake's adapter with what the chunked path needs and nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json

from samvad.adapters.aws import client as make_client
from samvad.adapters.dynamo import DynamoLedger
from samvad.adapters.s3 import S3ObjectStore
from samvad.intake.chunking import Chunking
from samvad.intake.service import Upload


class S3ChunkObjects(S3ObjectStore):
    """``S3ObjectStore`` plus ``find``: a small object's bytes, or None when it is absent."""

    def find(self, bucket: str, key: str) -> bytes | None:
        try:
            return self._client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self._client.exceptions.NoSuchKey:
            return None


class DynamoChunkLedger(DynamoLedger):
    """``DynamoLedger`` plus a chunked upload's progress and failure.

    Progress is a number set of the chunks done (``ADD`` of a set member is idempotent, so a
    retried chunk counts once) and ``chunks``, the number of chunks.
    """

    def chunk_done(self, upload_id: str, chunk: int, chunks: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET chunks = :n ADD chunks_done :c",
            ExpressionAttributeValues={":n": {"N": str(chunks)}, ":c": {"NS": [str(chunk)]}},
        )

    def failed(self, upload_id: str, reason: str) -> None:
        """Mark FAILED with the reason, unless the upload completed meanwhile (then no-op)."""
        # a finished upload stays finished: its report stands
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._mark_failed(upload_id, reason)

    def _mark_failed(self, upload_id: str, reason: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"upload_id": {"S": upload_id}},
            UpdateExpression="SET #s = :s, failure = :r",
            ConditionExpression="attribute_not_exists(#s) OR #s <> :done",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": "FAILED"},
                ":r": {"S": reason},
                ":done": {"S": "COMPLETED"},
            },
        )

    def progress(self, upload_id: str) -> tuple[int, int]:
        """(chunks done, chunks): what a person watching the upload sees."""
        item = self._client.get_item(
            TableName=self._table, Key={"upload_id": {"S": upload_id}}, ConsistentRead=True
        ).get("Item", {})
        return len(item.get("chunks_done", {}).get("NS", [])), int(
            item.get("chunks", {}).get("N", "0")
        )


class StepFunctionsChunks:
    """Starts the split → map → reduce state machine for an upload.

    The execution is named after the upload id, so a redelivered S3 event starts nothing new
    (``ExecutionAlreadyExists`` for a different input never happens: the input is the upload).
    """

    def __init__(self, state_machine_arn: str, client=None):
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
