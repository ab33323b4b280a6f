"""Intake: S3 ``uploads/`` → SQS → the intake function, with least-privilege IAM."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.storage import DataStore
from samvad import resources

ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc"]
WRITE_PREFIXES = (
    resources.REJECTS_PREFIX,
    resources.QUARANTINE_PREFIX,
    resources.INTAKE_REPORTS_PREFIX,
)
# Actions per table logical id: what the intake function does and nothing more.
TABLE_ACTIONS = {
    "Visits": ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
    "Uploads": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "Directory": ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
    "Config": ("dynamodb:GetItem", "dynamodb:Query"),
    "Strata": ("dynamodb:BatchWriteItem",),
}


def arn_ref(construct: Construct) -> str:
    """How cdk-nag spells the ``Arn`` attribute of ``construct`` in a finding id."""
    logical_id = cdk.Stack.of(construct).get_logical_id(construct.node.default_child)
    return f"<{logical_id}.Arn>"


class Intake(Construct):
    """The intake queue (with its DLQ), the S3 notification and the intake function."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        store: DataStore,
        layer: lambda_.ILayerVersion,
        code_dir: Path,
        retention_days: int,
    ) -> None:
        super().__init__(scope, id)
        key = store.queue_key
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            visibility_timeout=cdk.Duration.seconds(resources.INTAKE_QUEUE_VISIBILITY_SECONDS),
            retention_period=cdk.Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=resources.INTAKE_MAX_RECEIVES, queue=self.dead_letter_queue
            ),
        )
        # SqsDestination also lets s3.amazonaws.com use the queue's KMS key (key policy).
        store.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=resources.UPLOADS_PREFIX),
        )

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_YEAR,
            encryption_key=store.key,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Samvad intake function: least privilege, no managed policies",
        )
        self.log_group.grant_write(self.role)
        self._grant(store)

        environment = {
            spec.env_var: store.tables[spec.logical_id].table_name for spec in resources.TABLES
        }
        environment.update(
            {
                resources.DATA_BUCKET_ENV: store.bucket.bucket_name,
                resources.EVENT_BUS_ENV: store.bus.event_bus_name,
                resources.PHONE_HASH_SECRET_ENV: store.phone_hash_secret.secret_arn,
                resources.SAMPLING_SECRET_ENV: store.sampling_secret.secret_arn,
                resources.RETENTION_DAYS_ENV: str(retention_days),
                "POWERTOOLS_SERVICE_NAME": "intake",
                "POWERTOOLS_LOG_LEVEL": "INFO",
            }
        )
        self.function = lambda_.Function(
            self,
            "Function",
            code=lambda_.Code.from_asset(str(code_dir), exclude=ASSET_EXCLUDES),
            handler="handler.lambda_handler",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            memory_size=1024,
            timeout=cdk.Duration.minutes(15),
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            layers=[layer],
            role=self.role,
            environment=environment,
            description="Samvad intake: validate an uploaded visits file and load it",
        )
        self.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True)
        )
        self._acknowledge(store)

    def _grant(self, store: DataStore) -> None:
        bucket = store.bucket
        statements = [
            iam.PolicyStatement(
                sid="ReadAndRemoveUploads",
                actions=["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject"],
                resources=[bucket.arn_for_objects(f"{resources.UPLOADS_PREFIX}*")],
            ),
            iam.PolicyStatement(
                sid="WriteRejectsQuarantineReports",
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in WRITE_PREFIXES],
            ),
            *(
                iam.PolicyStatement(
                    sid=f"Table{logical_id}",
                    actions=list(actions),
                    resources=[store.tables[logical_id].table_arn],
                )
                for logical_id, actions in TABLE_ACTIONS.items()
            ),
            iam.PolicyStatement(
                sid="PublishEvents",
                actions=["events:PutEvents"],
                resources=[store.bus.event_bus_arn],
            ),
            iam.PolicyStatement(
                sid="ReadPhoneHashAndSamplingKeys",
                actions=["secretsmanager:GetSecretValue"],
                resources=[store.phone_hash_secret.secret_arn, store.sampling_secret.secret_arn],
            ),
            iam.PolicyStatement(
                sid="UseDataKey",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[store.key.key_arn],
            ),
        ]
        for statement in statements:
            self.role.add_to_policy(statement)

    def _acknowledge(self, store: DataStore) -> None:
        bucket = arn_ref(store.bucket)
        prefixes = (resources.UPLOADS_PREFIX, *WRITE_PREFIXES)
        for prefix in prefixes:
            cdk.Validations.of(self.role).acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]",
                    reason=f"Object-level access limited to the {prefix} prefix of the data "
                    "bucket; object keys are not known in advance.",
                )
            )
        cdk.Validations.of(self.role).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Added by tracing=ACTIVE: xray:PutTraceSegments and "
                "xray:PutTelemetryRecords do not support resource-level permissions.",
            )
        )
        cdk.Validations.of(self.function).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-L1",
                reason="Python 3.13 is the project's pinned runtime: the layer's wheels are "
                "built for cp313 and the code is tested on it; upgrades are deliberate.",
            )
        )
