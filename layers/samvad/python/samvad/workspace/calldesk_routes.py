"""The call desk's bridged call as a route, included in the workspace function's resolver:
``POST /api/calls/<visit_key>/dial``."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from samvad.workspace import calls, wiring
from samvad.workspace.http import NO_STORE
from samvad.workspace.roles import official_from_claims

router = APIGatewayHttpRouter()


@router.post("/api/calls/<visit_key>/dial")
def dial(visit_key: str) -> Response:
    context = router.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims")
    official = official_from_claims(claims, (context.get("http") or {}).get("sourceIp", ""))
    result = calls.place_call(official, visit_key, wiring.workspace_ports())
    body = json.dumps(result, ensure_ascii=False)
    return Response(200, content_types.APPLICATION_JSON, body, NO_STORE)
