"""The demo's desk officials sign in as the role and scope of their plan's caller."""

from __future__ import annotations

from samvad.sampling.plan import SamplingPlan, default_plan_document
from samvad.workspace.policy import authorize
from samvad.workspace.roles import official_from_claims
from samvad_dev.demo.desk import claims_of
from samvad_dev.local.citizens import Population


def test_every_human_caller_of_the_default_plan_is_an_official_who_may_record_calls():
    """Given the default plan's human callers, When their desk officials' claims are read as
    the workspace reads a verified token's, Then each is an official of the matching role
    and scope (the CMO the state, a minister their department, an SP police in their
    district), allowed to record call outcomes."""
    callers = SamplingPlan.from_document(default_plan_document()).callers
    officials = {c.id: official_from_claims(claims_of(c)) for c in callers}
    for official in officials.values():
        authorize(official, "calls.outcome")
    found = {k: (o.role, o.scope.as_dict()) for k, o in officials.items()}
    assert found == {
        "cmo": ("cmo", {"level": "state"}),
        "minister-health": ("minister", {"level": "department", "department": "health"}),
        "minister-revenue": ("minister", {"level": "department", "department": "revenue"}),
        "collector-khordha": ("collector", {"level": "district", "district": "Khordha"}),
        "sp-cuttack": ("sp", {"level": "district", "department": "police", "district": "Cuttack"}),
    }


def test_a_citizens_answer_to_an_officials_call_is_drawn_from_the_seed():
    """Given the demo's population, When the same official's call (visit, attempt) is drawn
    twice with one seed, Then the answer is the same; across many calls the rates are the
    population's (about 55% answered, 10% busy)."""
    from samvad_dev.local.citizens import Citizens

    citizens = Citizens(cloud=None, population=Population(seed=3))  # type: ignore[arg-type]
    assert citizens.answer_official("v1", 1) == citizens.answer_official("v1", 1)
    outcomes = [citizens.answer_official(f"v{n}", 1)[0] for n in range(2000)]
    assert 0.5 < outcomes.count("answered") / 2000 < 0.6
    assert 0.07 < outcomes.count("busy") / 2000 < 0.13
    answered = next(a for o, a in (citizens.answer_official(f"v{n}", 2) for n in range(50)) if a)
    assert 1 <= answered["rating"] <= 5
