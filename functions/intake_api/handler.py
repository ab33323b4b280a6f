"""Push API: ``POST /intake/v1/visits`` from a department's system, signed (SigV4) by its role."""

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.intake.push_wiring import push_request
from samvad.logs import logger_for
from samvad.settings import IntakeApiSettings

logger = logger_for("intake_api")
metrics = telemetry.metrics_for("intake_api")
tracer = telemetry.tracer_for("intake_api")
app = APIGatewayHttpResolver()


@app.post("/intake/v1/visits")
def push_visits() -> Response:
    event = app.current_event
    iam = (event.request_context.get("authorizer") or {}).get("iam") or {}
    status, headers, document = push_request(
        event.decoded_body, iam.get("userArn"), IntakeApiSettings.from_env()
    )
    return Response(status, headers=headers, body=json.dumps(document))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
