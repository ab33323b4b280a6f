"""The analytics lake: the exporter function (own layer), its rule → queue and daily schedule,
the Glue Data Catalog (partition projection, no crawler), the Athena workgroup and the saved
queries as named queries."""

from __future__ import annotations

from pathlib import Path
from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import (
    events_to_function,
    on_failure_queue,
    work_queue,
)
from infra.constructs.schedules import SCHEDULED_TIME, Invocation, scheduled_invoke
from infra.constructs.statements import key_statement, object_statements
from infra.constructs.storage import DataStore
from infra.lake_layer_build import build_lake_layer
from samvad import resources
from samvad.lake import schema
from samvad.lake.facts import lake_pattern
from samvad.lake.saved import saved_queries

FUNCTION_TIMEOUT = cdk.Duration.minutes(15)
QUEUE_VISIBILITY = cdk.Duration.minutes(90)  # six times the function's timeout
ATHENA_RESULTS_PREFIX = "athena-results/"
BYTES_SCANNED_CUTOFF = 10 * 1024**3
"""Athena cancels any query of the workgroup that would scan more than 10 GiB (≈ $0.05)."""
RESULTS_EXPIRY = cdk.Duration.days(30)
BUFFER_EXPIRY = cdk.Duration.days(30)
PROJECTION_START = "2026-01-01"
OBJECT_ACTIONS = {
    resources.LAKE_BUFFER_PREFIX: ("s3:PutObject", "s3:GetObject"),
    resources.LAKE_PREFIX: ("s3:PutObject", "s3:DeleteObject"),
    resources.SAMPLES_PREFIX: ("s3:GetObject",),
}
PARQUET = {
    "input_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "output_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "serde": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
}


def lake_layer(scope: Construct, id: str, *, repo_root: Path) -> lambda_.LayerVersion:
    """The exporter's own layer (``infra.lake_layer_build``): samvad, Powertools, pyarrow."""
    return lambda_.LayerVersion(
        scope,
        id,
        code=lambda_.Code.from_asset(
            str(build_lake_layer(repo_root)), exclude=["**/__pycache__", "**/*.pyc"]
        ),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description="samvad with pyarrow, for the lake exporter only",
    )


