"""Intake: S3 ``uploads/`` → SQS → the intake function, with least-privilege IAM."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import work_queue
from infra.constructs.statements import (
    KMS_USE,
    key_statement,
    publish_events_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from samvad import resources

WRITE_PREFIXES = (
    resources.REJECTS_PREFIX,
    resources.QUARANTINE_PREFIX,
    resources.INTAKE_REPORTS_PREFIX,
)
# Actions per table logical id: what intake (files and the push API) does and nothing more.
TABLE_ACTIONS = {
    "Visits": ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
    "Uploads": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "Directory": ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
    "Config": ("dynamodb:GetItem", "dynamodb:Query"),
    "Strata": ("dynamodb:BatchWriteItem",),
}


class Intake(SamvadFunction):
    """The intake queue (with its DLQ), the S3 notification and the intake function.

    The function, its role and log group come from ``SamvadFunction``.
    """

    def __init__(self, scope: Construct, id: str, **common: Unpack[FunctionArgs]) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="intake",
            description="Samvad intake: validate an uploaded visits file and load it",
            memory_size=1024,
            timeout=cdk.Duration.minutes(15),
            **common,
        )
        self.queue, self.dead_letter_queue = work_queue(
            self,
            "",
            key=store.queue_key,
            visibility_timeout=cdk.Duration.seconds(resources.INTAKE_QUEUE_VISIBILITY_SECONDS),
            max_receives=resources.INTAKE_MAX_RECEIVES,
        )
        # SqsDestination also lets s3.amazonaws.com use the queue's KMS key (key policy).
        store.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=resources.UPLOADS_PREFIX),
        )

        self.add_statements(*self._statements(store))
        self.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True)
        )
        self.acknowledge_object_prefixes(
            (resources.UPLOADS_PREFIX, *WRITE_PREFIXES),
            reason="object keys are not known in advance.",
        )

    @staticmethod
    def _statements(store: DataStore) -> list[iam.PolicyStatement]:
        bucket = store.bucket
        return [
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
            *table_statements(store, TABLE_ACTIONS),
            publish_events_statement(store),
            read_secrets_statement(
                "ReadPhoneHashAndSamplingKeys", store.phone_hash_secret, store.sampling_secret
            ),
            key_statement("UseDataKey", store.key, actions=(*KMS_USE, "kms:DescribeKey")),
        ]
