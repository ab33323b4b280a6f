"""Fakes for the inbound IVR and schemes: a menus document, schemes, a grievance desk."""

from __future__ import annotations

import datetime as dt

from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad.inbound_ivr.prompts import keypad_digits
from samvad.inbound_ivr.service import IvrGrievance, IvrPorts
from samvad.schemes.model import SCHEMES_CONFIG, merged_document, parse_schemes
from tests.fakes import MemoryConfig

NOW = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC)
PHONE = "+919437000001"
MENUS = {
    "departments": [
        {"code": "health", "name": "Health", "services": [
            {"code": "OPD", "name": "Out-patient consultation"},
            {"code": "BSKY", "name": "BSKY card"}],
         "categories": [{"code": "rude_behaviour", "name": "Staff behaviour"},
                        {"code": "delay", "name": "Delay"},
                        {"code": "money_asked", "name": "Money asked"}]},
        {"code": "revenue", "name": "Revenue", "services": [
            {"code": "INCOME_CERTIFICATE", "name": "Income certificate"}],
         "categories": [{"code": "delay", "name": "Delay"}]},
    ],
    "districts": [{"code": "KHU", "name": "Khordha"}, {"code": "PUR", "name": "Puri"}],
    "offices": [
        {"key": "1002", "code": "HLT-KHU-002", "department": "health", "district": "KHU",
         "name": "CHC Khordha"},
        {"key": "1003", "code": "HLT-KHU-003", "department": "health", "district": "KHU",
         "name": "PHC Jatni"},
        {"key": "2001", "code": "HLT-PUR-001", "department": "health", "district": "PUR",
         "name": "DHH Puri"},
    ],
}  # fmt: skip


def scheme_document(keyword: str = "KALIA", **changes) -> dict:
    return {
        "keyword": keyword, "department": "agriculture",
        "title": {"or": "କାଳିଆ", "hi": "कालिया योजना", "en": "KALIA scheme"},
        "summary": {"or": "କୃଷକଙ୍କ ପାଇଁ ସହାୟତା।", "hi": "किसानों को सहायता।",
                    "en": "Support for small farmers."},
        "eligibility": {"en": "Small and marginal farmers"},
        "where_to_apply": {"en": "Your Gram Panchayat office"},
        "valid_from": "2026-04-01", "valid_to": "2027-03-31",
    } | changes  # fmt: skip


class MemoryGrievances:
    """One reference per contact id, as the grievance domain promises."""

    def __init__(self) -> None:
        self.cases: dict[str, tuple[str, IvrGrievance]] = {}
        self.refuse = False

    def register(self, grievance: IvrGrievance) -> str | None:
        if self.refuse:
            return None
        if grievance.contact_id not in self.cases:
            reference = f"OD-7K3M{len(self.cases) + 2}Q"
            self.cases[grievance.contact_id] = (reference, grievance)
        return self.cases[grievance.contact_id][0]

    def status(self, keyed: str, phone: str, language: str) -> str | None:
        for reference, grievance in self.cases.values():
            if grievance.phone == phone and keypad_digits(reference[3:]) == keyed:
                return f"{reference}: open at level 1"
        return None


class MemorySchemeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, phone, scheme, language) -> None:
        self.sent.append((phone, scheme.keyword, language))


def ivr_world(
    schemes: list[dict] | None = None,
) -> tuple[IvrPorts, MemoryGrievances, MemorySchemeSms]:
    entries = [scheme_document()] if schemes is None else schemes
    published = parse_schemes({"schemes": entries}) if entries else []
    config = MemoryConfig(
        {MENUS_CONFIG: MENUS, SCHEMES_CONFIG: merged_document(None, published) if published else {}}
    )
    desk, sms = MemoryGrievances(), MemorySchemeSms()
    ports = IvrPorts(config=config, grievances=desk, scheme_sms=sms, clock=lambda: NOW,
                     recordings="s3://recordings/connect/samvad/CallRecordings")  # fmt: skip
    return ports, desk, sms
