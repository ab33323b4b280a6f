"""The public pages of the feedback function URL (the citizen's form, the officials' ATR
page): security headers on every response, the field's own message on every 400, bodies
that are not UTF-8 refused, forged signatures refused without a crash."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from urllib.parse import quote

import pytest
from markupsafe import escape

from samvad import messages
from samvad.escalation.http import handle_atr_request
from samvad.feedback.web import WebRequest, handle_web, request_body
from tests.dispatch_fakes import MORNING, DispatchWorld, visit

FORM = "application/x-www-form-urlencoded"
TOKEN = "tok-1"
REQUIRED_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


class Links:
    """One link, as the links table holds it, spent at most once."""

    def __init__(self, kind: str = "survey", **extra) -> None:
        self.link = {
            "token_id": "id-1",
            "visit_key": "v1",
            "language": "en",
            "kind": kind,
            "expires_at": int(MORNING.timestamp()) + 3600,
            **extra,
        }

    def lookup(self, token: str) -> dict | None:
        return dict(self.link) if token == TOKEN else None

    def use(self, token_id: str, now: dt.datetime) -> bool:
        if self.link.get("used_at"):
            return False
        self.link["used_at"] = now.isoformat()
        return True


def feedback_ports(kind: str = "survey", **extra):
    world = DispatchWorld()
    world.visits.visits["v1"] = visit("v1")
    return dataclasses.replace(world.feedback_ports(), links=Links(kind, **extra))


def post(body: str | bytes | None, ports=None, content_type: str = FORM):
    request = WebRequest("POST", f"/f/{TOKEN}", {}, body, content_type)
    return handle_web(request, ports or feedback_ports())


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def assert_secured(headers: dict[str, str]) -> None:
    found = lower(headers)
    for name, value in REQUIRED_HEADERS.items():
        assert found.get(name) == value, name
    policy = [d.strip() for d in found["content-security-policy"].split(";")]
    assert policy[0] == "default-src 'none'"
    assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy
    assert not any("*" in d or "unsafe-eval" in d or "http" in d for d in policy)
    assert found["content-type"] == "text/html; charset=utf-8"


# -- security headers ------------------------------------------------------------------------


def test_every_form_response_carries_the_security_headers():
    """Given each outcome of the form (shown, thanks, bad post, unknown link, wrong method,
    used, expired), When served, Then every response has the CSP, frame, sniffing and
    referrer headers."""
    responses = [
        handle_web(WebRequest("GET", f"/f/{TOKEN}"), feedback_ports()),
        post(f"token={TOKEN}&rating=9"),
        post(f"token={TOKEN}&rating=4"),
        handle_web(WebRequest("GET", "/f/other"), feedback_ports()),
        handle_web(WebRequest("GET", "/elsewhere"), feedback_ports()),
        handle_web(WebRequest("PUT", f"/f/{TOKEN}"), feedback_ports()),
        handle_web(WebRequest("GET", f"/f/{TOKEN}"), feedback_ports(used_at="x")),
        handle_web(WebRequest("GET", f"/f/{TOKEN}"), feedback_ports(expires_at=1)),
    ]
    assert [r.status for r in responses] == [200, 400, 200, 404, 404, 405, 409, 410]
    for response in responses:
        assert_secured(response.headers)


def test_every_retired_atr_link_response_carries_the_security_headers():
    """Given an old ATR link (any method) and another path, When served, Then every response
    has the same security headers and forms may post nowhere."""
    responses = [handle_atr_request(m, "/atr/case-v1") for m in ("GET", "POST", "PUT")]
    responses.append(handle_atr_request("GET", "/elsewhere"))
    assert [status for status, _, _ in responses] == [410, 410, 410, 404]
    for _, headers, _ in responses:
        assert_secured(headers)
        assert "form-action 'none'" in headers["Content-Security-Policy"]


# -- 400s say what is wrong ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (f"token={TOKEN}&rating=9", "rating"),
        (f"token={TOKEN}&work_done=maybe", "work_done"),
        (f"token={TOKEN}&bribe_asked=perhaps", "bribe_asked"),
        (f"token={TOKEN}&opt_out=no", "opt_out"),
        (f"token={TOKEN}&free_text=" + "a" * 1001, "free_text"),
        (f"token={TOKEN}&rating=4&rating=5", "rating"),
        ("token=someone-else&rating=4", "token"),
        (f"token={TOKEN}", "form"),
        (f"token={TOKEN}&free_text=%FF", "encoding"),
        (f"token={TOKEN}&free_text=" + "a" * 17000, "body"),
    ],
)
def test_every_400_shows_the_message_of_the_field_that_is_wrong(body, field):
    """Given a post with one bad value, When submitted, Then the 400 page shows the catalog's
    message for that field (not the generic one, unless the form itself is the problem)."""
    response = post(body)
    errors = messages.catalog("en")["web"]["errors"]
    assert response.status == 400
    assert escape(errors[field]) in response.body
    if field != "form":
        assert escape(errors["form"]) not in response.body


def test_a_confirmation_without_an_answer_asks_the_resolved_question():
    """Given a confirmation link, When posted with only free text, Then 400 with the
    resolved question's message, and the free text still in the form."""
    response = post(f"token={TOKEN}&free_text=hello", feedback_ports("confirmation"))
    assert response.status == 400
    assert ">hello</textarea>" in response.body  # what they wrote is kept
    assert escape(messages.catalog("en")["web"]["errors"]["resolved"]) in response.body


