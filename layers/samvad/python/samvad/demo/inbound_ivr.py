"""The demo's callers and scheme requests: citizens call the inbound number (the real
inbound flow and handler, ``local.inbound_calls``) to register grievances, hear their status
and hear about schemes, and text ``SCHEME <keyword>`` (the real feedback handler).

The menus are built from the demo's catalogue (each department's services; the first
districts' headquarters offices, keyed 1001, 1002, …) and one scheme notice is published.
Every choice is drawn from ``random.Random(seed)``: the same seed, the same calls.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo
from collections import Counter

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.demo.catalog import DEPARTMENTS, DISTRICTS
from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad.inbound_ivr.prompts import keypad_digits
from samvad.local.citizens import sns_event
from samvad.local.cloud import LocalCloud
from samvad.local.inbound_calls import InboundCaller
from samvad.schemes.service import publish

MENU_DISTRICTS = 4
SCHEME = {
    "keyword": "KALIA", "department": "agriculture",
    "title": {"or": "କାଳିଆ ଯୋଜନା", "hi": "कालिया योजना", "en": "KALIA scheme"},
    "summary": {"or": "କ୍ଷୁଦ୍ର ଓ ନାମମାତ୍ର ଚାଷୀଙ୍କ ପାଇଁ ଆର୍ଥିକ ସହାୟତା।",
                "hi": "छोटे और सीमांत किसानों के लिए आर्थिक सहायता।",
                "en": "Financial support for small and marginal farmers."},
    "eligibility": {"en": "Small and marginal farmers, landless agricultural households"},
    "where_to_apply": {"en": "Your Gram Panchayat office or the Krushak Sathi portal"},
}  # fmt: skip


def demo_menus() -> dict:
    districts = DISTRICTS[:MENU_DISTRICTS]
    offices = [
        {"key": f"{n}{d:03d}", "code": f"{dept.short}-{district.code}-001",
         "department": dept.code, "district": district.code,
         "name": dept.office_types[0].format(place=district.places[0])}
        for n, dept in enumerate(DEPARTMENTS, start=1)
        for d, district in enumerate(districts, start=1)
    ]  # fmt: skip
    return {
        "departments": [
            {
                "code": d.code,
                "name": d.name,
                "services": [{"code": code, "name": name} for code, name in d.services],
            }
            for d in DEPARTMENTS
        ],
        "districts": [{"code": d.code, "name": d.name} for d in districts],
        "offices": offices,
    }


def run_inbound_ivr(cloud: LocalCloud, seed: int, day: dt.date, calls: int = 12) -> dict:
    """Place ``calls`` inbound calls and a few scheme SMS; the counts of what happened."""
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var])
    menus = demo_menus()
    config.publish(MENUS_CONFIG, menus)
    scheme = SCHEME | {"valid_from": (day - dt.timedelta(days=30)).isoformat(),
                       "valid_to": (day + dt.timedelta(days=365)).isoformat()}  # fmt: skip
    publish(config, scheme, author="demo")
    rng = random.Random(f"{seed}|inbound-ivr")
    caller = InboundCaller(cloud)
    counts: Counter[str] = Counter()
    registered: list[tuple[str, str]] = []
    for n in range(calls):
        phone = f"+91700000{n:04d}"
        language = rng.choice("123")
        kind = "grievance" if n < calls // 2 else rng.choice(["status", "scheme", "grievance"])
        contact = str(uuid.UUID(int=rng.getrandbits(128)))
        if kind == "status" and registered:
            reference, owner = rng.choice(registered)
            run = caller.call([language, "2", keypad_digits(reference[3:])], owner, contact)
            counts["status_lookups"] += 1
            counts["status_told"] += int(
                any(t.startswith(("Grievance", "शिकायत")) for _, t in run.said)
            )
            continue
        if kind == "scheme":
            caller.call([language, "3", "1", rng.choice("12")], phone, contact)
            counts["scheme_requests"] += 1
            continue
        run = caller.call([language, "1", *_grievance_keys(rng, menus)], phone, contact)
        spelled = next((t for _, t in run.said if t.startswith("O D ")), None)
        if spelled:
            reference = "OD-" + spelled.removeprefix("O D ").rstrip(".").replace(" ", "")
            registered.append((reference, phone))
            counts["grievances_registered"] += 1
    for n, body in enumerate(["SCHEME KALIA", "SCHEME KALIA", *["SCHEME ON"] * 3, "STOP"]):
        phone = f"+91700100{min(n, 4):04d}"  # the last subscriber then texts STOP
        inbound = {"originationNumber": phone, "messageBody": body,
                   "inboundMessageId": f"demo-scheme-{seed}-{n}"}  # fmt: skip
        cloud.invoke("feedback", sns_event(inbound))
        counts["scheme_requests"] += int(body == "SCHEME KALIA")
    sent = _broadcast(cloud, day)
    return {"ivr_calls": caller.counts["ivr_calls"], **counts, **sent}


def _broadcast(cloud: LocalCloud, day: dt.date) -> dict[str, int]:
    """KALIA to the subscribers at noon, India time, through the deployed adapters."""
    from samvad.adapters.contacts import DynamoContacts
    from samvad.adapters.rate_limits import DynamoRateLimiter
    from samvad.adapters.scheme_subscribers import DynamoSubscribers
    from samvad.adapters.sms import SnsSms
    from samvad.dispatch.policy import NotifyPolicy
    from samvad.schemes.service import SchemePorts, broadcast

    contacts = cloud.env[resources.CONTACTS.env_var]
    subscribers = DynamoSubscribers(contacts)
    noon = dt.datetime.combine(day, dt.time(12, 0), zoneinfo.ZoneInfo("Asia/Kolkata"))
    ports = SchemePorts(
        config=DynamoConfig(cloud.env[resources.CONFIG.env_var]), sms=SnsSms(),
        policy=NotifyPolicy(), hasher=lambda phone: phone, subscribers=subscribers,
        opt_outs=DynamoContacts(contacts), clock=lambda: noon,
        limiter=DynamoRateLimiter(cloud.env[resources.RATE_LIMITS.env_var]), ledger=subscribers,
    )  # fmt: skip
    result = broadcast("KALIA", ports)
    return {f"scheme_broadcast_{k}": v for k, v in result.items() if isinstance(v, int)}


def _grievance_keys(rng: random.Random, menus: dict) -> list[str]:
    """Department, service, office (its code, or 0 and the district's list), category, and
    a voice message or not."""
    d = rng.randrange(len(menus["departments"]))
    department = menus["departments"][d]
    service = str(rng.randrange(len(department["services"])) + 1)
    if rng.random() < 0.5:
        office = [
            rng.choice(
                [o["key"] for o in menus["offices"] if o["department"] == department["code"]]
            )
        ]
    else:
        office = ["0", str(rng.randrange(len(menus["districts"])) + 1), "1"]
    voice = ["1", "#"] if rng.random() < 0.3 else ["2"]
    return [str(d + 1), service, *office, str(rng.randrange(3) + 1), *voice]
