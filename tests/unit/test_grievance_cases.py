"""A registered grievance becomes a case of type ``grievance`` in the escalation stage."""

from __future__ import annotations

import json

from samvad import resources
from samvad.escalation import cases
from samvad.escalation.grievance_cases import open_grievance_case
from samvad.escalation.model import SlaPolicy
from samvad.grievances import Registration, register
from tests.escalation_fakes import MemoryCases
from tests.fakes import FIXED_NOW, MemoryConfig
from tests.grievance_fakes import DIRECTORY, PHONE, GrievanceWorld, RecordingTasks, submission

SLA = {
    "default": {"1": 7},
    "grievances": {"default": {"1": 3}, "services": {"health/OPD": {"1": 1}}},
}


def stage(world: GrievanceWorld, sla: dict | None = None):
    store, tasks = MemoryCases(), RecordingTasks()
    config = MemoryConfig(
        {
            resources.ESCALATION_SLA_CONFIG: sla or SLA,
            resources.ESCALATION_DIRECTORY_CONFIG: DIRECTORY,
        }
    )
    ports = cases.EscalationPorts(
        cases=store,
        tasks=tasks,
        phone_of=world.citizens.phone,
        config=config,
        grievance_of=lambda ref: world.store.get(f"ref#{ref}"),
        clock=lambda: FIXED_NOW,
    )
    return ports, store, tasks


def registered_detail(world: GrievanceWorld, **changes) -> tuple[Registration, dict]:
    result = register(world.ports, submission(**changes), world.now)
    assert isinstance(result, Registration)
    detail = [d for t, d in world.events.published if t == resources.GRIEVANCE_REGISTERED][-1]
    return result, detail


def test_a_grievance_opens_one_case_at_l1_of_the_office_named_even_when_replayed():
    world = GrievanceWorld()
    ports, store, tasks = stage(world)
    result, detail = registered_detail(world)
    outcomes = [open_grievance_case(detail, ports) for _ in range(3)]
    assert [o["created"] for o in outcomes] == [True, False, False]
    assert list(store.items) == [result.case_id]
    case = store.items[result.case_id]
    assert case["case_type"] == "grievance" and case["reference"] == result.reference
    assert case["category"] == "money_asked" and "200 rupees" in case["text"]
    assert tasks.started[case["execution_name"]]["step"]["level"] == 1


def test_an_unknown_office_opens_the_case_at_l2():
    world = GrievanceWorld()
    ports, store, tasks = stage(world)
    result, detail = registered_detail(world, office_code=None, district="Khurda")
    assert open_grievance_case(detail, ports)["level"] == 2
    payload = tasks.started[store.items[result.case_id]["execution_name"]]
    assert payload["step"] == {"level": 2, "round": 1, "from_level": 0, "reason": "office_unknown"}
    assignment = cases.assign(payload, ports)
    assert assignment["official_id"] == "dc-khurda"
    assert assignment["event"]["detail"]["level"] == 2


def test_the_case_its_execution_input_events_and_notices_never_carry_the_phone():
    world = GrievanceWorld()
    ports, store, tasks = stage(world)
    result, detail = registered_detail(world)
    open_grievance_case(detail, ports)
    payload = tasks.started[store.items[result.case_id]["execution_name"]]
    assignment = cases.assign(payload, ports)
    outputs = [store.items[result.case_id], payload, assignment, detail]
    flat = json.dumps(outputs, ensure_ascii=False)
    assert PHONE not in flat and PHONE[-10:] not in flat and PHONE[-4:] not in flat
    assert "notice" not in assignment  # the clerk sends it; the state machine never sees it
    assert "anonymous" in store.items[result.case_id]["assignment"]["notice"]["email"]
    assert "200 rupees" not in json.dumps([payload, assignment, detail], ensure_ascii=False)


def test_grievances_have_their_own_sla_per_department_and_service():
    policy = SlaPolicy.from_document(SLA)
    assert policy.days("health", "OPD", 1, "grievance") == 1
    assert policy.days("health", "IPD", 1, "grievance") == 3
    assert policy.days("health", "OPD", 1) == 7  # feedback cases keep theirs
    assert policy.days("health", "OPD", 2, "grievance") == policy.days("health", "OPD", 2)


def test_the_grievance_sla_sets_the_deadline_of_the_first_level():
    world = GrievanceWorld()
    ports, store, tasks = stage(world)
    result, detail = registered_detail(world)
    open_grievance_case(detail, ports)
    assignment = cases.assign(tasks.started[store.items[result.case_id]["execution_name"]], ports)
    assert assignment["deadline"] == "2026-11-24T06:00:00Z"  # health/OPD: 1 day


def test_the_citizen_of_a_grievance_gets_the_confirmation_sms_as_a_sampled_citizen_would():
    """Given a registered grievance (its citizen kept as visit ``grv-<reference>``), When the
    state machine asks for the citizen's confirmation, Then dispatch texts that citizen."""
    from samvad.dispatch.service import dispatch
    from tests.dispatch_fakes import DispatchWorld

    world = GrievanceWorld()
    result, detail = registered_detail(world)
    dispatcher = DispatchWorld()
    dispatcher.visits.visits[detail["visit_key"]] = world.citizens.visits[detail["visit_key"]]
    message = {"kind": "confirmation", "visit_key": detail["visit_key"],
               "case_id": result.case_id, "channel": "sms", "round": 1}  # fmt: skip
    dispatch(message, dispatcher.ports())
    [(phone, text)] = dispatcher.sms.sent
    assert phone == PHONE and text.template == "confirmation"
