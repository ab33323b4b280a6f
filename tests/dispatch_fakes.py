"""In-memory ports for the dispatch and feedback domain, with the adapters' semantics."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from samvad.dispatch.pacing import MemoryRateLimiter
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import FINAL_STATUSES, ChannelThrottled, DispatchPorts
from samvad.feedback.service import FeedbackPorts

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
MORNING = dt.datetime(2026, 11, 23, 10, 0, tzinfo=IST)
PHONE = "+919876543210"


class SimClock:
    """A clock the test moves; ``sleep`` moves it too (as the local runtime's does)."""

    def __init__(self, start: dt.datetime = MORNING):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class MemoryDispatchLedger:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict] = {}

    def claim(self, contact, now, stale_before) -> bool:
        entry = (contact.key, f"attempt#{contact.attempt:02d}")
        existing = self.items.get(entry)
        reclaimable = (
            existing is None
            or existing["outcome"] == "unplaced"
            or (
                existing["outcome"] == "claimed"
                and existing["claimed_at"] < stale_before.isoformat()
            )
        )
        state = self.items.get((contact.key, "state"), {})
        if not reclaimable or state.get("status") in FINAL_STATUSES:
            return False
        self.items[entry] = {
            "outcome": "claimed",
            "channel": contact.channel,
            "claimed_at": now.isoformat(),
            "message": json.loads(json.dumps(contact.to_message())),
        }
        self.items[(contact.key, "state")] = {
            **state,
            "status": "in_progress",
            "attempts": contact.attempt,
        }
        return True

    def placed(self, contact, outcome, reference, now) -> None:
        item = self.items[(contact.key, f"attempt#{contact.attempt:02d}")]
        item.update(outcome=outcome, placed_at=now.isoformat())
        if reference:
            item["reference"] = reference

    def unplaced(self, contact, reason) -> None:
        self.items[(contact.key, f"attempt#{contact.attempt:02d}")].update(
            outcome="unplaced", reason=reason
        )

    def state(self, key):
        found = self.items.get((key, "state"))
        return dict(found) if found else None

    def attempt(self, key, attempt):
        found = self.items.get((key, f"attempt#{attempt:02d}"))
        return json.loads(json.dumps(found)) if found else None

    def ended(self, key, attempt, outcome, now) -> bool:
        item = self.items[(key, f"attempt#{attempt:02d}")]
        if item["outcome"] != "placed":
            return False
        item.update(outcome=outcome, ended_at=now.isoformat())
        return True

    def settle(self, key, attempt) -> None:
        self.items[(key, f"attempt#{attempt:02d}")]["settled"] = True

    def finish(self, key, status, channel, now) -> bool:
        state = self.items.setdefault((key, "state"), {})
        if state.get("status") in FINAL_STATUSES:
            return False
        state.update(status=status, final_channel=channel, finished_at=now.isoformat())
        return True

    def by_reference(self, reference):
        for (key, entry), item in self.items.items():
            if item.get("reference") == reference and entry.startswith("attempt#"):
                return key, int(entry.split("#")[1])
        return None


class MemoryVisitBook:
    def __init__(self, visits: dict[str, dict] | None = None):
        self.visits = visits or {}

    def get(self, visit_key):
        return dict(self.visits[visit_key]) if visit_key in self.visits else None


class MemoryOptOuts:
    def __init__(self) -> None:
        self.opted: dict[str, str] = {}
        self.last: dict[str, dict] = {}

    def opted_out(self, phone_hash) -> bool:
        return phone_hash in self.opted

    def opt_out(self, phone_hash, when) -> None:
        self.opted.setdefault(phone_hash, when)

    def remember_sms(self, phone_hash, message) -> None:
        self.last[phone_hash] = message

    def last_sms(self, phone_hash):
        return self.last.get(phone_hash)


class RecordingSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []
        self.throttle_next = 0

    def send(self, phone, text, policy) -> str:
        if self.throttle_next:
            self.throttle_next -= 1
            raise ChannelThrottled("Throttling")
        self.sent.append((phone, text))
        return f"sms-{len(self.sent)}"


class RecordingTelephony:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, str]] = []
        self.throttle_next = 0

    def start_call(self, phone, attributes, token) -> str:
        if self.throttle_next:
            self.throttle_next -= 1
            raise ChannelThrottled("ThrottlingException")
        self.calls.append((phone, attributes, token))
        return f"contact-{len(self.calls)}"

    def describe(self, contact_id):
        return {"contactId": contact_id}


