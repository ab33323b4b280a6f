"""Feedback: the Connect survey flow, two-way SMS replies and the web form, one domain; and
the grievance SMS the workspace requests (an SQS queue fed by a rule on the bus)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import edge, telemetry
from samvad.feedback.wiring import (
    connect_invocation,
    kind_of,
    requested_sms,
    sms_replies,
    web_request,
)
from samvad.logs import logger_for
from samvad.settings import FeedbackSettings

logger = logger_for("feedback")
metrics = telemetry.metrics_for("feedback")
tracer = telemetry.tracer_for("feedback")
ROUTES = {
    "connect": connect_invocation,
    "sms": sms_replies,
    "web": web_request,
    "requests": requested_sms,  # SQS: SMS the workspace may not send (GrievanceSmsRequested)
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext):
    kind = kind_of(event)
    logger.append_keys(entry=kind)
    if kind not in ROUTES:
        raise ValueError("unrecognised invocation: not Connect, SNS, SQS or a function URL request")
    settings = FeedbackSettings.from_env()
    if kind == "web" and settings.origin_secret_id and not _through_the_edge(event, settings):
        return edge.REFUSED  # behind CloudFront only (the optional edge, samvad.edge)
    result = ROUTES[kind](event, settings)
    telemetry.count_feedback(metrics, telemetry.feedback_statuses(kind, event, result))
    return result


def _through_the_edge(event: dict, settings: FeedbackSettings) -> bool:
    from samvad.adapters.secrets import secret_bytes

    secret = secret_bytes(settings.origin_secret_id).decode()
    return edge.through_the_edge(event.get("headers"), secret)
