"""``SamvadFunction``: one Samvad Lambda function with its log group, role and cdk-nag notes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypedDict

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.nag import acknowledge
from infra.constructs.storage import DataStore
from samvad import resources
from samvad.settings import FUNCTION_SETTINGS

ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc"]
HANDLER = "handler.lambda_handler"
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
XRAY_REASON = (
    "Added by tracing=ACTIVE: xray:PutTraceSegments and "
    "xray:PutTelemetryRecords do not support resource-level permissions."
)
SMS_REASON = (
    "sns:Publish to a phone number (SMS) has no resource ARN and no condition key narrows it, "
    "so it is granted on *; a Deny on every SNS ARN (NoTopicPublish) keeps the role from any "
    "topic."
)
RUNTIME_REASON = (
    "Python 3.13 is the project's pinned runtime: the layer's wheels are "
    "built for cp313 and the code is tested on it; upgrades are deliberate."
)


class FunctionArgs(TypedDict):
    """The arguments every ``SamvadFunction`` subclass takes from the stack and passes on."""

    store: DataStore
    layer: lambda_.ILayerVersion
    code_dir: Path
    retention_days: int


def sms_only_publish() -> list[iam.PolicyStatement]:
    """``sns:Publish`` to phone numbers (SMS) and to nothing else.

    A direct SMS has no resource ARN, so IAM authorises it on ``*`` and no condition key
    narrows it; allowed on ``*``, the role could also publish to every SNS topic (and mobile
    endpoint) whose key it holds. The Deny on every SNS ARN (``arn:<partition>:sns:*:*:*``)
    takes that back: what remains is publishing to a phone number.
    """
    return [
        iam.PolicyStatement(sid="SendSms", actions=["sns:Publish"], resources=["*"]),
        iam.PolicyStatement(
            sid="NoTopicPublish",
            effect=iam.Effect.DENY,
            actions=["sns:Publish"],
            resources=[f"arn:{cdk.Aws.PARTITION}:sns:*:*:*"],
        ),
    ]


def retained_logs(scope: Construct, id: str, key: kms.IKey) -> logs.LogGroup:
    """A log group ``id`` kept ``LOG_RETENTION``, encrypted with ``key``, retained on delete."""
    return logs.LogGroup(
        scope,
        id,
        retention=LOG_RETENTION,
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


def arn_ref(construct: Construct) -> str:
    """How cdk-nag spells the ``Arn`` attribute of ``construct`` in a finding id."""
    logical_id = cdk.Stack.of(construct).get_logical_id(construct.node.default_child)
    return f"<{logical_id}.Arn>"


class SamvadFunction(Construct):
    """A Samvad Lambda function and the scaffolding every one of them shares.

    Its children:

    - ``Logs`` → ``log_group``: one year, encrypted with the data key, retained on delete.
    - ``Role`` → ``role``: assumed by Lambda, no managed policies; it may write to
      ``log_group`` and (through tracing) to X-Ray, and holds nothing else until
      ``add_statements`` grants it.
    - ``Function`` → ``function``: ``code_dir`` (``functions/<name>``, without bytecode) with
      ``handler.lambda_handler`` on Python 3.13/arm64, JSON logs to ``log_group``, active
      X-Ray tracing and the shared layer. Its environment names, of the stack's tables,
      data bucket, event bus, secrets and retention, those the function's settings class
      reads (``samvad.settings.FUNCTION_SETTINGS[name]``; all of them for a ``name``
      without one), Powertools' service ``name``, then ``environment``.

    It acknowledges the cdk-nag findings that come with every function (X-Ray's ``*``, the
    pinned runtime); ``acknowledge_object_prefixes`` adds the per-prefix S3 ones.

    Use it as a child (``SamvadFunction(self, "Notify", …)``), or subclass it when a
    capability is built around one function, as ``Intake`` and ``Sampler`` do: the children
    then sit directly under the capability (``Intake/Function``, ``Intake/Role``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        description: str,
        store: DataStore,
        layer: lambda_.ILayerVersion,
        code_dir: Path,
        retention_days: int,
        memory_size: int,
        timeout: cdk.Duration,
        environment: Mapping[str, str] | None = None,
        reserved_concurrent_executions: int | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._store = store
        self.log_group = retained_logs(self, "Logs", store.key)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Samvad {name} function: least privilege, no managed policies",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            code=lambda_.Code.from_asset(str(code_dir), exclude=ASSET_EXCLUDES),
            handler=HANDLER,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            memory_size=memory_size,
            timeout=timeout,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            layers=[layer],
            role=self.role,
            environment=self._environment(name, retention_days, environment or {}),
            reserved_concurrent_executions=reserved_concurrent_executions,
            description=description,
        )
        acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", reason=XRAY_REASON)
        acknowledge(self.function, "AwsSolutions-L1", reason=RUNTIME_REASON)

    def _environment(
        self, name: str, retention_days: int, extra: Mapping[str, str]
    ) -> dict[str, str]:
        store = self._store
        shared = {
            spec.env_var: store.tables[spec.logical_id].table_name for spec in resources.TABLES
        }
        shared.update(
            {
                resources.DATA_BUCKET_ENV: store.bucket.bucket_name,
                resources.EVENT_BUS_ENV: store.bus.event_bus_name,
                resources.PHONE_HASH_SECRET_ENV: store.phone_hash_secret.secret_arn,
                resources.SAMPLING_SECRET_ENV: store.sampling_secret.secret_arn,
                resources.RETENTION_DAYS_ENV: str(retention_days),
            }
        )
        # Only what the function reads (samvad.settings); a function without a settings
        # class there still gets every shared resource.
        settings = FUNCTION_SETTINGS.get(name)
        if settings is not None:
            shared = {k: v for k, v in shared.items() if k in settings.env_names()}
        return {
            **shared,
            "POWERTOOLS_SERVICE_NAME": name,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            **extra,
        }

    def http_integration(self) -> integrations.HttpLambdaIntegration:
        """The function behind HTTP API routes: integration ``Handler``, payload format 2.0."""
        return integrations.HttpLambdaIntegration(
            "Handler",
            self.function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )

    def add_statements(self, *statements: iam.PolicyStatement) -> None:
        """Grant ``statements`` to the function's role (its default policy), in order."""
        for statement in statements:
            self.role.add_to_policy(statement)

    def allow_sms(self, what: str) -> None:
        """Let the function text phone numbers (``what``: which SMS, for the cdk-nag note) and
        publish to nothing else on SNS (``sms_only_publish``)."""
        self.add_statements(*sms_only_publish())
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            reason=f"{XRAY_REASON} SMS ({what}): {SMS_REASON}",
        )

    def acknowledge_object_prefixes(self, prefixes: Iterable[str], *, reason: str) -> None:
        """Acknowledge cdk-nag's IAM5 for ``<data bucket ARN>/<prefix>*`` on each prefix.

        The recorded reason is "Object-level access limited to the <prefix> prefix of the data
        bucket; <reason>": say why the object keys cannot be named in advance.
        """
        bucket = arn_ref(self._store.bucket)
        for prefix in prefixes:
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]",
                reason=f"Object-level access limited to the {prefix} prefix of the data "
                f"bucket; {reason}",
            )
