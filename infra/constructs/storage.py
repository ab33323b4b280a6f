"""Storage: KMS keys, the data bucket, the DynamoDB tables, the event bus and the secrets."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.nag import acknowledge
from samvad import resources

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
RETAIN = cdk.RemovalPolicy.RETAIN


def _attribute(spec: resources.TableSpec, name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[spec.key_type(name)])


class DataStore(Construct):
    """Everything that holds data, encrypted with the customer-managed ``key``.

    ``queue_key`` is a second key for SQS queues: S3 must be allowed to use the key of a queue
    it notifies, and that grant names the bucket, so one key for both would be a dependency
    cycle (bucket → key → bucket) and would open the data key to the S3 service.

    Attributes: ``key``, ``queue_key``, ``bucket``, ``access_log_bucket``, ``tables`` (by
    ``logical_id``, each with the GSIs of its spec), ``bus``, ``phone_hash_secret`` and
    ``sampling_secret`` (the sampling master key) and ``link_secret`` (signs feedback links).
    """

    def __init__(self, scope: Construct, id: str, *, stage: str, retention_days: int) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/samvad-{stage}",
            description=f"Samvad {stage}: data at rest (S3, DynamoDB, logs, secrets)",
            enable_key_rotation=True,
            removal_policy=RETAIN,
        )
        self.queue_key = kms.Key(
            self,
            "QueueKey",
            alias=f"alias/samvad-{stage}-queues",
            description=f"Samvad {stage}: SQS messages (S3 notifications, work queues)",
            enable_key_rotation=True,
            removal_policy=RETAIN,
        )
        # CloudWatch Logs encrypts the functions' log groups with this key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        self.access_log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # log delivery cannot use SSE-KMS
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-logs",
                    expiration=cdk.Duration.days(retention_days),
                    noncurrent_version_expiration=cdk.Duration.days(30),
                )
            ],
            removal_policy=RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Data",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="data/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="noncurrent-versions",
                    noncurrent_version_expiration=cdk.Duration.days(30),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                ),
                *(
                    s3.LifecycleRule(
                        id=f"expire-{prefix.rstrip('/')}",
                        prefix=prefix,
                        expiration=cdk.Duration.days(retention_days),
                    )
                    for prefix in resources.RETAINED_PREFIXES
                ),
                s3.LifecycleRule(
                    id="expire-cases",
                    prefix=resources.CASE_FILES_PREFIX,
                    expiration=cdk.Duration.days(resources.CASE_RETENTION_DAYS),
                ),
            ],
            removal_policy=RETAIN,
        )
        self.tables: dict[str, dynamodb.Table] = {
            spec.logical_id: self._table(spec) for spec in resources.TABLES
        }
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"samvad-{stage}")
        self.phone_hash_secret = self._stable_secret(
            "PhoneHashSecret",
            description=f"Samvad {stage}: HMAC key for phone-number hashes (joins, opt-outs)",
            why_not_rotated="The phone-hash HMAC key must stay stable: rotating it would change "
            "every stored phone_hash and break contact joins, dedup and the STOP registry.",
        )
        self.sampling_secret = self._stable_secret(
            "SamplingSecret",
            description=f"Samvad {stage}: sampling master key (day secrets are HMACs of it)",
            why_not_rotated="The sampling master key must stay stable: rotating it would change "
            "the scores of visits already written for upcoming sampling days and break "
            "verification of published samples. Day secrets are derived from it by HMAC "
            "and revealed one day at a time, so the master key itself is never published.",
        )
        self.link_secret = self._stable_secret(
            "LinkSigningKey",
            secret_name=f"samvad/{stage}/link-signing-key",
            description=f"Samvad {stage}: HMAC key that signs the feedback links sent by SMS",
            why_not_rotated="Rotating the link-signing key would invalidate every feedback link "
            "already sent by SMS and not yet expired. Links are single-use and expire within "
            "days, so a key change is a planned step between survey rounds, not a rotation.",
        )

    def _stable_secret(
        self, id: str, *, description: str, why_not_rotated: str, secret_name: str | None = None
    ):
        """A generated 64-character key, encrypted with the data key, kept on deletion and
        deliberately never rotated (the cdk-nag finding acknowledged with ``why_not_rotated``)."""
        secret = secretsmanager.Secret(
            self,
            id,
            secret_name=secret_name,
            description=description,
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=64
            ),
            removal_policy=RETAIN,
        )
        acknowledge(secret, "AwsSolutions-SMG4", reason=why_not_rotated)
        return secret

    def _table(self, spec: resources.TableSpec) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.logical_id,
            partition_key=_attribute(spec, spec.partition_key),
            sort_key=_attribute(spec, spec.sort_key) if spec.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=True,
            removal_policy=RETAIN,
        )
        for index in spec.indexes:
            if index.projection is None:
                projection = {"projection_type": dynamodb.ProjectionType.ALL}
            elif not index.projection:
                projection = {"projection_type": dynamodb.ProjectionType.KEYS_ONLY}
            else:
                projection = {
                    "projection_type": dynamodb.ProjectionType.INCLUDE,
                    "non_key_attributes": list(index.projection),
                }
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(spec, index.partition_key),
                sort_key=_attribute(spec, index.sort_key) if index.sort_key else None,
                **projection,
            )
        return table
