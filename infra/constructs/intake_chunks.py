"""Files beyond one Lambda: split → Distributed Map of chunk intakes → reduce, on Step Functions.

The intake function starts this state machine (instead of ingesting inline) for an upload over
the chunking threshold. States:

- ``Split`` (Lambda ``intake_split``): reads the upload once, writes the chunks (partitioned by
  visit key), the rejects part, ``chunks.json`` and the manifest under ``intake-chunks/``;
- ``Chunks`` (Distributed Map): its ItemReader reads ``chunks.json`` (a JSON array) from the
  data bucket; each item runs in an EXPRESS child execution that invokes ``intake_chunk`` with
  retries; at most ``max_concurrency`` chunks write at once; its results stay in S3 (each
  chunk writes ``<n>.result.json``), so the map's output is discarded;
- ``Reduce`` (Lambda ``intake_reduce``): one report, one rejects file, IntakeCompleted.

Any state's failure (after its retries) is caught: ``MarkFailed`` invokes ``intake_reduce``
with the error, which marks the upload FAILED in the ledger with the reason; the execution
then fails, so it can be redriven (every step is idempotent).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.constructs.function import XRAY_REASON, SamvadFunction, arn_ref, retained_logs
from infra.constructs.intake import Intake
from infra.constructs.nag import acknowledge
from infra.constructs.statements import (
    KMS_USE,
    key_statement,
    publish_events_statement,
    read_secrets_statement,
)
from infra.constructs.storage import DataStore
from samvad import resources

ON_DEMAND_TABLE_WCU = 40_000
"""DynamoDB's default per-table throughput limit for on-demand tables (write units/s)."""
VISIT_WRITE_UNITS = 3
"""A visit item (< 1 KB) costs one write unit on the table and one on each of its two indexes
(``unsampled``, ``by_visit_date``) that it is projected into."""
CHUNK_VISITS_PER_SECOND = 1_400
"""One chunk Lambda writes sequentially: per 100 visits one BatchGetItem and four
BatchWriteItem of 25, ~70 ms at DynamoDB's usual 10–20 ms a request (docs/intake.md)."""
HEADROOM = 0.8
"""Leave a fifth of the table's capacity to the rest of the system (sampler, dispatch)."""
CHUNKS_PREFIX_REASON = "chunk, result and manifest keys are derived from each upload's id."
CHUNK_TIMEOUT = cdk.Duration.minutes(4)  # under an EXPRESS child execution's 5 minutes
INVOKE_REASON = (
    "Added by LambdaInvoke: '<function ARN>:*' lets the state machine invoke the function's "
    "versions and aliases; limited to the three intake step functions."
)
ITEM_READER_REASON = (
    "Added by the Distributed Map's ItemReader (s3:GetObject on the bucket's objects): it "
    "reads chunks.json, whose key is known only at run time; an explicit Deny narrows it to "
    "the intake-chunks/ prefix."
)
MAP_REASON = (
    "Added by the Distributed Map: child executions of this state machine "
    "(states:DescribeExecution/StopExecution on its own executions)."
)
LOGS_REASON = (
    "Step Functions' CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, "
    "Describe*) does not support resource-level permissions; CDK adds it for the log group."
)


