"""The demo's callers and scheme requests: citizens call the inbound number (the real
inbound flow and handler, ``local.inbound_calls``) to register grievances, hear their status
and hear about schemes, and text ``SCHEME <keyword>`` (the real feedback handler).

The menus are built over the offices intake recorded (keyed ``<department n><nnn>``, each
department's services from the catalogue) and one scheme notice is published; the
grievances registered join ``demo.inbound``'s for the escalation run and its summary.
Every choice is drawn from ``random.Random(seed)``: the same seed, the same calls.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad.inbound_ivr.prompts import keypad_digits
from samvad.schemes.service import publish
from samvad_dev.demo.catalog import DEPARTMENTS
from samvad_dev.local.citizens import sns_event
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.inbound_calls import InboundCaller

SCHEME = {
    "keyword": "KALIA", "department": "agriculture",
    "title": {"or": "କାଳିଆ ଯୋଜନା", "hi": "कालिया योजना", "en": "KALIA scheme"},
    "summary": {"or": "କ୍ଷୁଦ୍ର ଓ ନାମମାତ୍ର ଚାଷୀଙ୍କ ପାଇଁ ଆର୍ଥିକ ସହାୟତା।",
                "hi": "छोटे और सीमांत किसानों के लिए आर्थिक सहायता।",
                "en": "Financial support for small and marginal farmers."},
    "eligibility": {"en": "Small and marginal farmers, landless agricultural households"},
    "where_to_apply": {"en": "Your Gram Panchayat office or the Krushak Sathi portal"},
    "broadcast": True,
}  # fmt: skip


def demo_menus(offices: list[dict]) -> dict:
    """Menus over the offices intake recorded (``demo.inbound``'s list: department, office
    code, district, a service); each department's services from the catalogue."""
    names = {d.code: d for d in DEPARTMENTS}
    codes = sorted({o["department"] for o in offices if o["department"] in names})
    keyed = [
        {"key": f"{codes.index(o['department']) + 1}{n:03d}", "code": o["office_code"],
         "department": o["department"], "district": o["district"] or "-",
         "name": o["office_code"]}
        for n, o in enumerate(offices, start=1)
        if o["department"] in names
    ]  # fmt: skip
    districts = sorted({o["district"] for o in keyed})
    return {
        "departments": [
            {
                "code": code,
                "name": names[code].name,
                "services": [{"code": c, "name": n} for c, n in names[code].services],
            }
            for code in codes
        ],
        "districts": [{"code": d, "name": d} for d in districts],
        "offices": keyed,
    }


@dataclass
class IvrRun:
    counts: Counter[str] = field(default_factory=Counter)
    cases: list[dict] = field(default_factory=list)
    """The grievances registered, as ``demo.inbound`` lists them for the escalation run."""
    phones: list[str] = field(default_factory=list)

    def into(self, inbound: dict) -> dict:
        """The demo's ``inbound`` summary with the calls and scheme requests added."""
        counts = self.counts
        return inbound | {
            "ivr_calls": counts["ivr_calls"],
            "scheme_requests": inbound.get("scheme_requests", 0) + counts["scheme_requests"],
            "status_lookups": inbound.get("status_lookups", 0) + counts["status_lookups"],
            "ivr": dict(sorted(counts.items())),
        }


