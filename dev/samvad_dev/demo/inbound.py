"""The inbound part of ``samvad demo`` (issue 11): citizens who were not sampled come forward.

``simulate_inbound(cloud, seed, visits)`` sends, through the real feedback function, grievances
by SMS (``GRV <office> <text>``, each delivered twice as SNS may), by the web form ``/g``
(phone → one-time code read from the SMS the stack sent → form), one identical grievance sent
again (folded), and one garbage SMS (kept in the rejects); it returns the grievance cases for
the escalation run. ``InboundRun.summary(cloud)`` then asks ``STATUS <reference>`` by SMS for
every SMS grievance and counts from the stack itself: the registrations, the grievance cases,
those with no phone anywhere in the case item (forwarded anonymously) and those resolved.
IVR calls and scheme requests are counted by the IVR helper's simulation when it is there.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad_dev.local.citizens import function_url_event, sns_event

TEXTS = {
    "money_asked": "The clerk asked for 500 rupees to process the application",
    "delay": "My certificate is pending for three weeks without any reason",
    "rude_behaviour": "The staff at the counter shouted at my mother",
    "absent_staff": "Nobody was at the counter from 10 to 1",
    "work_not_done": "They took my papers but nothing was done",
}
LIMITS = {"limits": {"source_per_hour": 10000, "status_per_hour": 10000, "phone_per_day": 5}}


@dataclass
class InboundRun:
    counts: Counter[str] = field(default_factory=Counter)
    references: dict[str, str] = field(default_factory=dict)  # reference → phone (SMS ones)
    cases: list[dict] = field(default_factory=list)  # details for the escalation run
    phones: list[str] = field(default_factory=list)  # the citizens', to check none leaked

    def summary(self, cloud: Any) -> dict:
        for n, (reference, phone) in enumerate(sorted(self.references.items())):
            inbound = {"originationNumber": phone, "messageBody": f"STATUS {reference}",
                       "inboundMessageId": f"demo-status-{n}"}  # fmt: skip
            self.counts.update(cloud.invoke("feedback", sns_event(inbound)))
        found = _grievance_cases(cloud)
        phones = set(self.phones)
        anonymous = [c for c in found if not any(p[-10:] in json.dumps(c) for p in phones)]
        return {
            "ivr_calls": self.counts["ivr_calls"],  # counted by the IVR simulation, when run
            "sms": self.counts["sms_messages"],
            "web": self.counts["web_forms"],
            "grievances_registered": len({c["reference"] for c in self.cases}),
            "folded": self.counts["grievance_folded"],
            "rejected_kept": self.counts["grievance_not_understood"],
            "status_lookups": self.counts["status_sent"],
            "scheme_requests": self.counts["scheme_requests"],  # likewise (SCHEME, IVR menu)
            "forwarded_anonymously": len(anonymous),
            "cases": len(found),
            "resolved": sum(1 for c in found if c.get("status") == "resolved"),
        }


def simulate_inbound(cloud: Any, seed: int, visits: int) -> InboundRun:
    """The day's inbound stream; about one grievance per 50 visits (at least six)."""
    rng = random.Random(f"inbound-{seed}")
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish("grievances", LIMITS)
    offices = _offices(cloud)
    run = InboundRun()
    if not offices:
        return run
    n = max(6, visits // 50)
    for i in range(n):
        office = rng.choice(offices)
        category = rng.choice(sorted(TEXTS))
        phone = f"+9190{rng.randrange(10**8):08d}"
        if i % 3 == 2:
            reference = _by_web(cloud, run, phone, office, category, i)
        else:
            reference = _by_sms(cloud, run, phone, f"GRV {office['office_code']} "
                                f"{TEXTS[category]}", f"demo-grv-{i}")  # fmt: skip
            if reference:
                run.references[reference] = phone
        if reference:
            run.phones.append(phone)
            run.cases.append(
                {"visit_key": f"grv-{reference}", "reference": reference,
                 "case_type": "grievance", **office}
            )  # fmt: skip
    if run.references:  # the same citizen sends the same grievance again: folded
        reference, phone = sorted(run.references.items())[0]
        first = next(c for c in run.cases if c["reference"] == reference)
        _by_sms(cloud, run, phone, f"GRV {first['office_code']} {_text_of(cloud, reference)}",
                "demo-grv-again")  # fmt: skip
    _by_sms(cloud, run, "+919000000001", "GRV please help me", "demo-garbage")
    return run


def _by_sms(cloud: Any, run: InboundRun, phone: str, body: str, message_id: str) -> str:
    inbound = {"originationNumber": phone, "messageBody": body, "inboundMessageId": message_id}
    results = [cloud.invoke("feedback", sns_event(inbound)) for _ in range(2)]  # SNS: twice
    run.counts["sms_messages"] += 1
    run.counts.update(results[0])
    if results[0] != ["grievance_registered"]:
        return ""
    return _reference_sent_to(cloud, phone)


def _by_web(cloud: Any, run: InboundRun, phone: str, office: dict, category: str, i: int) -> str:
    local = phone.removeprefix("+91")
    page = cloud.invoke("feedback", function_url_event("POST", "/g/code", "lang=or",
                                                       urlencode({"phone": local})))  # fmt: skip
    found = re.search(r'name="form_id" value="([^"]+)"', page.get("body", ""))
    if page["statusCode"] != 200 or not found:
        return ""
    fields = {  # the demo's own form id (any is accepted), so a seed gives the same references
        "phone": local, "form_id": f"demo-web-{i}", "code": _code_sent_to(cloud, phone),
        "service": f"{office['department']}/{office['service']}",
        "office_code": office["office_code"], "category": category, "text": TEXTS[category],
    }  # fmt: skip
    for _ in range(2):  # a double submission is the same grievance
        done = cloud.invoke("feedback", function_url_event("POST", "/g", "lang=or",
                                                           urlencode(fields)))  # fmt: skip
    run.counts["web_forms"] += 1
    shown = re.search(r'id="reference">([^<]+)<', done.get("body", ""))
    return shown.group(1).strip() if done["statusCode"] == 200 and shown else ""


def _sent_to(cloud: Any, phone: str) -> list[str]:
    from moto.sns.models import sns_backends

    from samvad_dev.local.names import REGION

    sent = sns_backends[cloud.account][REGION].sms_messages.values()
    return [text for to, text in sent if to == phone]


def _reference_sent_to(cloud: Any, phone: str) -> str:
    found = [m for t in _sent_to(cloud, phone) for m in re.findall(r"OD-[A-Z0-9]{6}", t)]
    return found[-1] if found else ""


def _code_sent_to(cloud: Any, phone: str) -> str:
    found = [m for t in _sent_to(cloud, phone) for m in re.findall(r"\b\d{6}\b", t)]
    return found[-1] if found else ""


def _text_of(cloud: Any, reference: str) -> str:
    from samvad.adapters.grievances import DynamoGrievances

    store = DynamoGrievances(cloud.names.table(resources.GRIEVANCES), cloud.client("dynamodb"))
    return str((store.get(f"ref#{reference}") or {}).get("text") or "")


def _offices(cloud: Any) -> list[dict]:
    """Offices (and a service of their department) that intake recorded in the directory."""
    table = cloud.names.table(resources.DIRECTORY)
    items = []
    for page in cloud.client("dynamodb").get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    services: dict[str, str] = {}
    offices = []
    for item in items:
        entry, department = item["entry"]["S"], item["department"]["S"]
        if entry.startswith("service#"):
            services.setdefault(department, entry.removeprefix("service#"))
        elif entry.startswith("office#"):
            offices.append({"department": department, "office_code": entry.removeprefix("office#"),
                            "district": item.get("district", {}).get("S", "")})  # fmt: skip
    return sorted(
        (
            {**o, "service": services[o["department"]]}
            for o in offices
            if o["department"] in services
        ),
        key=lambda o: (o["department"], o["office_code"]),
    )


def _grievance_cases(cloud: Any) -> list[dict]:
    from samvad.adapters.items import plain

    table = cloud.names.table(resources.CASES)
    found = []
    for page in cloud.client("dynamodb").get_paginator("scan").paginate(TableName=table):
        found.extend(plain(i) for i in page["Items"])
    return [c for c in found if c.get("case_type") == "grievance"]
