"""In-memory fakes of the grievance ports, and a world that wires them (domain tests)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace

from samvad.dispatch.pacing import MemoryRateLimiter
from samvad.dispatch.policy import NotifyPolicy
from samvad.grievances import GrievancePorts, Submission
from samvad.pii import PhoneHasher
from tests.dispatch_fakes import RecordingSms
from tests.fakes import FIXED_NOW, HASH_KEY, MemoryConfig, MemoryEvents


class MemoryGrievanceStore:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.rejected: dict[str, dict[str, dict]] = {}
        self.fail_next_claim = 0

    def claim(self, key, item, now):
        if self.fail_next_claim:
            self.fail_next_claim -= 1
            raise RuntimeError("injected fault")
        stored = self.items.get(key)
        expires = (stored or {}).get("expires_at")
        if stored is not None and (expires is None or int(expires) > now):
            return copy.deepcopy(stored), False
        self.items[key] = copy.deepcopy(item)
        return copy.deepcopy(item), True

    def get(self, key):
        return copy.deepcopy(self.items.get(key))

    def put(self, key, item):
        self.items[key] = copy.deepcopy(item)

    def add_reject(self, day, reject_id, item):
        day_rejects = self.rejected.setdefault(day, {})
        if reject_id in day_rejects:
            return False
        day_rejects[reject_id] = copy.deepcopy(item)
        return True

    def rejects(self, day):
        return list(self.rejected.get(day, {}).values())


class MemoryCitizens:
    def __init__(self) -> None:
        self.visits: dict[str, dict] = {}

    def keep(self, visit_key, fields):
        self.visits[visit_key] = dict(fields)

    def phone(self, visit_key):
        return (self.visits.get(visit_key) or {}).get("phone")


class MemoryCases:
    def __init__(self) -> None:
        self.cases: dict[str, dict] = {}

    def get(self, case_id):
        return copy.deepcopy(self.cases.get(case_id))

    def append(self, case_id, round_, fields, entry):
        case = self.cases.get(case_id)
        if case is None or int(case.get("round", 0)) != round_:
            return False
        case.update(fields)
        case.setdefault("audit", []).append(dict(entry))
        return True


class GrievanceWorld:
    def __init__(self, config: dict | None = None, limits: bool = True) -> None:
        self.store = MemoryGrievanceStore()
        self.citizens = MemoryCitizens()
        self.cases = MemoryCases()
        self.events = MemoryEvents()
        self.sms = RecordingSms()
        self.limiter = MemoryRateLimiter()
        self.config = MemoryConfig({"grievances": config} if config else {})
        self.now = FIXED_NOW
        self.ports = GrievancePorts(
            store=self.store,
            citizens=self.citizens,
            cases=self.cases,
            events=self.events,
            hasher=PhoneHasher(HASH_KEY),
            config=self.config,
            limiter=self.limiter if limits else None,
            sms=self.sms,
            policy=NotifyPolicy(),
            clock=lambda: self.now,
        )

    def later(self, **delta: float) -> None:
        self.now = self.now + dt.timedelta(**delta)


PHONE = "+919876543210"
OTHER_PHONE = "+919812345678"


def submission(**changes: object) -> Submission:
    base = Submission(
        channel="sms",
        phone=PHONE,
        department="health",
        service="OPD",
        office_code="KHU-PHC-07",
        category="money_asked",
        text="The clerk asked for 200 rupees",
        voice_key=None,
        language="or",
        source_id="msg-1",
        source="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class RecordingTasks:
    def __init__(self) -> None:
        self.started: dict[str, dict] = {}
        self.successes: list[tuple[str, dict]] = []

    def start(self, name, payload):
        if name in self.started:
            return False
        self.started[name] = copy.deepcopy(payload)
        return True

    def send_success(self, token, output):
        self.successes.append((token, output))
        return True


DIRECTORY = {
    "officials": {
        "head-khu": {"name": "Office Head", "title": "Medical Officer"},
        "dc-khurda": {"name": "Collector", "title": "Collector"},
        "sec-health": {"name": "Secretary", "title": "Secretary"},
        "cmo": {"name": "CMO", "title": "CM's office"},
    },
    "office_heads": {"KHU-PHC-07": "head-khu"},
    "district": {"Khurda": "dc-khurda"},
    "department": {"health": "sec-health"},
    "cm_office": "cmo",
}


class MemoryOffices:
    def __init__(self, offices: dict[str, list[dict]] | None = None) -> None:
        self.offices = offices or {
            "KHU-PHC-07": [
                {
                    "department": "health",
                    "office_code": "KHU-PHC-07",
                    "office_name": "PHC Khurda",
                    "district": "Khurda",
                }
            ]
        }

    def find(self, office_code):
        return list(self.offices.get(office_code, []))