def run_inbound_ivr(cloud: LocalCloud, seed: int, day: dt.date, calls: int = 12) -> IvrRun:
    """Place ``calls`` inbound calls and a few scheme SMS; what happened."""
    from samvad_dev.demo.inbound import _offices

    config = DynamoConfig(cloud.env[resources.CONFIG.env_var])
    offices = _offices(cloud)
    run = IvrRun()
    if not offices:
        return run
    menus = demo_menus(offices)
    config.publish(MENUS_CONFIG, menus)
    scheme = SCHEME | {"valid_from": (day - dt.timedelta(days=30)).isoformat(),
                       "valid_to": (day + dt.timedelta(days=365)).isoformat()}  # fmt: skip
    publish(config, scheme, author="demo")
    rng = random.Random(f"{seed}|inbound-ivr")
    caller = InboundCaller(cloud)
    counts = run.counts
    registered: list[tuple[str, str]] = []
    for n in range(calls):
        phone = f"+91700000{n:04d}"
        language = rng.choice("123")
        kind = "grievance" if n < calls // 2 else rng.choice(["status", "scheme", "grievance"])
        contact = str(uuid.UUID(int=rng.getrandbits(128)))
        if kind == "status" and registered:
            reference, owner = rng.choice(registered)
            said = caller.call([language, "2", keypad_digits(reference[3:])], owner, contact).said
            counts["status_lookups"] += 1
            counts["status_told"] += int(
                any(t.startswith(("Grievance", "शिकायत")) for _, t in said)
            )
            continue
        if kind == "scheme":
            caller.call([language, "3", "1", rng.choice("12")], phone, contact)
            counts["scheme_requests"] += 1
            continue
        keys, chosen = _grievance_keys(rng, menus)
        said = caller.call([language, "1", *keys], phone, contact).said
        spelled = next((t for _, t in said if t.startswith("O D ")), None)
        if spelled:
            reference = "OD-" + spelled.removeprefix("O D ").rstrip(".").replace(" ", "")
            registered.append((reference, phone))
            run.phones.append(phone)
            run.cases.append({"visit_key": f"grv-{reference}", "reference": reference,
                              "case_type": "grievance", **chosen})  # fmt: skip
            counts["grievances_registered"] += 1
    for n, body in enumerate(["SCHEME KALIA", "SCHEME KALIA", *["SCHEME ON"] * 3, "STOP"]):
        phone = f"+91700100{min(n, 4):04d}"  # the last subscriber then texts STOP
        inbound = {"originationNumber": phone, "messageBody": body,
                   "inboundMessageId": f"demo-scheme-{seed}-{n}"}  # fmt: skip
        cloud.invoke("feedback", sns_event(inbound))
        counts["scheme_requests"] += int(body == "SCHEME KALIA")
    counts.update(_broadcast(cloud, day))
    counts["ivr_calls"] = caller.counts["ivr_calls"]
    return run


def _broadcast(cloud: LocalCloud, day: dt.date) -> dict[str, int]:
    """KALIA (published with ``broadcast: true``) to the subscribers by the stack's scheduled
    run at noon, India time: the real ``scheme_broadcast`` handler, as Scheduler invokes it."""
    noon = dt.datetime.combine(day, dt.time(12, 0), zoneinfo.ZoneInfo("Asia/Kolkata"))
    saved, cloud.simulated_now = cloud.simulated_now, noon.astimezone(dt.UTC)
    try:
        result = cloud.invoke("scheme_broadcast", {"scheduled_time": noon.isoformat()})
    finally:
        cloud.simulated_now = saved
    counts: Counter[str] = Counter()
    for notice in result.get("notices", []):
        counts.update({k: v for k, v in notice.items() if isinstance(v, int)})
    return {f"scheme_broadcast_{k}": v for k, v in counts.items()}


def _grievance_keys(rng: random.Random, menus: dict) -> tuple[list[str], dict[str, str]]:
    """The keys for a department, a service, an office (its code, or 0 and the district's
    list), a category and a voice message or not; and what they choose."""
    d = rng.randrange(len(menus["departments"]))
    department = menus["departments"][d]
    s = rng.randrange(len(department["services"]))
    offices = [o for o in menus["offices"] if o["department"] == department["code"]]
    office = rng.choice(offices)
    if rng.random() < 0.5:
        office_keys = [office["key"]]
    else:
        district = [x["code"] for x in menus["districts"]].index(office["district"]) + 1
        listed = [o for o in offices if o["district"] == office["district"]]
        office_keys = ["0", str(district), str(listed.index(office) + 1)]
    voice = ["1", "#"] if rng.random() < 0.3 else ["2"]
    keys = [str(d + 1), str(s + 1), *office_keys, str(rng.randrange(3) + 1), *voice]
    chosen = {"department": department["code"], "service": department["services"][s]["code"],
              "office_code": office["code"], "district": office["district"]}  # fmt: skip
    return keys, chosen
