"""CloudFormation custom resource (through CDK's provider framework): keep the stack's push
roles in the ``intake/push-callers`` config document (``samvad.intake.push_callers``)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import (
    CloudFormationCustomResourceEvent,
    event_source,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.intake.push import PUSH_CALLERS_CONFIG
from samvad.intake.push_callers import apply_stack_callers
from samvad.logs import logger_for
from samvad.settings import PushCallersSettings

logger = logger_for("push_callers")


@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=CloudFormationCustomResourceEvent)
def lambda_handler(event: CloudFormationCustomResourceEvent, context: LambdaContext) -> dict:
    from samvad.adapters.config import DynamoConfig

    config = DynamoConfig(PushCallersSettings.from_env().config_table)
    document = apply_stack_callers(
        event.request_type, event.resource_properties, event.old_resource_properties, config
    )
    logger.info(
        "push callers applied",
        extra={"request_type": event.request_type, "callers": len(document["callers"])},
    )
    return {
        "PhysicalResourceId": PUSH_CALLERS_CONFIG,  # one document: an update is never a replace
        "Data": {"Callers": len(document["callers"])},
    }
