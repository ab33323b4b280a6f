"""In-memory ports for the workspace's use cases, with a small world of cases and calls."""

from __future__ import annotations

import copy
import datetime as dt

from samvad.escalation.cases import EscalationPorts
from samvad.feedback.service import FeedbackPorts
from samvad.workspace.ports import BadCursor, WorkspacePorts
from samvad.workspace.roles import official_from_claims
from tests.fakes import MemoryConfig

NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)  # 11:30 IST
TODAY = "2026-11-30"
PHONE = "+919876543210"


class MemoryCases:
    def __init__(self, cases: list[dict]):
        self.items = {c["case_id"]: c for c in cases}

    def get(self, case_id):
        found = self.items.get(case_id)
        return copy.deepcopy(found) if found else None

    def page(self, scope, filters, limit, cursor=""):
        """As the query answers: matching cases newest first, ``limit`` at a time."""
        if cursor and not cursor.isdigit():
            raise BadCursor("not a cursor this list gave")
        wanted = dict(scope)
        for name in ("status", "service", "office_code", "level"):
            if getattr(filters, name) not in ("", None):
                wanted[name] = getattr(filters, name)

        def passes(case):
            holder = case["holder"]["official_id"]
            return (
                all(case.get(k) == v for k, v in wanted.items())
                and case["status"] != filters.not_status
                and (not filters.holder or holder == filters.holder)
                and holder != filters.not_holder
            )

        found = sorted(
            (c for c in self.items.values() if passes(c)),
            key=lambda c: (c.get("opened_at", ""), c["case_id"]),
            reverse=True,
        )
        start = int(cursor or 0)
        after = start + limit if start + limit < len(found) else ""
        return [copy.deepcopy(c) for c in found[start : start + limit]], str(after)

    def set_signal(self, case_id, kind, round_, signal, entry):
        case = self.items[case_id]
        if case["round"] != round_ or (case["signals"].get(kind) or {}).get("round") == round_:
            return None
        case["signals"][kind] = signal
        case["audit"].append(entry)
        return copy.deepcopy(case)

    def append(self, case_id, round_, fields, entry):
        case = self.items[case_id]
        if case["round"] != round_:
            return False
        case.update(fields)
        case["audit"].append(entry)
        return True

    def mark_delivered(self, case_id, kind, round_):
        self.items[case_id]["signals"][kind]["delivered"] = True


class MemoryTasks:
    def __init__(self):
        self.sent = []

    def send_success(self, token, output):
        self.sent.append((token, output))
        return True

    def start(self, name, payload):
        return True


class MemoryStore:
    def __init__(self):
        self.items = {}

    def put_new(self, key, item):
        if key in self.items:
            return False
        self.items[key] = dict(item)
        return True

    def get(self, key):
        return self.items.get(key)

    def mark_published(self, key):
        self.items[key]["published"] = True


class MemoryVisits:
    def __init__(self, visits):
        self.items = {v["visit_key"]: v for v in visits}

    def get(self, key):
        return dict(self.items[key]) if key in self.items else None


class MemoryEvents:
    def __init__(self):
        self.published = []

    def publish(self, detail_type, detail):
        self.published.append((detail_type, detail))


class MemoryCallLists:
    def __init__(self, lists):
        self.lists = copy.deepcopy(lists)

    def entries(self, list_id):
        return [dict(e) for e in self.lists.get(list_id, [])]

    def put(self, entry):
        """As DynamoDB's PutItem on (list_id, visit_key): replace or add."""
        found = self.lists.setdefault(entry["list_id"], [])
        found[:] = [e for e in found if e["visit_key"] != entry["visit_key"]] + [dict(entry)]


class MemoryAttempts:
    def __init__(self):
        self.items: dict[str, dict[str, list[dict]]] = {}
        self.fail_next_record: str | None = None  # the next record_as raises this, once

    def for_list(self, list_id):
        return copy.deepcopy(self.items.get(list_id, {}))

    def record_as(self, list_id, visit_key, number, attempt):
        if self.fail_next_record is not None:
            error, self.fail_next_record = self.fail_next_record, None
            raise RuntimeError(error)
        tries = self.items.setdefault(list_id, {}).setdefault(visit_key, [])
        if len(tries) >= number:
            return False
        tries.append(attempt)
        return True


class MemoryBridge:
    """The contact centre: who was rung, and then joined, per reference."""

    def __init__(self):
        self.calls = {}

    def bridge(self, official_phone, citizen_phone, reference):
        self.calls.setdefault(reference, (official_phone, citizen_phone))
        return f"contact-{len(self.calls)}"


