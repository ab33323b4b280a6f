"""Citizens call in on the local stack: the inbound flow played against the real inbound IVR
handler; a grievance registered (one, however often the contact is replayed) and its status
told to the same number only."""

from __future__ import annotations

import json

import pytest

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad.inbound_ivr.prompts import keypad_digits, phrase
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.inbound_calls import InboundCaller
from tests.inbound_fakes import MENUS, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("inbound_ivr")]

GRIEVANCE = ["3", "1", "1", "1", "1002", "2", "2"]
"""English; a grievance; Health; OPD; office 1002; delay; no voice message."""


@pytest.fixture(scope="module")
def cloud():
    with LocalCloud(stage="ivr", in_process=True) as local:
        DynamoConfig(local.env[resources.CONFIG.env_var]).publish(MENUS_CONFIG, MENUS)
        yield local


def _reference(run) -> str:
    spelled = next(text for kind, text in run.said if text.startswith("O D "))
    return "OD-" + spelled.removeprefix("O D ").rstrip(".").replace(" ", "")


def test_a_caller_registers_a_grievance_and_hears_its_status(cloud):
    """Given a citizen who calls in and registers a grievance, When the contact is replayed
    twice more and the same citizen calls back for the status, Then one grievance, one
    GrievanceRegistered event, the reference heard both times; another number hears nothing."""
    caller = InboundCaller(cloud)
    runs = [caller.call(GRIEVANCE, PHONE, contact_id="inbound-1") for _ in range(3)]
    references = {_reference(run) for run in runs}
    assert len(references) == 1
    reference = references.pop()
    events = cloud.domain_events(resources.GRIEVANCE_REGISTERED)
    assert [e["detail"]["reference"] for e in events] == [reference]
    assert PHONE[-10:] not in json.dumps(events)

    status = caller.call(["3", "2", keypad_digits(reference[3:])], PHONE)
    told = [text for _, text in status.said if text.startswith("Grievance O D")]
    assert told and " ".join(reference[3:]) in told[0]
    stranger = caller.call(["3", "2", keypad_digits(reference[3:])], "+919812345678")
    assert ("text", phrase("en", "nothing_found")) in stranger.said
    assert caller.counts["ivr_calls"] == 5


def _directory(cloud) -> None:
    """Offices as intake records them (what the demo's menus are built over)."""
    table = cloud.names.table(resources.DIRECTORY)
    for department, entry, district in [
        ("health", "office#HLT-KHU-002", "Khordha"), ("health", "office#HLT-PUR-001", "Puri"),
        ("health", "service#OPD", ""), ("revenue", "office#REV-KHU-001", "Khordha"),
        ("revenue", "service#INCOME_CERTIFICATE", ""),
    ]:  # fmt: skip
        item = {"department": {"S": department}, "entry": {"S": entry}}
        if district:
            item["district"] = {"S": district}
        cloud.client("dynamodb").put_item(TableName=table, Item=item)


def test_the_demos_callers_register_grievances_and_ask_for_schemes(cloud):
    """Given the demo's inbound step with seed 7 over the offices intake recorded, When run
    twice (the same contact ids, drawn from the seed), Then calls were placed, grievances
    registered (listed for the escalation run, with their office), statuses told to their
    owners and schemes asked for, the same both times; the broadcast reached the two
    subscribers who did not text STOP (the stack's scheduled broadcast function), and the
    second run sent nobody anything again."""
    import datetime as dt

    from samvad_dev.demo.inbound_ivr import run_inbound_ivr

    _directory(cloud)
    first = run_inbound_ivr(cloud, seed=7, day=dt.date(2026, 11, 30))
    counts = first.counts
    assert counts["ivr_calls"] == 12 and counts["grievances_registered"] >= 6
    assert len(first.cases) == counts["grievances_registered"]
    assert {c["office_code"] for c in first.cases} <= {"HLT-KHU-002", "HLT-PUR-001", "REV-KHU-001"}
    assert counts["scheme_requests"] >= 2
    assert counts["status_lookups"] >= 1 and counts["status_told"] == counts["status_lookups"]
    assert (counts["scheme_broadcast_sent"], counts["scheme_broadcast_opted_out"]) == (2, 1)
    again = run_inbound_ivr(cloud, seed=7, day=dt.date(2026, 11, 30))
    assert again.cases == first.cases
    # the scheduled broadcast finished KALIA: the next run skips it, sending nobody again
    assert not any(k.startswith("scheme_broadcast_") for k in again.counts)
    summary = again.into({"sms": 3, "scheme_requests": 1, "status_lookups": 2})
    assert summary["ivr_calls"] == 12 and summary["sms"] == 3
    assert summary["scheme_requests"] == 1 + again.counts["scheme_requests"]