class Lake(SamvadFunction):
    """The lake exporter and its catalog.

    ``rule`` sends the facts' domain events (``lake_pattern``) to ``queue`` → ``function``,
    which buffers a batch's facts under ``lake-buffer/`` (an object per table and day);
    ``schedule`` (06:30 India time) exports the last ``LAKE_EXPORT_DAYS`` days to
    ``lake/<table>/date=…/``. ``database`` holds one Glue table per ``schema.TABLES`` entry
    with partition projection on ``date``; ``workgroup`` enforces SSE-KMS results under
    ``athena-results/`` and a bytes-scanned limit; each saved query is a named query in it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="lake",
            description="Samvad lake: buffer facts from domain events; export days as Parquet",
            memory_size=1024,
            timeout=FUNCTION_TIMEOUT,
            **common,
        )
        self.layer = common["layer"]
        self._queues(store)
        self.rule, self.rule_dead_letter_queue = events_to_function(
            self,
            "FactsRule",
            bus=store.bus,
            pattern=lake_pattern(),
            description="Samvad: domain events the lake keeps as facts",
            queue=self.queue,
            function=self.function,
            key=store.queue_key,
            name="facts",
            batch_size=resources.EVENTS_BATCH_SIZE,  # a batch's facts share their objects
        )
        self.add_statements(*self._statements(store))
        self.acknowledge_object_prefixes(
            OBJECT_ACTIONS, reason="one object per batch, table and day, not known in advance."
        )
        self._schedule(store)
        self.async_failures = on_failure_queue(
            self, self.function, self.role, key=store.queue_key, invoked_by="the lake schedule"
        )
        for prefix, expiry in (
            (resources.LAKE_BUFFER_PREFIX, BUFFER_EXPIRY),
            (ATHENA_RESULTS_PREFIX, RESULTS_EXPIRY),
        ):
            store.bucket.add_lifecycle_rule(
                id=f"expire-{prefix.rstrip('/')}", prefix=prefix, expiration=expiry
            )
        self._catalog(store, stage)
        self._workgroup(store, stage)

    # -- the exporter's queue, permissions and schedule ----------------------------------------

    def _queues(self, store: DataStore) -> None:
        self.queue, self.dead_letter_queue = work_queue(
            self,
            "",
            key=store.queue_key,
            visibility_timeout=QUEUE_VISIBILITY,
            max_receives=resources.LAKE_MAX_RECEIVES,
        )

    def _statements(self, store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *object_statements(store, OBJECT_ACTIONS),
            iam.PolicyStatement(
                sid="ListLakePrefixes",
                actions=["s3:ListBucket"],
                resources=[store.bucket.bucket_arn],
                conditions={
                    "StringLike": {
                        "s3:prefix": [
                            f"{resources.LAKE_BUFFER_PREFIX}*",
                            f"{resources.LAKE_PREFIX}*",
                            f"{resources.SAMPLES_PREFIX}*",  # is the day's selection there?
                        ]
                    }
                },
            ),
            key_statement("UseDataKey", store.key),
        ]

    def _schedule(self, store: DataStore) -> None:
        scheduled = scheduled_invoke(
            self,
            self.function,
            [
                Invocation(
                    "DailySchedule",
                    resources.LAKE_SCHEDULE,
                    {"scheduled_time": SCHEDULED_TIME},
                    "export the last days' facts to the lake as Parquet",
                )
            ],
            key=store.queue_key,
            name="lake",
            time_zone=resources.REPORTS_TIMEZONE,
            retry_attempts=3,
            max_event_age=cdk.Duration.hours(2),
        )
        self.schedule_role = scheduled.role
        self.schedule_dead_letter_queue = scheduled.dead_letter_queue
        self.schedule = scheduled.schedules["DailySchedule"]

    # -- Glue Data Catalog and Athena ------------------------------------------------------

    def _catalog(self, store: DataStore, stage: str) -> None:
        stack = cdk.Stack.of(self)
        self.database_name = f"samvad_{stage}_lake".replace("-", "_")
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="Samvad's pseudonymised daily facts (docs/analytics.md)",
            ),
        )
        self.tables: dict[str, glue.CfnTable] = {}
        for table, table_schema in schema.TABLES.items():
            location = f"s3://{store.bucket.bucket_name}/{resources.LAKE_PREFIX}{table}/"
            glue_table = glue.CfnTable(
                self,
                f"Table{table.title().replace('_', '')}",
                catalog_id=stack.account,
                database_name=self.database_name,
                table_input=glue.CfnTable.TableInputProperty(
                    name=table,
                    description=f"Samvad lake: {table} (docs/analytics.md)",
                    table_type="EXTERNAL_TABLE",
                    parameters={
                        "classification": "parquet",
                        "EXTERNAL": "TRUE",
                        "projection.enabled": "true",
                        f"projection.{schema.PARTITION_COLUMN}.type": "date",
                        f"projection.{schema.PARTITION_COLUMN}.format": "yyyy-MM-dd",
                        f"projection.{schema.PARTITION_COLUMN}.range": f"{PROJECTION_START},NOW",
                        f"projection.{schema.PARTITION_COLUMN}.interval": "1",
                        f"projection.{schema.PARTITION_COLUMN}.interval.unit": "DAYS",
                        "storage.location.template": (
                            f"{location}{schema.PARTITION_COLUMN}=${{{schema.PARTITION_COLUMN}}}/"
                        ),
                    },
                    partition_keys=[
                        glue.CfnTable.ColumnProperty(name=schema.PARTITION_COLUMN, type="string")
                    ],
                    storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                        location=location,
                        input_format=PARQUET["input_format"],
                        output_format=PARQUET["output_format"],
                        serde_info=glue.CfnTable.SerdeInfoProperty(
                            serialization_library=PARQUET["serde"]
                        ),
                        columns=[
                            glue.CfnTable.ColumnProperty(name=name, type=type_)
                            for name, type_ in schema.glue_columns(table_schema)
                        ],
                    ),
                ),
            )
            glue_table.add_dependency(self.database)
            self.tables[table] = glue_table

    def _workgroup(self, store: DataStore, stage: str) -> None:
        self.workgroup_name = f"samvad-{stage}-lake"
        bucket: s3.IBucket = store.bucket
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="Samvad lake queries: encrypted results, bytes-scanned limit enforced",
            state="ENABLED",
            recursive_delete_option=False,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                publish_cloud_watch_metrics_enabled=True,
                requester_pays_enabled=False,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{bucket.bucket_name}/{ATHENA_RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=store.key.key_arn
                    ),
                ),
            ),
        )
        self.named_queries: dict[str, athena.CfnNamedQuery] = {}
        for name, query in saved_queries().items():
            named = athena.CfnNamedQuery(
                self,
                f"Query{name.title().replace('_', '')}",
                name=name,
                database=self.database_name,
                work_group=self.workgroup.ref,
                description=query.description[:1024],
                query_string=query.sql(),
            )
            named.add_dependency(self.database)
            self.named_queries[name] = named
