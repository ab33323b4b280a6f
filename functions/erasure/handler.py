"""The workspace's erasure routes, in a function of their own (the only workspace role that may
erase a citizen's data: the workspace function's may not).

``POST /api/erasures`` ``{phone, reason}`` and ``GET /api/erasures``, behind the workspace's
HTTP API and its Cognito JWT authorizer: the claims in ``requestContext.authorizer.jwt.claims``
are the only source of identity. Each route parses its input, makes one call into
``samvad.workspace.erasures`` and maps the result (or the domain's error) to a status code.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.logs import logger_for
from samvad.workspace import erasures
from samvad.workspace.erasure_wiring import erasure_desk_ports
from samvad.workspace.errors import BadRequest, WorkspaceError
from samvad.workspace.roles import Official, official_from_claims

logger = logger_for("erasure")
tracer = telemetry.tracer_for("erasure")
app = APIGatewayHttpResolver()
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _official() -> Official:
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims")
    source_ip = (context.get("http") or {}).get("sourceIp", "")
    return official_from_claims(claims, source_ip)


def _body() -> dict[str, Any]:
    raw = app.current_event.decoded_body or ""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise BadRequest("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("body", "must be a JSON object")
    return body


def _json(result: dict, status: int = 200) -> Response:
    return Response(
        status, content_types.APPLICATION_JSON, json.dumps(result, ensure_ascii=False), NO_STORE
    )


@app.exception_handler(WorkspaceError)
def _refused(error: WorkspaceError) -> Response:
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, BadRequest):
        body["field"] = error.field
    return _json(body, error.status)


@app.not_found
def _not_found(_error: Exception) -> Response:
    return _json({"error": "no such route"}, 404)


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
