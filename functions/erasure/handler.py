"""The workspace's erasure routes, in a function of their own (the only workspace role that may
erase a citizen's data: the workspace function's may not).

``POST /api/erasures`` ``{phone, reason}`` and ``GET /api/erasures``, behind the workspace's
HTTP API and its Cognito JWT authorizer: the claims in ``requestContext.authorizer.jwt.claims``
are the only source of identity. Each route parses its input, makes one call into
``samvad.workspace.erasures`` and maps the result (or the domain's error) to a status code.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.logs import logger_for
from samvad.workspace import erasures, http
from samvad.workspace.erasure_wiring import erasure_desk_ports
from samvad.workspace.errors import WorkspaceError
from samvad.workspace.roles import Official

logger = logger_for("erasure")
tracer = telemetry.tracer_for("erasure")
app = APIGatewayHttpResolver()


def _official() -> Official:
    return http.official_of(app.current_event)


def _body() -> dict[str, Any]:
    return http.json_body(app.current_event)


_json = http.json_response


@app.exception_handler(WorkspaceError)
def _refused(error: WorkspaceError) -> Response:
    return http.refusal(error)


@app.not_found
def _not_found(_error: Exception) -> Response:
    return http.no_such_route()


@app.post("/api/erasures")
def erase() -> Response:
    who = _official()  # 401/403 before the body is read
    receipt = erasures.request_erasure(who, _body(), erasure_desk_ports())
    logger.info("erasure", extra={"request_id": receipt["request_id"], "found": receipt["found"]})
    return _json(receipt)


@app.get("/api/erasures")
def receipts() -> Response:
    return _json(erasures.list_erasures(_official(), erasure_desk_ports()))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