class MemoryRequeue:
    """The hand-backs scheduled, by schedule name (a name is scheduled once); ``fire``
    does what the schedules do when due: put the entry on its call list."""

    def __init__(self):
        self.scheduled = {}
        self.fired = set()

    def later(self, entry, at, name):
        self.scheduled.setdefault(name, (dict(entry), at))

    def fire(self, until, call_lists):
        for name, (entry, at) in self.scheduled.items():
            if at <= until and name not in self.fired:
                call_lists.put(entry)
                self.fired.add(name)


class MemoryDispatchHandOff:
    """The dispatch messages handed to the dispatcher, by schedule name (a name is
    scheduled once, as Scheduler refuses a second schedule of the same name)."""

    def __init__(self):
        self.scheduled = {}
        self.handed = 0

    def later(self, message, at, name):
        self.handed += 1
        self.scheduled.setdefault(name, (dict(message), at))


class MemoryUploads:
    def __init__(self, uploads):
        self.uploads = uploads
        self.presigned = []
        self.objects: dict[str, bytes] = {}  # what was posted to the presigned links

    def first_bytes(self, key, count):
        return self.objects[key][:count] if key in self.objects else None

    def presign(self, key, content_type, max_bytes):
        self.presigned.append((key, content_type, max_bytes))
        return {"url": "https://bucket.example", "fields": {"key": key}}

    def list(self, prefix):
        return [u for u in self.uploads if u["key"].startswith(prefix)]

    def download_url(self, key):
        return f"https://bucket.example/{key}?signed"


class MemoryAudit:
    def __init__(self):
        self.entries = []
        self.fail_next_append: str | None = None  # the next append raises this, once

    def append(self, entry):
        if self.fail_next_append is not None:
            error, self.fail_next_append = self.fail_next_append, None
            raise RuntimeError(error)
        self.entries.append(dict(entry))

    def append_once(self, entry, key, unless=()):
        taken = self.__dict__.setdefault("keys", set())
        if key in taken or taken & set(unless):
            return False
        taken.add(key)
        self.entries.append(dict(entry))
        return True

    def recent(self, today, days, limit):
        return list(reversed(self.entries))[:limit]


class MemoryTallies:
    def __init__(self, partitions):
        self.partitions = partitions

    def rows(self, partition, prefix=""):
        return [dict(r) for r in self.partitions.get(partition, [])]


TALLIES = {
    "month#2026-11": [
        {"department": "health", "district": "Khordha", "office_code": "K1",
         "official_id": "o1", "sampled": 10, "feedback": 6, "poor": 2},
        {"department": "revenue", "district": "Cuttack", "office_code": "C1",
         "official_id": "o2", "sampled": 4, "feedback": 1, "poor": 0},
    ]
}  # fmt: skip


class MemoryNotifier:
    def __init__(self):
        self.sent = []

    def notify(self, official_id, text):
        self.sent.append((official_id, text))


class MemoryIdentity:
    """Sign-in against a dict of ``username → (password, official_id)``."""

    def __init__(self, users):
        self.users = users

    def sign_in(self, username, password):
        known = self.users.get(username)
        if not known or known[0] != password:
            return None
        if known[1] is None:
            return {"challenge": "SOFTWARE_TOKEN_MFA"}
        return {"id_token": f"token-of-{username}", "expires_in": 3600, "official_id": known[1]}


DIRECTORY = {
    "officials": {
        i: {"name": i, "phone": f"+9197000000{n:02d}"}
        for n, i in enumerate(
            [
                "head-k1",
                "head-c1",
                "collector-khordha",
                "collector-cuttack",
                "sec-health",
                "sec-revenue",
                "cmo",
            ]
        )
    },
    "office_heads": {"K1": "head-k1", "C1": "head-c1"},
    "district": {"Khordha": "collector-khordha", "Cuttack": "collector-cuttack"},
    "department": {"health": "sec-health", "revenue": "sec-revenue"},
    "cm_office": "cmo",
}


def case(case_id, department, district, office, level, holder, status="open"):
    return {
        "case_id": case_id,
        "visit_key": case_id.removeprefix("case-"),
        "department": department,
        "district": district,
        "office_code": office,
        "office_name": f"Office {office}",
        "service": "opd",
        "level": level,
        "round": level,
        "status": status,
        "stage": "awaiting_atr",
        "holder": {"level": level, "official_id": holder, "name": holder, "title": ""},
        "deadline": "2026-12-05T00:00:00Z",
        "opened_at": "2026-11-28T06:00:00Z",
        "reasons": ["low_rating"],
        "waits": {"atr": {"round": level, "token": "t"}},
        "signals": {},
        "audit": [],
    }