def test_a_wrong_content_type_names_the_problem():
    """Given a JSON post, When submitted, Then 400 with the content-type message."""
    response = post('{"token": "tok-1"}', content_type="application/json")
    assert response.status == 400
    assert escape(messages.catalog("en")["web"]["errors"]["content_type"]) in response.body


# -- bodies that are not UTF-8 ---------------------------------------------------------------


def test_invalid_utf8_in_a_base64_body_is_refused_and_nothing_is_stored():
    """Given a function URL event whose base64 body decodes to bytes that are not UTF-8,
    When handled, Then 400 names the encoding, and no feedback (no U+FFFD) is stored."""
    raw = f"token={TOKEN}&rating=4&free_text=caf".encode() + b"\xe9"  # Latin-1 é
    ports = feedback_ports()
    body = request_body(base64.b64encode(raw).decode(), is_base64=True)
    response = post(body, ports)
    assert response.status == 400
    assert escape(messages.catalog("en")["web"]["errors"]["encoding"]) in response.body
    assert ports.store.get("v1") is None
    assert ports.links.link.get("used_at") is None


def test_a_valid_base64_body_is_recorded_as_sent():
    """Given a base64 body in UTF-8 with Odia free text, When handled, Then it is stored."""
    raw = f"token={TOKEN}&rating=4&free_text={quote('କାମ ହେଲା')}".encode()
    ports = feedback_ports()
    response = post(request_body(base64.b64encode(raw).decode(), is_base64=True), ports)
    assert response.status == 200
    assert ports.store.get("v1")["free_text"] == "କାମ ହେଲା"


def test_a_body_that_is_not_base64_is_refused():
    """Given a body flagged base64 that is not, When handled, Then 400 names the encoding."""
    response = post(request_body("not base64!", is_base64=True))
    assert response.status == 400
    assert escape(messages.catalog("en")["web"]["errors"]["encoding"]) in response.body


def test_a_refused_post_shows_the_form_again_with_the_citizen_answers():
    """Given a post with one wrong answer among others, When refused (400),
    Then the form comes back with those answers still chosen and the free text kept."""
    body = f"token={TOKEN}&work_done=no&rating=2&bribe_asked=maybe&free_text=Waited+3+hours"
    response = post(body)
    assert response.status == 400
    assert 'name="work_done" value="no" checked' in response.body
    assert 'name="rating" value="2" checked' in response.body
    assert ">Waited 3 hours</textarea>" in response.body
