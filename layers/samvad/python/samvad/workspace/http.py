"""What every workspace API function does with an HTTP API request, in one place: the signed-in
official from the JWT authorizer's claims, the JSON body, JSON answers and the domain's errors
as status codes (``functions/workspace`` and ``functions/erasure``)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from samvad.workspace.errors import BadRequest, WorkspaceError
from samvad.workspace.roles import Official, official_from_claims

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def official_of(event: APIGatewayProxyEventV2) -> Official:
    """The caller, from the claims the authorizer verified (401/403 from the domain)."""
    context = event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims")
    source_ip = (context.get("http") or {}).get("sourceIp", "")
    return official_from_claims(claims, source_ip)


def json_body(event: APIGatewayProxyEventV2) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``); anything else is a 400."""
    raw = event.decoded_body or ""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("body", "must be a JSON object")
    return body


def json_response(result: dict, status: int = 200) -> Response:
    return Response(
        status, content_types.APPLICATION_JSON, json.dumps(result, ensure_ascii=False), NO_STORE
    )


def refusal(error: WorkspaceError) -> Response:
    """The domain's error as its status, naming the field of a bad request."""
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, BadRequest):
        body["field"] = error.field
    return json_response(body, error.status)


def no_such_route() -> Response:
    return json_response({"error": "no such route"}, 404)
