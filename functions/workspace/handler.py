"""The officials' workspace: the JSON API and its pages behind API Gateway's HTTP API.

API Gateway's JWT authorizer has verified the Cognito ID token; the claims it passes in
``requestContext.authorizer.jwt.claims`` are the only source of identity. Each route parses
its input, makes one call into ``samvad.workspace`` and maps the result (or the domain's
error) to a status code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.logs import logger_for
from samvad.workspace import (
    calldesk_routes,
    calls,
    cases,
    drilldown,
    grievances,
    http,
    pages,
    session,
    uploads,
)
from samvad.workspace.errors import WorkspaceError
from samvad.workspace.roles import Official
from samvad.workspace.wiring import identity, workspace_ports

logger = logger_for("workspace")
app = APIGatewayHttpResolver()
app.include_router(calldesk_routes.router)  # POST /api/calls/<visit_key>/dial


def _official() -> Official:
    return http.official_of(app.current_event)


def _body() -> dict[str, Any]:
    return http.json_body(app.current_event)


def _query() -> dict[str, str]:
    return dict(app.current_event.query_string_parameters or {})


def _as(call: Callable[[Official], dict]) -> Response:
    return _json(call(_official()))


_json = http.json_response


@app.exception_handler(WorkspaceError)
def _refused(error: WorkspaceError) -> Response:
    return http.refusal(error)


@app.not_found
def _not_found(_error: Exception) -> Response:
    return http.no_such_route()


@app.post("/api/session")
def start_session() -> Response:
    source_ip = app.current_event.request_context.http.source_ip
    return _json(session.sign_in(_body(), source_ip, identity(), workspace_ports()))


@app.get("/api/me")
def me() -> Response:
    return _as(session.me)


@app.get("/api/cases")
def case_list() -> Response:
    return _as(lambda who: cases.list_cases(who, _query(), workspace_ports()))


@app.get("/api/cases/<case_id>")
def case(case_id: str) -> Response:
    return _as(lambda who: cases.get_case(who, case_id, workspace_ports()))


@app.post("/api/cases/<case_id>/atr")
def atr(case_id: str) -> Response:
    return _as(lambda who: cases.file_atr(who, case_id, _body(), workspace_ports()))


@app.post("/api/cases/<case_id>/transfer")
def transfer(case_id: str) -> Response:
    return _as(lambda who: cases.transfer_case(who, case_id, _body(), workspace_ports()))


@app.post("/api/cases/<case_id>/attachments")
def attachment(case_id: str) -> Response:
    return _as(lambda who: cases.attachment_upload(who, case_id, _body(), workspace_ports()))


@app.get("/api/cases/<case_id>/attachments")
def attachment_link(case_id: str) -> Response:
    key = _query().get("key", "")
    return _as(lambda who: cases.attachment_link(who, case_id, key, workspace_ports()))


@app.get("/api/cases/<case_id>/voice")
def voice_message(case_id: str) -> Response:
    return _as(lambda who: cases.voice_link(who, case_id, workspace_ports()))


@app.get("/api/calls")
def call_list() -> Response:
    return _as(lambda who: calls.list_calls(who, workspace_ports()))


@app.post("/api/calls/<visit_key>/outcome")
def outcome(visit_key: str) -> Response:
    return _as(lambda who: calls.record_outcome(who, visit_key, _body(), workspace_ports()))


@app.post("/api/visits/<visit_key>/phone")
def phone(visit_key: str) -> Response:
    return _as(lambda who: calls.reveal_phone(who, visit_key, workspace_ports()))


@app.post("/api/uploads")
def new_upload() -> Response:
    return _as(lambda who: uploads.create_upload(who, _body(), workspace_ports()))


@app.get("/api/uploads")
def upload_list() -> Response:
    return _as(lambda who: uploads.list_uploads(who, workspace_ports()))


@app.get("/api/uploads/rejects")
def rejects() -> Response:
    key = _query().get("key", "")
    return _as(lambda who: uploads.rejects_link(who, key, workspace_ports()))


@app.get("/api/dashboard")
def dashboard() -> Response:
    return _as(lambda who: cases.dashboard(who, workspace_ports()))


@app.get("/api/drilldown")
def drill_down() -> Response:
    return _as(lambda who: drilldown.page(who, _query(), workspace_ports()))


@app.get("/api/audit")
def audit() -> Response:
    return _as(lambda who: session.audit_trail(who, _query(), workspace_ports()))


@app.post("/api/grievances")
def grievance_new() -> Response:
    return _as(lambda who: grievances.register_for_caller(who, _body(), workspace_ports()))


@app.get("/api/grievances/rejects")
def grievance_rejects() -> Response:
    return _as(lambda who: grievances.rejects(who, _query(), workspace_ports()))


@app.post("/api/cases/<case_id>/question")
def grievance_question(case_id: str) -> Response:
    return _as(lambda who: grievances.ask_citizen(who, case_id, _body(), workspace_ports()))


@app.post("/api/cases/<case_id>/unmask")
def grievance_unmask(case_id: str) -> Response:
    return _as(lambda who: grievances.unmask(who, case_id, _body(), workspace_ports()))


@app.get("/")
@app.get("/<page>")
@app.get("/cases/<case_id>")
def page(page: str = "", case_id: str = "") -> Response:
    """The pages: Jinja2 shells with no personal data; they call the API with the token."""
    name = "case" if case_id else (page or "signin")
    status, html = pages.render(name, _query().get("lang", ""))
    return Response(status, "text/html; charset=utf-8", html, pages.HEADERS)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