CASES = [
    case("case-v1", "health", "Khordha", "K1", 1, "head-k1"),
    case("case-v2", "health", "Khordha", "K1", 2, "collector-khordha"),
    case("case-v3", "revenue", "Cuttack", "C1", 1, "head-c1"),
    case("case-v4", "health", "Cuttack", "C1", 3, "sec-health"),
    case("case-v5", "revenue", "Khordha", "K2", 4, "cmo"),
]


def visit(key, department, district, office):
    return {
        "visit_key": key,
        "phone": PHONE,
        "department": department,
        "district": district,
        "office_code": office,
        "office_name": f"Office {office}",
        "service": "opd",
        "language": "or",
        "visit_date": "2026-11-29",
    }


VISITS = [
    visit("v1", "health", "Khordha", "K1"),
    visit("v2", "health", "Khordha", "K1"),
    visit("v3", "revenue", "Cuttack", "C1"),
    visit("v4", "health", "Cuttack", "C1"),
    visit("v5", "revenue", "Khordha", "K2"),
    visit("c1", "health", "Khordha", "K1"),
    visit("c2", "revenue", "Cuttack", "C1"),
]
CALL_LISTS = {
    f"{TODAY}#cmo": [{"visit_key": "c1", "language": "or"}, {"visit_key": "c2", "language": "or"}],
    f"{TODAY}#collector-khordha": [{"visit_key": "c1", "language": "or"}],
}
UPLOADS = [
    {"key": "uploads/health/a.csv", "report": {"rejects_key": "rejects/health/a.csv"}},
    {"key": "uploads/revenue/b.csv", "report": {}},
]


def world() -> WorkspacePorts:
    store = MemoryStore()
    visits = MemoryVisits(VISITS)
    config = MemoryConfig({"escalation/directory": DIRECTORY})
    cases = MemoryCases(copy.deepcopy(CASES))
    return WorkspacePorts(
        escalation=EscalationPorts(
            cases=cases,
            tasks=MemoryTasks(),
            phone_of=lambda k: PHONE,
            config=config,
            clock=lambda: NOW,
        ),
        case_views=cases,
        call_lists=MemoryCallLists(CALL_LISTS),
        call_attempts=MemoryAttempts(),
        visits=visits,
        feedback=FeedbackPorts(
            store=store,
            visits=visits,
            contacts=None,
            events=MemoryEvents(),
            hasher=lambda p: "hash",
            clock=lambda: NOW,
        ),
        uploads=MemoryUploads(UPLOADS),
        audit=MemoryAudit(),
        notifier=MemoryNotifier(),
        tallies=MemoryTallies(TALLIES),
        bridge=MemoryBridge(),
        requeue=MemoryRequeue(),
        dispatch=MemoryDispatchHandOff(),
        clock=lambda: NOW,
    )


CLAIMS = {
    "cmo": {"custom:official_id": "cmo"},
    "minister": {"custom:official_id": "minister-health", "custom:department": "health"},
    "secretary": {"custom:official_id": "sec-health", "custom:department": "health"},
    "collector": {"custom:official_id": "collector-khordha", "custom:district": "Khordha"},
    "sp": {
        "custom:official_id": "sp-cuttack",
        "custom:district": "Cuttack",
        "custom:department": "police",
    },
    "office_head": {"custom:official_id": "head-k1", "custom:office_code": "K1"},
    "caller": {"custom:official_id": "contact-centre"},
    "data_officer": {"custom:official_id": "data-health", "custom:department": "health"},
    "auditor": {"custom:official_id": "auditor"},
    "grievance_officer": {"custom:official_id": "grievance-officer"},
}


def claims_of(role: str) -> dict:
    return {"cognito:groups": [role], "token_use": "id", **CLAIMS[role]}


def official(role: str):
    return official_from_claims(claims_of(role), "10.0.0.1")


class MemoryErasureRequests:
    """``samvad.workspace.erasures.ErasureRequests`` in memory: the request's receipt, the
    erasure's own receipt and the audit entry stored together, once per request id."""

    def __init__(self):
        self.receipts: dict[str, dict] = {}
        self.erased: list[dict] = []
        self.entries: list[dict] = []
        self.fail_next = False  # a failure of the one write: nothing of it is stored

    def get(self, request_id):
        return self.receipts.get(request_id)

    def record(self, erased, receipt, entry):
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the write failed")
        if receipt["request_id"] in self.receipts:
            return
        self.receipts[receipt["request_id"]] = dict(receipt)
        self.erased.append(dict(erased))
        self.entries.append(dict(entry))

    def recent(self, limit):
        return list(self.receipts.values())[:limit]