def max_concurrency(
    table_write_units: int = ON_DEMAND_TABLE_WCU,
    visits_per_chunk_second: int = CHUNK_VISITS_PER_SECOND,
    headroom: float = HEADROOM,
) -> int:
    """How many chunks may write at once without exceeding the table's write capacity.

    Each running chunk consumes ``visits_per_chunk_second × VISIT_WRITE_UNITS`` write units a
    second; ``headroom`` of the table's limit is shared out among them. With the defaults:
    0.8 × 40,000 / (1,400 × 3) = 7 chunks. The account's Lambda concurrency (1,000 by
    default) is never the bound.
    """
    per_chunk = visits_per_chunk_second * VISIT_WRITE_UNITS
    return max(1, int(table_write_units * headroom // per_chunk))


class IntakeChunks(Construct):
    """The three step functions and the state machine; wires the intake function to start it.

    ``table_write_units``: the Visits table's write capacity (on-demand: the account's
    per-table limit); ``max_concurrency`` of the Distributed Map is derived from it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        store: DataStore,
        layer: lambda_.ILayerVersion,
        functions_dir: Path,
        retention_days: int,
        intake: Intake,
        table_write_units: int = ON_DEMAND_TABLE_WCU,
    ) -> None:
        super().__init__(scope, id)
        self._store = store
        self.max_concurrency = max_concurrency(table_write_units)
        common = {
            "store": store,
            "layer": layer,
            "retention_days": retention_days,
        }
        self.split = SamvadFunction(
            self,
            "Split",
            name="intake_split",
            description="Samvad chunked intake: read an upload once, split it by visit key",
            code_dir=functions_dir / "intake_split",
            memory_size=2048,
            timeout=cdk.Duration.minutes(15),
            **common,
        )
        # Chunks are spooled to /tmp before they are put: ~300 bytes a visit, so 10 GB holds
        # a file of ~3 × 10⁷ rows.
        split_function = self.split.function.node.default_child
        split_function.add_property_override("EphemeralStorage", {"Size": 10240})
        self.chunk = SamvadFunction(
            self,
            "Chunk",
            name="intake_chunk",
            description="Samvad chunked intake: write one chunk's visits, once",
            code_dir=functions_dir / "intake_chunk",
            memory_size=1024,
            timeout=CHUNK_TIMEOUT,
            **common,
        )
        self.reduce = SamvadFunction(
            self,
            "Reduce",
            name="intake_reduce",
            description="Samvad chunked intake: one report and rejects file, or the failure",
            code_dir=functions_dir / "intake_reduce",
            memory_size=1024,
            timeout=cdk.Duration.minutes(5),
            **common,
        )
        self._grant(store)
        self.state_machine = self._state_machine(store)
        store.bucket.add_lifecycle_rule(
            id="expire-intake-chunks",
            prefix=resources.INTAKE_CHUNKS_PREFIX,
            expiration=cdk.Duration.days(14),  # as long as a redrive is possible; holds phones
        )
        intake.function.add_environment(
            resources.INTAKE_CHUNKS_STATE_MACHINE_ENV, self.state_machine.state_machine_arn
        )
        intake.add_statements(
            iam.PolicyStatement(
                sid="StartChunkedIntake",
                actions=["states:StartExecution"],
                resources=[self.state_machine.state_machine_arn],
            )
        )

    # -- permissions ------------------------------------------------------------------------

    def _grant(self, store: DataStore) -> None:
        bucket, tables = store.bucket, store.tables
        chunks = bucket.arn_for_objects(f"{resources.INTAKE_CHUNKS_PREFIX}*")
        uploads = bucket.arn_for_objects(f"{resources.UPLOADS_PREFIX}*")

        def table(sid: str, logical_id: str, *actions: str) -> iam.PolicyStatement:
            return iam.PolicyStatement(
                sid=sid, actions=list(actions), resources=[tables[logical_id].table_arn]
            )

        data_key = key_statement("UseDataKey", store.key, actions=(*KMS_USE, "kms:DescribeKey"))
        working = iam.PolicyStatement(
            sid="ReadAndWriteChunks", actions=["s3:GetObject", "s3:PutObject"], resources=[chunks]
        )
        self.split.add_statements(
            iam.PolicyStatement(
                sid="ReadUploads",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[uploads],
            ),
            working,
            table("TableConfig", "Config", "dynamodb:GetItem", "dynamodb:Query"),
            read_secrets_statement(
                "ReadPhoneHashAndSamplingKeys", store.phone_hash_secret, store.sampling_secret
            ),
            data_key,
        )
        self.split.acknowledge_object_prefixes(
            (resources.UPLOADS_PREFIX, resources.INTAKE_CHUNKS_PREFIX),
            reason=CHUNKS_PREFIX_REASON,
        )
        self.chunk.add_statements(
            working,
            table("TableVisits", "Visits", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
            table("TableUploads", "Uploads", "dynamodb:UpdateItem"),
            data_key,
        )
        self.chunk.acknowledge_object_prefixes(
            (resources.INTAKE_CHUNKS_PREFIX,), reason=CHUNKS_PREFIX_REASON
        )
        written = (
            resources.REJECTS_PREFIX,
            resources.QUARANTINE_PREFIX,
            resources.INTAKE_REPORTS_PREFIX,
        )
        self.reduce.add_statements(
            iam.PolicyStatement(sid="ReadChunks", actions=["s3:GetObject"], resources=[chunks]),
            iam.PolicyStatement(
                sid="QuarantineUploads",  # an unreadable file is moved aside (copy + delete)
                actions=["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject"],
                resources=[uploads],
            ),
            iam.PolicyStatement(
                sid="WriteRejectsQuarantineReports",
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in written],
            ),
            table("TableUploads", "Uploads", "dynamodb:GetItem", "dynamodb:UpdateItem"),
            table("TableStrata", "Strata", "dynamodb:BatchWriteItem"),
            table(
                "TableDirectory", "Directory", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"
            ),
            publish_events_statement(store),
            data_key,
        )
        self.reduce.acknowledge_object_prefixes(
            (resources.INTAKE_CHUNKS_PREFIX, resources.UPLOADS_PREFIX, *written),
            reason=CHUNKS_PREFIX_REASON,
        )

    # -- the state machine --------------------------------------------------------------------

    def _state_machine(self, store: DataStore) -> sfn.StateMachine:
        split = tasks.LambdaInvoke(
            self,
            "SplitUpload",
            state_name="Split",
            lambda_function=self.split.function,
            payload_response_only=True,
            retry_on_service_exceptions=True,
        )
        split.add_retry(
            errors=["States.TaskFailed"],
            interval=cdk.Duration.seconds(5),
            max_attempts=2,
            backoff_rate=2,
        )
        chunk = tasks.LambdaInvoke(
            self,
            "IngestChunk",
            state_name="IngestChunk",
            lambda_function=self.chunk.function,
            payload_response_only=True,
            retry_on_service_exceptions=True,
        )
        chunk.add_retry(  # throttling past the adapter's own retries, a timed-out chunk
            errors=["States.ALL"],
            interval=cdk.Duration.seconds(2),
            max_attempts=6,
            backoff_rate=2,
            max_delay=cdk.Duration.seconds(60),
            jitter_strategy=sfn.JitterType.FULL,
        )
        chunks = sfn.DistributedMap(
            self,
            "ChunkMap",
            state_name="Chunks",
            item_reader=sfn.S3JsonItemReader(
                bucket=store.bucket, key=sfn.JsonPath.string_at("$.items_key")
            ),
            max_concurrency=self.max_concurrency,
            map_execution_type=sfn.StateMachineType.EXPRESS,
            result_path=sfn.JsonPath.DISCARD,  # results are in S3; the reducer reads them
        )
        chunks.item_processor(chunk)  # mode DISTRIBUTED, EXPRESS children (map_execution_type)
        reduce = tasks.LambdaInvoke(
            self,
            "ReduceChunks",
            state_name="Reduce",
            lambda_function=self.reduce.function,
            payload_response_only=True,
            retry_on_service_exceptions=True,
        )
        reduce.add_retry(
            errors=["States.TaskFailed"],
            interval=cdk.Duration.seconds(5),
            max_attempts=3,
            backoff_rate=2,
        )
        failed = tasks.LambdaInvoke(
            self,
            "MarkUploadFailed",
            state_name="MarkFailed",
            lambda_function=self.reduce.function,
            payload_response_only=True,
            retry_on_service_exceptions=True,
        ).next(sfn.Fail(self, "IntakeFailed", state_name="Failed", error="ChunkedIntakeFailed"))
        for state in (split, chunks, reduce):
            state.add_catch(failed, errors=["States.ALL"], result_path="$.error")
        self.state_machine_logs = retained_logs(self, "StateMachineLogs", store.key)
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(split.next(chunks).next(reduce)),
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.state_machine_logs,
                level=sfn.LogLevel.ALL,
                include_execution_data=False,  # payloads hold keys and counts; keep them out
            ),
            comment="Samvad chunked intake: split → Distributed Map of chunks → reduce",
        )
        # the ItemReader reads chunks.json from the encrypted bucket
        machine.add_to_role_policy(key_statement("UseDataKey", store.key, actions=["kms:Decrypt"]))
        machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="OnlyTheChunksOfTheDataBucket",  # narrows the ItemReader's GetObject on /*
                effect=iam.Effect.DENY,
                actions=["s3:GetObject"],
                not_resources=[store.bucket.arn_for_objects(f"{resources.INTAKE_CHUNKS_PREFIX}*")],
            )
        )
        stack = cdk.Stack.of(self)
        own = stack.get_logical_id(machine.node.default_child)
        data = stack.get_logical_id(store.bucket.node.default_child)
        name = f'{{"Fn::Select":[6,{{"Fn::Split":[":",{{"Ref":"{own}"}}]}}]}}'
        region = "<AWS::Region>" if cdk.Token.is_unresolved(stack.region) else stack.region
        executions = f"arn:aws:states:{region}:<AWS::AccountId>:execution:{name}"
        for rule_id, reason in (
            ("AwsSolutions-IAM5[Resource::*]", f"{XRAY_REASON} {LOGS_REASON}"),
            (
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<{data}>/*]",
                ITEM_READER_REASON,
            ),
            (f"AwsSolutions-IAM5[Resource::{executions}:*]", MAP_REASON),
            (f"AwsSolutions-IAM5[Resource::{executions}/*:*]", MAP_REASON),
        ):
            acknowledge(machine, rule_id, reason=reason)
        for step in (self.split, self.chunk, self.reduce):
            acknowledge(
                machine.role,
                f"AwsSolutions-IAM5[Resource::{arn_ref(step.function)}:*]",
                reason=INVOKE_REASON,
            )
        return machine
