"""``SamvadStack``: composes the constructs, one per capability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from infra.constructs.intake import Intake
from infra.constructs.layer import SamvadLayer
from infra.constructs.storage import DataStore

REPO_ROOT = Path(__file__).resolve().parents[1]
# CDK's singleton Lambda that applies S3 notification configurations.
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


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
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
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
        cdk.CfnOutput(self, "DataBucketName", value=self.store.bucket.bucket_name)
        cdk.CfnOutput(self, "EventBusName", value=self.store.bus.event_bus_name)
        cdk.CfnOutput(self, "IntakeQueueUrl", value=self.intake.queue.queue_url)
        self._acknowledge_notifications_handler()

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
            cdk.Validations.of(handler).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))
