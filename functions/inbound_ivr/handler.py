"""Inbound IVR: the inbound contact flow's menus, grievance registration, status and schemes."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.inbound_ivr.service import ACTIONS
from samvad.inbound_ivr.wiring import connect_invocation
from samvad.logs import logger_for
from samvad.settings import InboundIvrSettings

logger = logger_for("inbound_ivr")
metrics = telemetry.metrics_for("inbound_ivr")
tracer = telemetry.tracer_for("inbound_ivr")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, str]:
    parameters = (event.get("Details") or {}).get("Parameters") or {}
    action = str(parameters.get("action") or "")
    action = action if action in ACTIONS else "unknown"
    logger.append_keys(action=action)  # never the caller's number
    result = connect_invocation(event, InboundIvrSettings.from_env())
    metrics.add_metric(name=f"Ivr_{action}", unit="Count", value=1)
    return result
