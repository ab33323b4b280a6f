"""``SamvadStack``: composes the constructs, one per capability."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.bridge_flow import BridgeFlow
from infra.constructs.bus_policy import restrict_publishers
from infra.constructs.connect import SurveyFlow, connect_settings
from infra.constructs.context import comma_separated
from infra.constructs.edge import PublicEdge
from infra.constructs.erasure import Erasure
from infra.constructs.escalation import Escalation
from infra.constructs.feedback import Feedback
from infra.constructs.identity import Identity
from infra.constructs.inbound_ivr import InboundIvr, recordings_setting
from infra.constructs.intake import Intake
from infra.constructs.intake_api import IntakeApi
from infra.constructs.intake_chunks import IntakeChunks
from infra.constructs.lake import Lake, lake_layer
from infra.constructs.layer import SamvadLayer
from infra.constructs.monitoring import DEFAULT_SMS_SPEND_LIMIT_USD, Monitoring
from infra.constructs.nag import acknowledge
from infra.constructs.notify import Notify
from infra.constructs.push_roles import PushRoles, push_principals_setting
from infra.constructs.reports import Reports
from infra.constructs.sampler import Sampler
from infra.constructs.scheme_broadcast import SchemeBroadcast
from infra.constructs.signin_audit import SignInAudit
from infra.constructs.storage import DataStore
from infra.constructs.uploads import DepartmentUploads, departments_setting
from infra.constructs.workspace import Workspace
from samvad import resources
from samvad.intake.departments import default_departments

REPO_ROOT = Path(__file__).resolve().parents[1]
# CDK's singleton Lambda that applies S3 notification configurations.
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


def sampler_schedule(value: Any) -> tuple[str, str]:
    """The sampler's (schedule expression, time zone) from the ``sampler_schedule`` context.

    Unset: ``resources.SAMPLER_SCHEDULE`` in ``resources.SAMPLER_TIMEZONE``. A string is an
    expression (``cron(…)``, ``rate(…)``) in the default time zone, or a JSON object; an object
    may set ``expression`` and ``time_zone`` (an IANA name), e.g.
    ``-c 'sampler_schedule={"expression": "cron(30 8 * * ? *)", "time_zone": "UTC"}'``.
    """
    if value is None or value == "":
        value = {}
    elif isinstance(value, str):
        value = json.loads(value) if value.lstrip().startswith("{") else {"expression": value}
    if not isinstance(value, dict) or set(value) - {"expression", "time_zone"}:
        raise ValueError(f"sampler_schedule: expected an expression or an object, got {value!r}")
    return (
        str(value.get("expression") or resources.SAMPLER_SCHEDULE),
        str(value.get("time_zone") or resources.SAMPLER_TIMEZONE),
    )


class SamvadStack(cdk.Stack):
    """All of Samvad for one ``stage`` (dev, prod …)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str = "dev",
        retention_days: int = 400,
        repo_root: Path = REPO_ROOT,
        edge_web_acl_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self._edge_web_acl_arn = edge_web_acl_arn  # the optional edge (infra.constructs.edge)
        cdk.Tags.of(self).add("project", "samvad")
        cdk.Tags.of(self).add("stage", stage)
        self.store = DataStore(self, "Storage", stage=stage, retention_days=retention_days)
        self.layer = SamvadLayer(self, "Layer", repo_root=repo_root)
        self.intake = Intake(
            self,
            "Intake",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "intake",
            retention_days=retention_days,
        )
        self.intake_api = IntakeApi(
            self,
            "IntakeApi",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "intake_api",
            retention_days=retention_days,
        )
        self.intake_chunks = IntakeChunks(
            self,
            "IntakeChunks",
            store=self.store,
            layer=self.layer.layer_version,
            functions_dir=repo_root / "functions",
            retention_days=retention_days,
            intake=self.intake,
        )
        expression, time_zone = sampler_schedule(self.node.try_get_context("sampler_schedule"))
        self.sampler = Sampler(
            self,
            "Sampler",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "sampling",
            retention_days=retention_days,
            schedule_expression=expression,
            time_zone=time_zone,
        )
        self._dispatch_and_feedback(stage, retention_days, repo_root)
        self.escalation = Escalation(
            self,
            "Escalation",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "escalation",
            retention_days=retention_days,
            dispatch_queue=self.sampler.dispatch_queue,
        )
        self.reports = Reports(
            self,
            "Reports",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "reports",
            retention_days=retention_days,
        )
        self._workspace(stage, retention_days, repo_root)
        self.scheme_broadcast = SchemeBroadcast(
            self, "SchemeBroadcast", store=self.store, layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "scheme_broadcast", retention_days=retention_days,
        )  # fmt: skip
        self.lake = Lake(
            self,
            "Lake",
            store=self.store,
            stage=stage,
            layer=lake_layer(self, "LakeLayer", repo_root=repo_root),
            code_dir=repo_root / "functions" / "lake",
            retention_days=retention_days,
        )
        cdk.CfnOutput(self, "LakeDatabaseName", value=self.lake.database_name)
        cdk.CfnOutput(self, "LakeWorkgroupName", value=self.lake.workgroup_name)
        cdk.CfnOutput(self, "ReportsTopicArn", value=self.reports.topic.topic_arn)
        cdk.CfnOutput(self, "DataBucketName", value=self.store.bucket.bucket_name)
        cdk.CfnOutput(self, "EventBusName", value=self.store.bus.event_bus_name)
        cdk.CfnOutput(self, "IntakeQueueUrl", value=self.intake.queue.queue_url)
        cdk.CfnOutput(self, "IntakeApiUrl", value=self.intake_api.api.api_endpoint)
        cdk.CfnOutput(self, "DispatchQueueUrl", value=self.sampler.dispatch_queue.queue_url)
        cdk.CfnOutput(self, "SamplerFunctionName", value=self.sampler.function.function_name)
        cdk.CfnOutput(self, "FeedbackUrl", value=self.feedback.url.url)
        cdk.CfnOutput(self, "SmsRepliesTopicArn", value=self.feedback.replies_topic.topic_arn)
        self._acknowledge_notifications_handler()
        self._operations(stage)  # keep last: it watches everything built before it

    def _operations(self, stage: str) -> None:
        """The bus policy (only the stack's roles put events) and the monitoring construct
        (alarms, ops topic, dashboard), both found by walking the finished construct tree.

        Context: ``sms_spend_limit_usd`` (the account's SNS monthly SMS limit, default 1),
        ``ops_emails`` (comma-separated addresses subscribed to the ops topic) and
        ``bus_publishers`` (comma-separated ARNs of operators' roles that may put events)."""
        extra = comma_separated(self.node.try_get_context("bus_publishers"))
        self.bus_policy = restrict_publishers(self, "BusPolicy", self.store.bus, extra)
        limit = self.node.try_get_context("sms_spend_limit_usd")
        emails = comma_separated(self.node.try_get_context("ops_emails"))
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            sms_spend_limit_usd=float(limit)
            if limit not in (None, "")
            else (DEFAULT_SMS_SPEND_LIMIT_USD),
            ops_emails=list(emails),
        )
        cdk.CfnOutput(self, "OpsTopicArn", value=self.monitoring.topic.topic_arn)

    def _workspace(self, stage: str, retention_days: int, repo_root: Path) -> None:
        """The officials' user pool, the workspace API and function, and the departments'
        upload access points (``departments`` context; ``auth_domain_prefix`` names the
        hosted UI, default ``samvad-<stage>-<account>``; ``erasure_operators``: comma-separated
        ARNs of the data-protection officers' roles that run ``samvad erase``)."""
        prefix = self.node.try_get_context("auth_domain_prefix") or f"samvad-{stage}-{self.account}"
        self.identity = Identity(self, "Identity", stage=stage, domain_prefix=str(prefix))
        self.signin_audit = SignInAudit(
            self,
            "SignInAudit",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "signin_audit",
            retention_days=retention_days,
            user_pool=self.identity.user_pool,
        )
        self.workspace = Workspace(
            self,
            "Workspace",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "workspace",
            retention_days=retention_days,
            identity=self.identity,
            state_machine=self.escalation.state_machine,
            notices_topic=self.escalation.topic,
            notices_key=self.escalation.notices_key,
        )
        self.erasure = Erasure(  # /api/erasures: the only role that may erase (DPDP Act)
            self,
            "Erasure",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "erasure",
            retention_days=retention_days,
            workspace=self.workspace,
        )
        self.uploads = DepartmentUploads(
            self,
            "Uploads",
            store=self.store,
            stage=stage,
            departments=departments_setting(self.node.try_get_context("departments"))
            or tuple(default_departments().codes()),  # unset: the ones intake ships
            presigner=self.workspace.role,
            rewriters=[  # erasure writes an upload back without a citizen: the workspace's
                self.erasure.role,  # … and the data-protection officers' own (`samvad erase`)
                *(
                    iam.Role.from_role_arn(self, f"ErasureOperator{i}", arn, mutable=False)
                    for i, arn in enumerate(
                        comma_separated(self.node.try_get_context("erasure_operators"))
                    )
                ),
            ],
        )
        self.push_roles = PushRoles(  # push_principals context: who assumes each role
            self, "PushRoles", api=self.intake_api, store=self.store,
            layer=self.layer.layer_version, code_dir=repo_root / "functions" / "push_callers",
            retention_days=retention_days, departments=tuple(self.uploads.roles),
            principals=push_principals_setting(
                self.node.try_get_context("push_principals"), tuple(self.uploads.roles)
            ),
        )  # fmt: skip
        self.workspace.hand_back_to(self.store, self.notify.schedule_group)
        self.workspace.fall_back_to_sms(  # the desk's last unanswered call: the SMS survey
            self.notify.dispatch_queue, self.notify.schedule_role,
            self.notify.deferred_dead_letter_queue,
        )  # fmt: skip
        connect = connect_settings(
            self.node.try_get_context("connect_instance_arn"),
            self.node.try_get_context("connect_source_phone"),
            region=self.region,
            account=self.account,
        )
        if connect is not None:  # the call desk's Call (docs/workspace.md)
            self.bridge_flow = BridgeFlow(self, "BridgeFlow", settings=connect, stage=stage)
            self.workspace.bridge_calls(connect, self.bridge_flow.flow_id)
        # officials' notices deep-link to the case page (sign-in required; no bearer link)
        self.escalation.function.add_environment(
            resources.WORKSPACE_URL_ENV, self.workspace.api.api_endpoint
        )
        cdk.CfnOutput(self, "WorkspaceUrl", value=self.workspace.api.api_endpoint)
        cdk.CfnOutput(self, "UserPoolId", value=self.identity.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=self.workspace.client.user_pool_client_id)
        cdk.CfnOutput(self, "HostedUiUrl", value=self.identity.domain.base_url())

    def _dispatch_and_feedback(self, stage: str, retention_days: int, repo_root: Path) -> None:
        """Feedback first (notify needs its URL), the survey flow when the ``connect_*``
        context turns voice on (see ``infra.constructs.connect``), then notify."""
        settings = connect_settings(
            self.node.try_get_context("connect_instance_arn"),
            self.node.try_get_context("connect_source_phone"),
            region=self.region,
            account=self.account,
        )
        concurrency = {
            name: int(value)
            for name in ("web_concurrency", "ivr_concurrency")
            if (value := self.node.try_get_context(f"feedback_{name}")) not in (None, "")
        }
        self.feedback = Feedback(
            self,
            "Feedback",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "feedback",
            retention_days=retention_days,
            **concurrency,
        )
        public_url = self.feedback.url.url
        self.edge = None
        if self._edge_web_acl_arn is not None:  # CloudFront + WAF in front; links go there
            self.edge = PublicEdge(
                self, "PublicEdge", store=self.store, feedback=self.feedback,
                web_acl_arn=self._edge_web_acl_arn,
            )  # fmt: skip
            public_url = f"https://{self.edge.distribution.distribution_domain_name}/"
            cdk.CfnOutput(self, "FeedbackEdgeUrl", value=public_url)
        self.survey_flow = (
            SurveyFlow(
                self, "SurveyFlow", settings=settings, feedback=self.feedback.function, stage=stage
            )
            if settings
            else None
        )
        self.inbound_ivr = (
            InboundIvr(
                self, "InboundIvr", store=self.store, layer=self.layer.layer_version,
                code_dir=repo_root / "functions" / "inbound_ivr", retention_days=retention_days,
                settings=settings, stage=stage,
                recordings=recordings_setting(self.node.try_get_context("connect_recordings")),
            )
            if settings
            else None
        )  # fmt: skip
        self.notify = Notify(
            self,
            "Notify",
            store=self.store,
            layer=self.layer.layer_version,
            code_dir=repo_root / "functions" / "dispatch",
            retention_days=retention_days,
            dispatch_queue=self.sampler.dispatch_queue,
            feedback_url=public_url,
            connect=settings,
            contact_flow_id=self.survey_flow.flow_id if self.survey_flow else None,
        )

    def _acknowledge_notifications_handler(self) -> None:
        handler = self.node.try_find_child(NOTIFICATIONS_HANDLER_ID)
        if handler is None:
            return
        for rule_id, reason in (
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK-managed BucketNotificationsHandler role; its basic-execution policy is "
                "set by CDK and only allows writing the handler's own logs.",
            ),
        ):
            acknowledge(handler, rule_id, reason=reason)
