"""SMS keywords GRV and STATUS: parsed in three languages and scripts, routed before any
survey reading, answered once per inbound message."""

from __future__ import annotations

from dataclasses import replace

import pytest

from samvad import resources
from samvad.feedback.sms import handle_sms_reply
from samvad.grievances.keywords import Keyword, parse_keyword
from tests.dispatch_fakes import DispatchWorld, visit
from tests.grievance_fakes import OTHER_PHONE, PHONE, GrievanceWorld, MemoryOffices


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("GRV KHU-PHC-07 The clerk asked for money", "en"),
        ("grv khu-phc-07 The clerk asked for money", "en"),
        ("शिकायत KHU-PHC-०७ The clerk asked for money", "hi"),
        ("ଅଭିଯୋଗ KHU-PHC-୦୭ The clerk asked for money", "or"),
    ],
)
def test_grv_is_read_in_three_languages_with_native_digits(body, language):
    keyword = parse_keyword(body)
    assert keyword == Keyword(
        "grievance", language, office_code="KHU-PHC-07", text="The clerk asked for money"
    )


@pytest.mark.parametrize(
    "body", ["STATUS OD-7K3M9Q", "status od 7k3m9q", "स्थिति OD-७K३M९Q", "ସ୍ଥିତି od-୭k୩m୯q"]
)
def test_status_is_read_in_three_languages(body):
    keyword = parse_keyword(body)
    assert keyword is not None and keyword.kind == "status"
    assert keyword.reference == "OD-7K3M9Q"


@pytest.mark.parametrize(
    ("body", "problem"),
    [("GRV", "office_code"), ("GRV please help", "office_code"), ("GRV KHU-PHC-07", "text"),
     ("STATUS", "reference"), ("STATUS my complaint", "reference")],
)  # fmt: skip
def test_garbage_after_a_keyword_names_what_is_missing(body, problem):
    keyword = parse_keyword(body)
    assert keyword is not None and keyword.problem == problem


@pytest.mark.parametrize("body", ["4 Y", "1", "STOP", "", "hello GRV", "grievances"])
def test_other_messages_are_not_keywords(body):
    assert parse_keyword(body) is None


def setup() -> tuple[DispatchWorld, GrievanceWorld, object]:
    feedback, grievances = DispatchWorld(), GrievanceWorld()
    feedback.visits.visits["v1"] = visit("v1")
    gports = replace(grievances.ports, offices=MemoryOffices(), sms=feedback.sms)
    ports = replace(feedback.feedback_ports(), grievances=gports)
    return feedback, grievances, ports


def inbound(body: str, message_id: str = "in-1", phone: str = PHONE) -> dict:
    return {
        "originationNumber": phone,
        "destinationNumber": "+918000000000",
        "messageBody": body,
        "inboundMessageId": message_id,
    }


def test_a_grv_sms_registers_one_grievance_at_the_office_even_when_replayed():
    feedback, grievances, ports = setup()
    body = "GRV KHU-PHC-07 clerk asked 200 rupees, stop this"
    results = [handle_sms_reply(inbound(body), ports) for _ in range(3)]
    assert results == ["grievance_registered"] * 3
    [event] = [d for t, d in grievances.events.published if t == resources.GRIEVANCE_REGISTERED]
    assert (event["department"], event["office_code"], event["district"]) == (
        "health",
        "KHU-PHC-07",
        "Khurda",
    )
    assert not feedback.contacts.opted  # "stop" inside a grievance is not an opt-out
    [(phone, text)] = feedback.sms.sent
    assert phone == PHONE and event["reference"] in text.body


def test_an_unknown_office_code_gets_help_and_is_kept_in_the_rejects():
    feedback, grievances, ports = setup()
    assert handle_sms_reply(inbound("GRV XYZ-99 no water"), ports) == "grievance_not_understood"
    assert handle_sms_reply(inbound("GRV XYZ-99 no water"), ports) == "grievance_not_understood"
    [kept] = grievances.store.rejects(grievances.now.date().isoformat())
    assert (kept["field"], kept["text"]) == ("office_code", "no water")
    assert len(feedback.sms.sent) == 1 and "GRV" in feedback.sms.sent[0][1].body


def test_status_by_sms_answers_the_registering_phone_in_its_language():
    feedback, grievances, ports = setup()
    handle_sms_reply(inbound("ଅଭିଯୋଗ KHU-PHC-07 ଟଙ୍କା ମାଗିଲେ"), ports)
    [event] = [d for t, d in grievances.events.published if t == resources.GRIEVANCE_REGISTERED]
    reference = event["reference"]
    assert handle_sms_reply(inbound(f"STATUS {reference}", "in-2"), ports) == "status_sent"
    reply = feedback.sms.sent[-1][1]
    assert reply.language == "or" and reference in reply.body and "ପଞ୍ଜିକୃତ" in reply.body


def test_status_by_sms_from_another_phone_is_refused():
    feedback, grievances, ports = setup()
    handle_sms_reply(inbound("GRV KHU-PHC-07 rude staff"), ports)
    reference = grievances.events.published[0][1]["reference"]
    result = handle_sms_reply(inbound(f"STATUS {reference}", "in-2", OTHER_PHONE), ports)
    assert result == "status_no_match"
    assert feedback.sms.sent[-1][0] == OTHER_PHONE
    assert reference not in feedback.sms.sent[-1][1].body


def test_a_survey_reply_still_goes_to_the_survey_when_grievances_are_wired():
    _feedback, _grievances, ports = setup()
    assert handle_sms_reply(inbound("4 Y"), ports) == "no_contact"


def test_a_citizens_answer_by_grv_reference_goes_on_the_case_trail_only_from_their_phone():
    _feedback, grievances, ports = setup()
    handle_sms_reply(inbound("GRV KHU-PHC-07 rude staff"), ports)
    event = grievances.events.published[0][1]
    grievances.cases.cases[event["case_id"]] = {"case_id": event["case_id"], "round": 1}
    reply = f"GRV {event['reference']} counter 3, Monday"
    assert handle_sms_reply(inbound(reply, "in-2", OTHER_PHONE), ports) == "no_match"
    assert handle_sms_reply(inbound(reply, "in-3"), ports) == "answer_received"
    [entry] = grievances.cases.cases[event["case_id"]]["audit"]
    assert (entry["what"], entry["text"]) == ("answer_received", "counter 3, Monday")
