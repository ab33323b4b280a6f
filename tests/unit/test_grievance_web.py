"""The grievance form ``/g`` and status page on fakes: one-time codes, 4xx naming the field,
one grievance per form however often it is posted, status only with the phone's code."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from samvad import resources
from samvad.feedback.web import WebRequest, handle_web
from samvad.messages.languages import texts
from tests.dispatch_fakes import DispatchWorld
from tests.grievance_fakes import OTHER_PHONE, GrievanceWorld

FORM = "application/x-www-form-urlencoded"
LOCAL_PHONE = "98765 43210"


def setup(config: dict | None = None):
    feedback, grievances = DispatchWorld(), GrievanceWorld(config)
    gports = replace(grievances.ports, sms=feedback.sms)
    return feedback, grievances, replace(feedback.feedback_ports(), grievances=gports)


def get(ports, path: str, language: str = "or"):
    return handle_web(WebRequest("GET", path, {"lang": language}), ports)


def post(ports, path: str, fields: dict, language: str = "or", source: str = "203.0.113.5"):
    request = WebRequest("POST", path, {"lang": language}, urlencode(fields), FORM, source)
    return handle_web(request, ports)


def last_code(feedback: DispatchWorld) -> str:
    return re.findall(r"\b\d{6}\b", feedback.sms.sent[-1][1].body)[0]


def form_id(body: str) -> str:
    return re.search(r'name="form_id" value="([^"]+)"', body).group(1)


def submit_fields(feedback, body, **changes) -> dict:
    fields = {
        "phone": LOCAL_PHONE,
        "form_id": form_id(body),
        "code": last_code(feedback),
        "service": "health/OPD",
        "office_code": "KHU-PHC-07",
        "category": "money_asked",
        "text": "The clerk asked for 200 rupees",
    }
    return {**fields, **changes}


@pytest.mark.parametrize("language", ["or", "hi", "en"])
def test_the_start_page_is_in_the_citizens_language(language):
    _f, _g, ports = setup()
    page = get(ports, "/g", language)
    assert page.status == 200 and f'lang="{language}"' in page.body
    assert texts(language)["grievance"]["web"]["phone_label"] in page.body


def test_a_code_is_sent_and_the_form_registers_one_grievance_however_often_posted():
    feedback, grievances, ports = setup()
    form = post(ports, "/g/code", {"phone": LOCAL_PHONE})
    assert form.status == 200 and 'name="form_id"' in form.body
    assert feedback.sms.sent[-1][0] == "+919876543210"
    fields = submit_fields(feedback, form.body)
    pages = [post(ports, "/g", fields) for _ in range(3)]
    assert [p.status for p in pages] == [200, 200, 200]
    references = {re.search(r'id="reference">([^<]+)<', p.body).group(1) for p in pages}
    [reference] = references
    events = [d for t, d in grievances.events.published if t == resources.GRIEVANCE_REGISTERED]
    assert [e["reference"] for e in events] == [reference]
    assert events[0]["channel"] == "web" and events[0]["language"] == "or"


def test_a_wrong_code_is_refused_with_403_naming_the_code():
    feedback, grievances, ports = setup()
    form = post(ports, "/g/code", {"phone": LOCAL_PHONE})
    page = post(ports, "/g", submit_fields(feedback, form.body, code="000000"))
    assert page.status == 403 and 'id="code" name="code"' in page.body
    assert 'aria-invalid="true"' in page.body.split('id="code"')[1].split(">")[0]
    assert not grievances.events.published


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"category": ""}, "category"), ({"service": "health/NOPE"}, "service"),
     ({"service": ""}, "service"), ({"office_code": "K H U!"}, "office_code"),
     ({"text": "x" * 2001}, "text")],
)  # fmt: skip
def test_a_bad_field_is_refused_with_400_naming_it_and_the_input_kept(changes, field):
    feedback, _g, ports = setup()
    form = post(ports, "/g/code", {"phone": LOCAL_PHONE})
    page = post(ports, "/g", submit_fields(feedback, form.body, **changes))
    assert page.status == 400
    tag = page.body.split(f'id="{field}"')[1].split(">")[0]
    assert 'aria-invalid="true"' in tag
    assert "The clerk asked" in page.body or field == "text"


def test_a_bad_phone_is_refused_with_400():
    feedback, _g, ports = setup()
    page = post(ports, "/g/code", {"phone": "12345"})
    assert page.status == 400 and not feedback.sms.sent


def test_codes_are_rate_limited_per_phone_and_per_source():
    feedback, _g, ports = setup({"limits": {"status_per_hour": 2}})
    pages = [post(ports, "/g/code", {"phone": LOCAL_PHONE}) for _ in range(3)]
    assert [p.status for p in pages] == [200, 200, 429]
    others = [
        post(ports, "/g/code", {"phone": f"98765 000{i:02d}"}, source="198.51.100.1")
        for i in range(3)
    ]
    assert [p.status for p in others] == [200, 200, 429]
    assert len(feedback.sms.sent) == 4


def register_by_web(feedback, ports) -> str:
    form = post(ports, "/g/code", {"phone": LOCAL_PHONE})
    page = post(ports, "/g", submit_fields(feedback, form.body))
    return re.search(r'id="reference">([^<]+)<', page.body).group(1)


@pytest.mark.parametrize("language", ["or", "hi", "en"])
def test_the_status_page_shows_state_level_and_last_action_after_the_code(language):
    feedback, _g, ports = setup()
    reference = register_by_web(feedback, ports)
    asked = post(ports, "/g/status/code", {"reference": reference, "phone": LOCAL_PHONE}, language)
    assert asked.status == 200
    fields = {"reference": reference, "phone": LOCAL_PHONE, "code": last_code(feedback)}
    view = post(ports, "/g/status", fields, language)
    assert view.status == 200
    words = texts(language)["grievance"]
    assert words["states"]["registered"] in view.body and reference in view.body


def test_the_status_page_sends_no_code_for_another_phone_and_says_the_same():
    feedback, _g, ports = setup()
    reference = register_by_web(feedback, ports)
    sent = len(feedback.sms.sent)
    other = post(ports, "/g/status/code", {"reference": reference, "phone": OTHER_PHONE[3:]})
    right = post(ports, "/g/status/code", {"reference": reference, "phone": LOCAL_PHONE})
    assert other.status == right.status == 200
    assert len(feedback.sms.sent) == sent + 1 and feedback.sms.sent[-1][0] == "+919876543210"
    wrong = {"reference": reference, "phone": OTHER_PHONE[3:], "code": last_code(feedback)}
    assert post(ports, "/g/status", wrong).status == 403


def test_a_bad_reference_is_refused_with_400():
    _f, _g, ports = setup()
    page = post(ports, "/g/status/code", {"reference": "hello", "phone": LOCAL_PHONE})
    assert page.status == 400 and 'aria-invalid="true"' in page.body


def test_an_unreadable_body_is_400_and_an_unknown_path_404():
    _f, _g, ports = setup()
    bad = handle_web(WebRequest("POST", "/g", {}, None, FORM), ports)
    assert bad.status == 400
    assert get(ports, "/g/nothing").status == 404
