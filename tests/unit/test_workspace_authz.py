"""The workspace's authorisation matrix on fakes: every route × every role, anonymous and a
claims set naming no role, through the real handler and Powertools' router; then the scope
of each query, bad input naming its field, and no phone in clear outside the reveal."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from samvad.phones import mask
from samvad.workspace import uploads
from samvad.workspace.erasures import ErasureDeskPorts
from samvad.workspace.roles import ROLES
from tests.unit.test_erasure import _day as erasure_day
from tests.workspace_fakes import (
    DIRECTORY,
    NOW,
    PHONE,
    TODAY,
    MemoryErasureRequests,
    MemoryIdentity,
    claims_of,
    official,
    world,
)

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HANDLER = FUNCTIONS / "workspace" / "handler.py"
ERASURE_HANDLER = FUNCTIONS / "erasure" / "handler.py"
"""The HTTP API routes ``/api/erasures`` to the erasure function, everything else here."""
ALL = set(ROLES)
READERS = {"cmo", "minister", "secretary", "collector", "sp", "office_head", "auditor"}
CALLERS = {"cmo", "minister", "secretary", "collector", "sp", "caller"}


def _cells(ok: set[str], not_found: set[str] = frozenset()) -> dict[str, int]:
    return {r: 200 if r in ok else 404 if r in not_found else 403 for r in ROLES}


# route → (method, path, body, expected status per role). case-v2: health, Khordha, office
# K1, at L2 held by collector-khordha. Visit c1 is on the CMO's and the collector's lists.
MATRIX = {
    "me": ("GET", "/api/me", None, _cells(ALL)),
    "cases": ("GET", "/api/cases", None, _cells(READERS)),
    "case": ("GET", "/api/cases/case-v2", None, _cells(READERS - {"sp"}, {"sp"})),
    "atr": ("POST", "/api/cases/case-v2/atr", {"text": "Refund made"},
            _cells({"collector"}, {"sp"})),
    "transfer": ("POST", "/api/cases/case-v2/transfer", {"to": "revenue", "reason": "theirs"},
                 _cells({"collector"}, {"sp"})),
    "attach": ("POST", "/api/cases/case-v2/attachments", {"filename": "receipt.pdf"},
               _cells({"collector"}, {"sp"})),
    "attachment": ("GET", "/api/cases/case-v2/attachments?key=cases/case-v2/atr/L2-a.pdf",
                   None, _cells(READERS - {"sp"}, {"sp"})),
    "calls": ("GET", "/api/calls", None, _cells(CALLERS)),
    "outcome": ("POST", "/api/calls/c1/outcome", {"outcome": "no_answer"},
                _cells({"cmo", "collector"}, CALLERS - {"cmo", "collector"})),
    "reveal": ("POST", "/api/visits/c1/phone", None,
               _cells({"cmo", "collector"}, CALLERS - {"cmo", "collector"})),
    "dial": ("POST", "/api/calls/c1/dial", None,
             _cells({"cmo", "collector"}, CALLERS - {"cmo", "collector"})),
    "upload": ("POST", "/api/uploads", {"filename": "day.csv", "department": "health"},
               _cells({"data_officer"})),
    "uploads": ("GET", "/api/uploads", None, _cells({"data_officer"})),
    "rejects": ("GET", "/api/uploads/rejects?key=rejects/health/a.csv", None,
                _cells({"data_officer"})),
    "dashboard": ("GET", "/api/dashboard", None,
                  _cells(ALL - {"data_officer", "grievance_officer"})),
    "audit": ("GET", "/api/audit", None, _cells({"auditor"})),
    # the state page: above every scope but the state's; these fakes hold no day's rollups
    # (role × page on the week's tallies: tests/unit/test_workspace_drilldown.py)
    "drilldown": ("GET", "/api/drilldown?level=state", None,
                  _cells(set(), {"cmo", "caller", "auditor"})),
    # the erasure function's routes: the grievance officer only
    "erase": ("POST", "/api/erasures", {"phone": "+91 98765 43210", "reason": "asked by SMS"},
              _cells({"grievance_officer"})),
    "erasures": ("GET", "/api/erasures", None, _cells({"grievance_officer"})),
}  # fmt: skip


@pytest.fixture
def app(monkeypatch):
    spec = importlib.util.spec_from_file_location("workspace_handler_under_test", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    spec = importlib.util.spec_from_file_location("erasure_handler_under_test", ERASURE_HANDLER)
    erasure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(erasure)
    desk = ErasureDeskPorts(erasure=erasure_day(), requests=MemoryErasureRequests())
    monkeypatch.setattr(erasure, "erasure_desk_ports", lambda: desk)
    ports = world()
    monkeypatch.setattr(module, "workspace_ports", lambda: ports)
    monkeypatch.setattr("samvad.workspace.wiring.workspace_ports", lambda: ports)
    monkeypatch.setattr(
        module,
        "identity",
        lambda: MemoryIdentity(
            {"demo-cmo": ("right-password", "cmo"), "mfa.user": ("right-password", None)}
        ),
    )

    def call(method, path, body=None, claims=None, raw_body=None):
        raw_path, _, query = path.partition("?")
        context = {
            "http": {"method": method, "path": raw_path, "sourceIp": "10.0.0.1"},
            "stage": "$default",
        }
        if claims is not None:
            context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": raw_path,
            "rawQueryString": query,
            "queryStringParameters": dict(p.split("=", 1) for p in query.split("&") if p) or None,
            "headers": {"content-type": "application/json"},
            "requestContext": context,
            "body": raw_body if raw_body is not None else json.dumps(body) if body else "",
            "isBase64Encoded": False,
        }
        target = erasure if raw_path == "/api/erasures" else module
        response = target.lambda_handler(event, _Context())
        return response["statusCode"], response["body"]

    call.ports = ports
    call.desk = desk
    return call


class _Context:
    function_name = "workspace"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:workspace"
    aws_request_id = "test"


CELLS = [(route, role) for route in MATRIX for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CELLS)
def test_every_route_as_every_role(app, route, role):
    # Given the route and a signed-in official of the role (claims as the authorizer passes)
    method, path, body, expected = MATRIX[route]
    # When they call it
    status, text = app(method, path, body, claims=claims_of(role))
    # Then the status is the table's, and no phone appears in clear but in a permitted reveal
    assert status == expected[role], text
    if route != "reveal":
        assert PHONE not in text and PHONE[3:] not in text


@pytest.mark.parametrize("route", list(MATRIX))
def test_anonymous_is_401_on_every_route(app, route):
    method, path, body, _ = MATRIX[route]
    status, _ = app(method, path, body, claims=None)
    assert status == 401


@pytest.mark.parametrize(
    "claims",
    [
        {"cognito:groups": ["superuser"], "custom:official_id": "x", "token_use": "id"},
        {"cognito:groups": ["cmo", "auditor"], "custom:official_id": "x", "token_use": "id"},
        {"cognito:groups": ["cmo"], "token_use": "id"},
        {"cognito:groups": ["collector"], "custom:official_id": "x", "token_use": "id"},
    ],
    ids=["unknown-role", "two-roles", "no-official", "collector-without-district"],
)
@pytest.mark.parametrize("route", list(MATRIX))
def test_claims_that_name_no_valid_role_are_denied(app, route, claims):
    method, path, body, _ = MATRIX[route]
    status, _ = app(method, path, body, claims=claims)
    assert status == 403


def test_access_token_claims_are_not_an_identity(app):
    claims = {**claims_of("cmo"), "token_use": "access"}
    assert app("GET", "/api/me", claims=claims)[0] == 401


def test_http_api_string_groups_are_read(app):
    # API Gateway passes array claims as "[a b]" strings
    claims = {**claims_of("auditor"), "cognito:groups": "[auditor]"}
    status, text = app("GET", "/api/me", claims=claims)
    assert status == 200 and json.loads(text)["role"] == "auditor"


# -- scope inside every query -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("cmo", {"case-v1", "case-v2", "case-v3", "case-v4", "case-v5"}),
        ("auditor", {"case-v1", "case-v2", "case-v3", "case-v4", "case-v5"}),
        ("minister", {"case-v1", "case-v2", "case-v4"}),
        ("secretary", {"case-v1", "case-v2", "case-v4"}),
        ("collector", {"case-v1", "case-v2", "case-v5"}),
        ("office_head", {"case-v1", "case-v2"}),
        ("sp", set()),
    ],
)
def test_each_role_lists_only_its_scope(app, role, visible):
    status, text = app("GET", "/api/cases", claims=claims_of(role))
    assert status == 200
    assert {c["case_id"] for c in json.loads(text)["cases"]} == visible


@pytest.mark.parametrize("role", ["cmo", "minister", "collector", "office_head"])
def test_a_scope_is_paged_through_one_page_at_a_time(app, role):
    """Given a limit of one case a page, when a reader follows ``next`` to the end, then
    they see every case of their scope exactly once, and nothing outside it."""
    _, text = app("GET", "/api/cases", claims=claims_of(role))
    everything = [c["case_id"] for c in json.loads(text)["cases"]]
    seen, cursor, pages = [], "", 0
    while True:
        path = "/api/cases?limit=1" + (f"&cursor={cursor}" if cursor else "")
        status, text = app("GET", path, claims=claims_of(role))
        assert status == 200, text
        body = json.loads(text)
        assert len(body["cases"]) <= 1
        seen.extend(c["case_id"] for c in body["cases"])
        pages += 1
        cursor = body["next"]
        if not cursor:
            break
    assert len(everything) > 1 and pages == len(everything)
    assert sorted(seen) == sorted(everything)


def test_a_collector_opening_another_districts_case_gets_404(app):
    assert app("GET", "/api/cases/case-v3", claims=claims_of("collector"))[0] == 404
    assert app("GET", "/api/cases/case-missing", claims=claims_of("collector"))[0] == 404


def test_filters_narrow_within_scope(app):
    _, text = app("GET", "/api/cases?level=2", claims=claims_of("collector"))
    assert [c["case_id"] for c in json.loads(text)["cases"]] == ["case-v2"]
    _, text = app("GET", "/api/cases?mine=true", claims=claims_of("cmo"))
    assert [c["case_id"] for c in json.loads(text)["cases"]] == ["case-v5"]


def test_the_case_page_shows_a_masked_phone_and_history(app):
    status, text = app("GET", "/api/cases/case-v2", claims=claims_of("collector"))
    case = json.loads(text)
    assert status == 200 and case["can_act"] is True
    assert case["citizen_phone"] == mask(PHONE) != PHONE
    assert case["can_file_atr"] is True
    assert [h["what"] for h in case["history"]] == []


# -- actions ----------------------------------------------------------------------------------


def test_atr_by_the_holder_is_filed_delivered_and_audited(app):
    status, text = app("POST", "/api/cases/case-v2/atr", {"text": "Refund made"},
                       claims=claims_of("collector"))  # fmt: skip
    assert status == 200 and json.loads(text)["delivery"] == "delivered"
    assert app.ports.escalation.tasks.sent  # the waiting state machine was resumed
    (entry,) = [e for e in app.ports.audit.entries if e["what"] == "atr"]
    assert entry["who"] == "collector-khordha" and entry["from"] == "10.0.0.1"
    again = app("POST", "/api/cases/case-v2/atr", {"text": "Again"}, claims=claims_of("collector"))
    assert again[0] == 409


def test_an_attachment_is_a_5_mb_presigned_post_under_the_case_and_goes_with_the_atr(app):
    status, text = app("POST", "/api/cases/case-v2/attachments", {"filename": "site.jpg"},
                       claims=claims_of("collector"))  # fmt: skip
    key = json.loads(text)["key"]
    assert status == 200 and key == "cases/case-v2/atr/L2-site.jpg"
    assert app.ports.uploads.presigned == [(key, "image/jpeg", 5 * 1024 * 1024)]
    body = {"text": "Photo of the repaired pump", "attachment": key}
    app.ports.uploads.objects[key] = b"\xff\xd8\xff\xe0\x00\x10JFIF"  # the photo, uploaded
    assert app("POST", "/api/cases/case-v2/atr", body, claims=claims_of("collector"))[0] == 200
    filed = app.ports.escalation.cases.items["case-v2"]["signals"]["atr"]["text"]
    assert filed.endswith(f"[attachment: {key}]")
    link = app("GET", f"/api/cases/case-v2/attachments?key={key}", claims=claims_of("cmo"))
    assert json.loads(link[1])["url"].endswith(f"{key}?signed")


@pytest.mark.parametrize(
    ("name", "uploaded", "problem"),
    [
        ("site.pdf", None, "was not uploaded"),
        ("site.pdf", b"<html><script>", "is not a PDF"),
        ("site.png", b"\xff\xd8\xff\xe0", "is not a PNG"),
        ("site.jpg", b"%PDF-1.4", "is not a JPEG"),
    ],
)
def test_an_attachment_that_is_missing_or_not_what_its_name_says_is_refused(
    app, name, uploaded, problem
):
    """Given the holder's attachment link for ``name``, When the ATR names it but nothing was
    uploaded, or the bytes uploaded are not that type (the POST policy binds only the
    declared content type), Then 400 names ``attachment`` and says what is wrong, and no ATR
    is filed."""
    link = app("POST", "/api/cases/case-v2/attachments", {"filename": name},
               claims=claims_of("collector"))  # fmt: skip
    key = json.loads(link[1])["key"]
    if uploaded is not None:
        app.ports.uploads.objects[key] = uploaded
    body = {"text": "See the attachment", "attachment": key}
    status, text = app("POST", "/api/cases/case-v2/atr", body, claims=claims_of("collector"))
    assert status == 400 and json.loads(text)["field"] == "attachment"
    assert problem in json.loads(text)["error"]
    assert "atr" not in (app.ports.escalation.cases.items["case-v2"].get("signals") or {})


def test_transfer_notifies_the_new_holder_and_is_audited(app):
    status, text = app("POST", "/api/cases/case-v2/transfer", {"to": "revenue", "reason": "x"},
                       claims=claims_of("collector"))  # fmt: skip
    assert status == 200
    # L2 holder of the case's district is still the collector; the new department's L2 is too
    assert app.ports.notifier.sent and app.ports.notifier.sent[0][0] == json.loads(text)["holder"]
    assert [e["what"] for e in app.ports.audit.entries] == ["transfer"]


def test_the_cmo_records_an_answered_call_as_official_call_feedback(app):
    body = {"outcome": "answered", "answers": {"rating": "2", "work_done": "no"}}
    status, text = app("POST", "/api/calls/c1/outcome", body, claims=claims_of("cmo"))
    assert status == 200 and json.loads(text) == {"visit_key": "c1", "status": "recorded",
                                                  "poor": True}  # fmt: skip
    stored = app.ports.feedback.store.items["c1"]
    assert stored["channel"] == "official_call" and stored["rating"] == 2
    kinds = [k for k, _ in app.ports.feedback.events.published]
    assert kinds == ["FeedbackRecorded", "FeedbackPoor", "ContactOutcome"]
    reach = app.ports.feedback.events.published[-1][1]  # the reports count the reach from it
    assert {k: reach[k] for k in ("visit_key", "kind", "channel", "attempt", "outcome", "final",
                                  "caller", "department")} == {
        "visit_key": "c1", "kind": "survey", "channel": "official_call", "attempt": 1,
        "outcome": "answered", "final": True, "caller": "cmo", "department": "health"}  # fmt: skip
    _, listing = app("GET", "/api/calls", claims=claims_of("cmo"))
    progress = json.loads(listing)
    assert (progress["done"], progress["total"]) == (1, 2)


def test_an_answered_call_repeated_after_a_failure_counts_once(app):
    """Given an answered call whose audit entry fails after its attempt was stored, When
    the official sends the outcome again, Then one attempt is stored and the reach event
    repeats with the same attempt number (the tally keys it by visit and attempt)."""
    body = {"outcome": "answered", "answers": {"rating": "4", "work_done": "yes"}}
    app.ports.audit.fail_next_append = "DynamoDB timed out"
    with pytest.raises(RuntimeError):
        app("POST", "/api/calls/c1/outcome", body, claims=claims_of("cmo"))
    status, _ = app("POST", "/api/calls/c1/outcome", body, claims=claims_of("cmo"))
    assert status == 200
    assert len(app.ports.call_attempts.for_list(f"{TODAY}#cmo")["c1"]) == 1
    reach = [d for k, d in app.ports.feedback.events.published if k == "ContactOutcome"]
    assert [(d["visit_key"], d["attempt"], d["outcome"]) for d in reach] == [
        ("c1", 1, "answered"), ("c1", 1, "answered")]  # fmt: skip
    assert [e["what"] for e in app.ports.audit.entries] == ["call_outcome"]


def _outcome(app, visit, what, role="cmo"):
    return app("POST", f"/api/calls/{visit}/outcome", {"outcome": what}, claims=claims_of(role))


def _desk(app, role="cmo"):
    calls = json.loads(app("GET", "/api/calls", claims=claims_of(role))[1])
    return {c["visit_key"]: (c["status"], c["attempts"]) for c in calls["calls"]}, calls


def test_no_answer_returns_to_my_list_at_the_policys_spacing_once(app):
    """Given the CMO's two calls, When one rings out (no answer) and one is busy, Then each
    is handed back to the CMO's own list (not the IVR) as attempt 2, due at the policy's
    spacing (2 h; busy 30 min); the desk shows them as handed back until then, and a
    repeated outcome neither records a second attempt nor schedules a second return (409)."""
    status, text = _outcome(app, "c1", "no_answer")
    assert status == 200 and json.loads(text)["retry_at"] == "2026-11-30T08:00:00Z"
    status, text = _outcome(app, "c2", "busy")
    assert status == 200 and json.loads(text)["retry_at"] == "2026-11-30T06:30:00Z"
    assert _outcome(app, "c1", "no_answer")[0] == 409  # handed back: not callable yet
    scheduled = app.ports.requeue.scheduled
    assert set(scheduled) == {"calldesk#c1#2", "calldesk#c2#2"}
    entry, at = scheduled["calldesk#c1#2"]
    assert entry == {"list_id": f"{TODAY}#cmo", "visit_key": "c1", "language": "or",
                     "attempt": 2, "earlier": 0, "returned_at": "2026-11-30T08:00:00Z"}  # fmt: skip
    assert "kind" not in entry  # a call-list entry, not a dispatch message
    assert at.isoformat() == "2026-11-30T08:00:00+00:00"
    assert len(app.ports.call_attempts.for_list(f"{TODAY}#cmo")["c1"]) == 1
    desk, calls = _desk(app)
    assert desk == {"c1": ("requeued", 1), "c2": ("requeued", 1)}
    assert calls["done"] == 2


def test_a_handed_back_call_is_back_on_my_list_when_due_and_is_called_again(app):
    """Given the CMO's no-answer and busy calls handed back, When the busy one's time comes
    (30 min), Then it is back on the list as a retry (attempt 2) the CMO can Call again and
    record, while the other still waits for its 2 h; a second no-answer hands it back for
    the third and last attempt at the next spacing (4 h)."""
    ports = app.ports
    _outcome(app, "c1", "no_answer")
    _outcome(app, "c2", "busy")
    later = NOW + dt.timedelta(minutes=30)
    ports.clock = lambda: later
    ports.requeue.fire(later, ports.call_lists)
    desk, calls = _desk(app)
    assert desk == {"c1": ("requeued", 1), "c2": ("retry", 1)} and calls["done"] == 1
    assert app("POST", "/api/calls/c2/dial", claims=claims_of("cmo"))[0] == 200
    status, text = _outcome(app, "c2", "no_answer")
    assert status == 200 and json.loads(text)["attempt"] == 2
    assert json.loads(text)["retry_at"] == "2026-11-30T10:30:00Z"  # + 4 h, the 2nd spacing
    assert ports.requeue.scheduled["calldesk#c2#3"][0]["attempt"] == 3
    assert _desk(app)[0]["c2"] == ("requeued", 2)
    last = later + dt.timedelta(hours=4)
    ports.clock = lambda: last
    ports.requeue.fire(last, ports.call_lists)
    assert _desk(app)[0] == {"c1": ("retry", 1), "c2": ("retry", 2)}
    status, text = _outcome(app, "c2", "busy")  # the third and last attempt
    assert status == 200 and json.loads(text) == {
        "visit_key": "c2", "status": "busy", "attempt": 3, "retry_at": "",
        "sms_fallback": True}  # fmt: skip
    assert "calldesk#c2#4" not in ports.requeue.scheduled
    assert _desk(app)[0]["c2"] == ("sms_sent", 3)  # the policy falls back to the SMS survey


def test_a_retry_after_calling_hours_returns_to_the_next_days_list(app):
    """Given a no-answer at 19:30 India time (2 h later is past the 21:00 close), When it is
    handed back, Then it returns at the next opening (09:00) to the CMO's list of that day,
    as attempt 2 with one attempt made earlier, and is callable there; today's list keeps
    it as handed back."""
    ports = app.ports
    evening = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC)  # 19:30 IST
    ports.clock = lambda: evening
    status, text = _outcome(app, "c1", "no_answer")
    assert json.loads(text)["retry_at"] == "2026-12-01T03:30:00Z"  # 09:00 IST
    entry, at = ports.requeue.scheduled["calldesk#c1#2"]
    assert entry["list_id"] == "2026-12-01#cmo" and (entry["attempt"], entry["earlier"]) == (2, 1)
    morning = at + dt.timedelta(minutes=5)
    ports.clock = lambda: morning
    assert _desk(app)[0] == {}  # nothing on the next day's list before the return
    ports.requeue.fire(morning, ports.call_lists)
    desk, calls = _desk(app)
    assert desk == {"c1": ("retry", 1)} and (calls["done"], calls["total"]) == (0, 1)
    assert app("POST", "/api/calls/c1/dial", claims=claims_of("cmo"))[0] == 200
    status, text = _outcome(app, "c1", "no_answer")
    assert status == 200 and json.loads(text)["attempt"] == 2 and json.loads(text)["retry_at"]
    assert ports.requeue.scheduled["calldesk#c1#3"][0]["earlier"] == 1
    ports.clock = lambda: evening
    assert _desk(app)[0]["c1"] == ("requeued", 1)


def test_a_repeated_outcome_after_a_failed_write_is_not_lost_or_doubled(app):
    """Given the attempt's write fails after the hand-over was scheduled, When the official
    sends the outcome again, Then one attempt is stored and one call is scheduled."""
    app.ports.call_attempts.fail_next_record = "DynamoDB timed out"
    with pytest.raises(RuntimeError):
        app("POST", "/api/calls/c1/outcome", {"outcome": "no_answer"}, claims=claims_of("cmo"))
    status, _ = app("POST", "/api/calls/c1/outcome", {"outcome": "no_answer"},
                    claims=claims_of("cmo"))  # fmt: skip
    assert status == 200
    assert list(app.ports.requeue.scheduled) == ["calldesk#c1#2"]
    assert len(app.ports.call_attempts.for_list(f"{TODAY}#cmo")["c1"]) == 1


def test_the_last_attempt_is_not_handed_back(app):
    """Given one call per contact and a policy without SMS fallback, When the call is not
    answered, Then it is neither handed back nor sent by SMS: the desk shows unreachable."""
    app.ports.call_attempts_max = 1
    app.ports.sms_fallback = False
    status, text = app("POST", "/api/calls/c1/outcome", {"outcome": "no_answer"},
                       claims=claims_of("cmo"))  # fmt: skip
    assert status == 200 and json.loads(text)["retry_at"] == ""
    assert app.ports.requeue.scheduled == app.ports.dispatch.scheduled == {}
    calls = json.loads(app("GET", "/api/calls", claims=claims_of("cmo"))[1])["calls"]
    assert {c["visit_key"]: c["status"] for c in calls}["c1"] == "unreachable"


def test_call_bridges_my_registered_phone_and_the_citizen_without_showing_numbers(app):
    """Given a visit on the CMO's list, When Call is pressed, Then the contact centre rings
    the CMO's registered phone, then the citizen; the response and the audit hold no
    number; a finished call or no telephony is a 409."""
    status, text = app("POST", "/api/calls/c1/dial", claims=claims_of("cmo"))
    assert status == 200, text
    assert json.loads(text) == {"visit_key": "c1", "contact_id": "contact-1",
                                "status": "ringing_you"}  # fmt: skip
    assert list(app.ports.bridge.calls.values()) == [(DIRECTORY["officials"]["cmo"]["phone"],
                                                      PHONE)]  # fmt: skip
    entries = app.ports.audit.entries
    assert entries[-1]["what"] == "call_placed" and PHONE not in json.dumps(entries)
    assert "+91" not in text
    app("POST", "/api/calls/c1/outcome", {"outcome": "wrong_number"}, claims=claims_of("cmo"))
    assert app("POST", "/api/calls/c1/dial", claims=claims_of("cmo"))[0] == 409
    app.ports.bridge = None
    assert app("POST", "/api/calls/c2/dial", claims=claims_of("cmo"))[0] == 409


def test_the_reveal_returns_the_number_and_is_audited(app):
    status, text = app("POST", "/api/visits/c1/phone", claims=claims_of("cmo"))
    assert status == 200 and json.loads(text)["phone"] == PHONE
    assert [e["what"] for e in app.ports.audit.entries] == ["number_reveal"]
    assert PHONE not in json.dumps(app.ports.audit.entries)


def test_a_presigned_post_is_bound_to_my_departments_prefix(app):
    status, text = app("POST", "/api/uploads", {"filename": "day.xlsx", "department": "health"},
                       claims=claims_of("data_officer"))  # fmt: skip
    assert status == 200 and json.loads(text)["key"] == "uploads/health/day.xlsx"
    ((_key, content_type, limit),) = app.ports.uploads.presigned
    assert content_type.endswith("spreadsheetml.sheet") and limit == uploads.MAX_UPLOAD_BYTES
    other = app("POST", "/api/uploads", {"filename": "day.csv", "department": "revenue"},
                claims=claims_of("data_officer"))  # fmt: skip
    assert other[0] == 403
    listing = json.loads(app("GET", "/api/uploads", claims=claims_of("data_officer"))[1])
    assert [u["key"] for u in listing["uploads"]] == ["uploads/health/a.csv"]
    foreign = app("GET", "/api/uploads/rejects?key=rejects/revenue/b.csv",
                  claims=claims_of("data_officer"))  # fmt: skip
    assert foreign[0] == 404


def test_sign_in_is_audited_and_a_wrong_password_is_401(app):
    ok = app("POST", "/api/session", {"username": "demo-cmo", "password": "right-password"})
    assert ok[0] == 200 and json.loads(ok[1])["id_token"] == "token-of-demo-cmo"
    bad = app("POST", "/api/session", {"username": "demo-cmo", "password": "wrong"})
    assert bad[0] == 401
    mfa = app("POST", "/api/session", {"username": "mfa.user", "password": "right-password"})
    assert mfa[0] == 401 and "hosted UI" in json.loads(mfa[1])["error"]
    assert [e["what"] for e in app.ports.audit.entries] == [
        "sign_in", "sign_in_refused", "sign_in_challenged"
    ]  # fmt: skip
    assert app("GET", "/api/audit", claims=claims_of("auditor"))[0] == 200


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "field"),
    [
        ("collector", "GET", "/api/cases?level=9", None, "level"),
        ("collector", "GET", "/api/cases?status=lost", None, "status"),
        ("collector", "GET", "/api/cases?overdue=maybe", None, "overdue"),
        ("collector", "GET", "/api/cases?limit=0", None, "limit"),
        ("collector", "GET", "/api/cases?limit=501", None, "limit"),
        ("collector", "GET", "/api/cases?cursor=not-a-cursor", None, "cursor"),
        ("collector", "POST", "/api/cases/case-v2/atr", {"text": "  "}, "text"),
        ("collector", "POST", "/api/cases/case-v2/atr", {"text": "x" * 4001}, "text"),
        ("collector", "POST", "/api/cases/case-v2/transfer", {"reason": "r"}, "to"),
        ("collector", "POST", "/api/cases/case-v2/transfer", {"to": "made-up", "reason": "r"},
         "to"),
        ("collector", "POST", "/api/cases/case-v2/attachments", {"filename": "a.exe"},
         "filename"),
        ("collector", "POST", "/api/cases/case-v2/atr",
         {"text": "done", "attachment": "cases/case-v1/atr/L1-a.pdf"}, "attachment"),
        ("collector", "POST", "/api/cases/case-v2/transfer", {"to": "revenue"}, "reason"),
        ("cmo", "POST", "/api/calls/c1/outcome", {"outcome": "maybe"}, "outcome"),
        ("cmo", "POST", "/api/calls/c1/outcome", {"outcome": "answered"}, "answers"),
        ("cmo", "POST", "/api/calls/c1/outcome",
         {"outcome": "answered", "answers": {"rating": 9}}, "answers"),
        ("cmo", "POST", "/api/calls/c1/outcome",
         {"outcome": "answered", "answers": {"rating": 3, "work_done": "perhaps"}},
         "answers.work_done"),
        ("data_officer", "POST", "/api/uploads", {"filename": "a.csv"}, "department"),
        ("data_officer", "POST", "/api/uploads",
         {"filename": "../../x.csv", "department": "health"}, "filename"),
        ("data_officer", "POST", "/api/uploads",
         {"filename": "a.exe", "department": "health"}, "filename"),
        ("auditor", "GET", "/api/audit?days=0", None, "days"),
        ("grievance_officer", "POST", "/api/erasures", {"reason": "asked"}, "phone"),
        ("grievance_officer", "POST", "/api/erasures", {"phone": "0674 2391234",
         "reason": "asked"}, "phone"),
        ("grievance_officer", "POST", "/api/erasures", {"phone": "9876543210"}, "reason"),
        ("grievance_officer", "POST", "/api/erasures",
         {"phone": "9876543210", "reason": "call back on 91234 56789"}, "reason"),
        ("grievance_officer", "POST", "/api/erasures", {"phone": "9876543210",
         "reason": "x" * 501}, "reason"),
        (None, "POST", "/api/session", {"username": "x"}, "password"),
    ],
)  # fmt: skip
def test_bad_input_is_400_naming_the_field(app, role, method, path, body, field):
    status, text = app(method, path, body, claims=claims_of(role) if role else None)
    assert status == 400, text
    assert json.loads(text)["field"] == field


def test_a_body_that_is_not_json_is_400(app):
    status, text = app("POST", "/api/cases/case-v2/atr", raw_body="text=hi",
                       claims=claims_of("collector"))  # fmt: skip
    assert status == 400 and json.loads(text)["field"] == "body"


def test_pages_render_autoescaped_in_three_languages(app):
    for language in ("or", "hi", "en"):
        status, html = app("GET", f"/cases?lang={language}")
        assert status == 200 and f'lang="{language}"' in html
    assert app("GET", "/nowhere")[0] == 404
    assert "<script>alert" not in app("GET", "/cases?lang=<script>alert(1)</script>")[1]


def test_every_page_has_every_label_in_each_language():
    """Given the workspace's labels, Then Odia, Hindi and English name the same things (a
    label missing in one language would show a blank or a JavaScript "undefined"), and every
    page renders in each of them, the call desk's outcomes named in the page's language."""
    from samvad.workspace import pages

    assert set(pages.LABELS["or"]) == set(pages.LABELS["hi"]) == set(pages.LABELS["en"])
    for language in pages.LANGUAGES:
        for name in pages.PAGES:
            assert pages.render(name, language)[0] == 200
        desk = pages.render("calls", language)[1]
        assert f'<option value="no_answer">{pages.LABELS[language]["out_no_answer"]}' in desk


def test_official_from_claims_scope(app):
    assert official("sp").scope.covers({"department": "police", "district": "cuttack"})
    assert not official("sp").scope.covers({"department": "health", "district": "Cuttack"})


def test_the_dashboard_shows_my_scopes_figures_and_my_cases_ages(app):
    status, text = app("GET", "/api/dashboard", claims=claims_of("collector"))
    board = json.loads(text)
    assert status == 200 and board["cases"] == 3
    assert board["by_level"] == {"L1": 1, "L2": 1, "L4": 1}
    assert board["figures"] == {"feedback": 6, "poor": 2, "sampled": 10}  # Khordha's rows only
    state = json.loads(app("GET", "/api/dashboard", claims=claims_of("cmo"))[1])
    assert state["figures"] == {"feedback": 7, "poor": 2, "sampled": 14}
    # the same counters as the reports read them: named figures, not raw counter names
    assert board["summary"]["sampled"] == 10 and board["summary"]["responses"] == 0
    assert board["summary"]["satisfied_share"] is None  # nothing assessable: no share
    assert board["summary"]["inbound_registered"] == 0
    assert board["my_cases"] == [
        {"case_id": "case-v2", "level": 2, "status": "open",
         "deadline": "2026-12-05T00:00:00Z", "age_days": 2.0}
    ]  # fmt: skip
