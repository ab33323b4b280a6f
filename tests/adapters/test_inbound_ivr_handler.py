"""The inbound IVR handler on moto: Connect's invocations register one grievance per contact
(replayed three times), tell its status only to the same number, and never log the number."""

from __future__ import annotations

import json

import boto3
import pytest

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad.inbound_ivr.prompts import keypad_digits
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler
from tests.inbound_fakes import MENUS, PHONE

CHOICES = {"language": "en", "department": "health", "service": "OPD", "district": ""}


def connect_event(parameters: dict, contact_id: str = "contact-1", phone: str = PHONE) -> dict:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": contact_id, "InitialContactId": contact_id, "Channel": "VOICE",
                "Attributes": {}, "InitiationMethod": "INBOUND",
                "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"},
                "SystemEndpoint": {"Address": "+911800000000", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": parameters,
        },
    }  # fmt: skip


@pytest.fixture
def ivr(stack):
    config = DynamoConfig(stack.table(resources.CONFIG))
    config.publish(MENUS_CONFIG, MENUS)
    return load_handler("inbound_ivr")


def register(handler, contact_id="contact-1"):
    parameters = {"action": "register", "office": "HLT-KHU-002", "category": "delay",
                  "voice_message": "true", **CHOICES}  # fmt: skip
    return handler.lambda_handler(connect_event(parameters, contact_id), Context())


def test_a_contact_replayed_three_times_registers_one_grievance(ivr, stack, capsys):
    """Given Connect invoking register three times for one contact, Then the same reference
    each time, one item for it in the Grievances table, and no log line holds the number."""
    answers = [register(ivr) for _ in range(3)]
    assert {a["result"] for a in answers} == {"ok"}
    assert len({a["value"] for a in answers}) == 1
    items = boto3.client("dynamodb").scan(TableName=stack.table(resources.GRIEVANCES))["Items"]
    assert len([i for i in items if i["pk"]["S"].startswith("ref#")]) == 1
    logged = capsys.readouterr()
    assert PHONE[-10:] not in logged.out + logged.err
    assert all(PHONE[-10:] not in json.dumps(a, ensure_ascii=False) for a in answers)


def test_the_status_is_told_to_the_same_number_only(ivr):
    """Given a registered grievance, When its reference is keyed from the same number, Then
    its status; from another number, not found."""
    reference = register(ivr)["value"]
    keyed = keypad_digits(reference[3:])
    parameters = {"action": "status", "reference": keyed, "language": "en"}
    mine = ivr.lambda_handler(connect_event(parameters, "contact-2"), Context())
    other = ivr.lambda_handler(connect_event(parameters, "contact-3", "+919812345678"), Context())
    assert mine["result"] == "ok" and " ".join(reference[3:]) in mine["detail"]
    assert other["result"] == "not_found"


def test_the_menus_come_from_config(ivr):
    """Given the published menus, When the department menu is asked for, Then it lists them."""
    answer = ivr.lambda_handler(
        connect_event({"action": "menu", "step": "department", **CHOICES}), Context()
    )
    assert answer["menu"] == "For Health, press 1. For Revenue, press 2."
    assert answer["mode"] == "tts" and answer["language"] == "en"