class RecordingLinks:
    def __init__(self) -> None:
        self.issued: list[tuple[str, str]] = []

    def issue(self, contact, language, expires, host=None) -> str:
        self.issued.append((contact.key, language))
        return f"{host or 'sv.od.in'}/f/tok{len(self.issued)}"


class RecordingDeferrer:
    def __init__(self) -> None:
        self.deferred: list[tuple[dict, dt.datetime]] = []

    def defer(self, message, until, now) -> None:
        self.deferred.append((json.loads(json.dumps(message)), until))


class MemoryEvents:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    def publish(self, detail_type, detail) -> None:
        self.published.append((detail_type, json.loads(json.dumps(detail))))

    def of(self, detail_type: str) -> list[dict]:
        return [d for t, d in self.published if t == detail_type]


class MemoryFeedbackStore:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.fail_mark_once = False

    def put_new(self, key, item) -> bool:
        if key in self.items:
            return False
        self.items[key] = {**json.loads(json.dumps(item)), "published": False}
        return True

    def get(self, key):
        return dict(self.items[key]) if key in self.items else None

    def mark_published(self, key) -> None:
        if self.fail_mark_once:
            self.fail_mark_once = False
            raise RuntimeError("the process died before marking")
        self.items[key]["published"] = True


class MemoryAcknowledgements:
    """``DynamoAcknowledgements``'s semantics: each key once, ``limit`` keys a number-day."""

    def __init__(self) -> None:
        self.keys: set[tuple[str, str]] = set()
        self.days: dict[tuple[str, str], int] = {}

    def claim(self, phone_hash: str, day: str, key: str, limit: int) -> bool:
        if (phone_hash, key) in self.keys or self.days.get((phone_hash, day), 0) >= limit:
            return False
        self.keys.add((phone_hash, key))
        self.days[(phone_hash, day)] = self.days.get((phone_hash, day), 0) + 1
        return True


def visit(key: str = "v1", **overrides) -> dict:
    return {
        "visit_key": key,
        "phone": PHONE,
        "phone_hash": "h-" + key,
        "department": "health",
        "service": "OPD",
        "office_code": "HLT-KHU-001",
        "office_name": "Capital Hospital",
        "district": "Khordha",
        "official_id": "OFF-7",
        "visit_date": "2026-11-22",
        "language": "or",
        **overrides,
    }


@dataclass
class DispatchWorld:
    clock: SimClock = field(default_factory=SimClock)
    ledger: MemoryDispatchLedger = field(default_factory=MemoryDispatchLedger)
    visits: MemoryVisitBook = field(default_factory=MemoryVisitBook)
    contacts: MemoryOptOuts = field(default_factory=MemoryOptOuts)
    sms: RecordingSms = field(default_factory=RecordingSms)
    telephony: RecordingTelephony | None = field(default_factory=RecordingTelephony)
    links: RecordingLinks = field(default_factory=RecordingLinks)
    limiter: MemoryRateLimiter = field(default_factory=MemoryRateLimiter)
    deferrer: RecordingDeferrer = field(default_factory=RecordingDeferrer)
    events: MemoryEvents = field(default_factory=MemoryEvents)
    policy: NotifyPolicy = field(default_factory=NotifyPolicy)
    acks: MemoryAcknowledgements = field(default_factory=MemoryAcknowledgements)

    def ports(self) -> DispatchPorts:
        return DispatchPorts(
            ledger=self.ledger,
            visits=self.visits,
            contacts=self.contacts,
            sms=self.sms,
            links=self.links,
            limiter=self.limiter,
            deferrer=self.deferrer,
            events=self.events,
            policy=self.policy,
            telephony=self.telephony,
            clock=self.clock,
            sleep=self.clock.sleep,
        )

    def feedback_ports(self) -> FeedbackPorts:
        return FeedbackPorts(
            store=MemoryFeedbackStore(),
            visits=self.visits,
            contacts=self.contacts,
            events=self.events,
            hasher=lambda phone: (
                "h-" + next(k for k, v in self.visits.visits.items() if v["phone"] == phone)
            ),
            ledger=self.ledger,
            sms=self.sms,
            policy=self.policy,
            acks=self.acks,
            clock=self.clock,
        )
