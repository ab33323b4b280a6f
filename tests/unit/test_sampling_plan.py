"""The sampling plan: validation of the document, and how a day's quota is allocated."""

import random

import pytest

from samvad.sampling.plan import (
    Caller,
    PlanError,
    SamplingPlan,
    allocate,
    apportion,
    default_plan_document,
)

# -- validation -------------------------------------------------------------------------------


def test_the_default_plan_is_valid_and_says_what_the_docs_say():
    """Given the shipped default plan, When parsed, Then it validates and carries the CM's
    office (state scope, 10 a day) and the police's equal allocation."""
    plan = SamplingPlan.from_document(default_plan_document())

    cmo = next(c for c in plan.callers if c.id == "cmo")
    assert (cmo.scope, cmo.daily_quota, cmo.channel) == ("state", 10, "official_call")
    assert plan.quota_for("police").allocation == "equal"
    assert plan.quota_for("unknown-department") == plan.default
    assert sum(plan.channel_mix.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (
            {"departments": {"health": {"daily_quota": 5, "allocation": "random"}}},
            "departments.health.allocation",
        ),
        ({"departments": {"health": {"daily_quota": -1}}}, "departments.health.daily_quota"),
        ({"default": {"daily_quota": -3}}, "default.daily_quota"),
        ({"departments": {"health": {"daily_quota": "ten"}}}, "departments.health.daily_quota"),
        ({"departments": {"health": {"daily_quota": True}}}, "departments.health.daily_quota"),
        ({"departments": {"health": {}}}, "departments.health.daily_quota"),
        (
            {"departments": {"health": {"daily_quota": 5, "min_per_office": -1}}},
            "departments.health.min_per_office",
        ),
        ({"window_days": 0}, "window_days"),
        ({"cooldown_days": -1}, "cooldown_days"),
        ({"strata": {"health#OPD#O1": -2}}, "strata.health#OPD#O1"),
        ({"callers": [{"id": "a", "channel": "fax"}]}, "callers[0].channel"),
        ({"callers": [{"id": "a", "scope": "galaxy"}]}, "callers[0].scope"),
        ({"callers": [{"id": "a", "scope": "district", "daily_quota": 3}]}, "district"),
        ({"callers": [{"id": "a"}, {"id": "m", "scope": "department"}]}, "callers[1]"),
        ({"callers": [{"id": "a", "daily_quota": -1}]}, "callers[0].daily_quota"),
        ({"callers": [{"id": "a"}, {"id": "b"}, {"id": "a"}]}, "caller ids"),
        ({"channel_mix": {"ivr_call": 0.5, "whatsapp": 0.5}}, "channel_mix"),
        ({"channel_mix": {"ivr_call": -0.5, "sms": 1}}, "channel_mix"),
        ({"channel_mix": {"ivr_call": 0, "sms": 0}}, "channel_mix"),
        ({"channel_mix": {"sms": "lots"}}, "channel_mix"),
    ],
)
def test_a_malformed_plan_is_refused_naming_the_field(document, field):
    """Given a plan document with one bad field, When parsed, Then PlanError (not some other
    exception) is raised and its message names the field, so an operator can fix it."""
    with pytest.raises(PlanError) as error:
        SamplingPlan.from_document(document)
    assert field in str(error.value)


def test_the_district_scope_error_names_the_caller():
    """Given a district-scoped caller without a district, When parsed, Then the message names
    which caller (its position) and what is missing."""
    document = {"callers": [{"id": "cmo"}, {"id": "collector", "scope": "district"}]}

    with pytest.raises(PlanError, match=r"callers\[1\].*district.*no district"):
        SamplingPlan.from_document(document)


def test_a_caller_without_an_id_is_a_plan_error():
    """Given a caller entry without ``id``, When parsed, Then PlanError names ``callers[0]``
    (a bare KeyError would crash the sampler without saying where the plan is wrong)."""
    with pytest.raises(PlanError, match=r"callers\[0\]"):
        SamplingPlan.from_document({"callers": [{"name": "Collector", "daily_quota": 3}]})


def test_channel_mix_is_normalised():
    """Given shares that do not add up to 1, When parsed, Then they are scaled to add up to 1."""
    plan = SamplingPlan.from_document({"channel_mix": {"ivr_call": 3, "sms": 1}})

    assert plan.channel_mix == {"ivr_call": 0.75, "sms": 0.25}


# -- callers' scope ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "department", "district", "covered"),
    [
        (Caller("cmo", "CMO"), "health", "Puri", True),
        (Caller("cmo", "CMO"), "police", "", True),
        (Caller("mh", "Minister", "department", "health"), "health", "Puri", True),
        (Caller("mh", "Minister", "department", "health"), "revenue", "Puri", False),
        (Caller("dc", "Collector", "district", None, "Khordha"), "health", "khordha", True),
        (Caller("dc", "Collector", "district", None, "Khordha"), "revenue", "KHORDHA", True),
        (Caller("dc", "Collector", "district", None, "Khordha"), "health", "Cuttack", False),
        (Caller("dc", "Collector", "district", None, "Khordha"), "health", "", False),
        (Caller("sp", "SP", "district", "police", "Cuttack"), "police", "Cuttack", True),
        (Caller("sp", "SP", "district", "police", "Cuttack"), "health", "Cuttack", False),
        (Caller("sp", "SP", "district", "police", "Cuttack"), "police", "Khordha", False),
    ],
)
def test_a_caller_covers_only_its_scope(caller, department, district, covered):
    """Given a caller, When asked about a visit's department and district, Then it covers
    the visit exactly when both are in its scope (district names compared case-blind)."""
    assert caller.covers(department, district) is covered


# -- allocation -------------------------------------------------------------------------------


def _order(strata) -> dict[str, float]:
    rng = random.Random(7)
    return {s: rng.random() for s in strata}


def _department_totals(result: dict[str, int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for stratum, n in result.items():
        department = stratum.split("#", 1)[0]
        totals[department] = totals.get(department, 0) + n
    return totals


AVAILABLE = {
    # health: 3 offices, 2 services in one of them; a tiny office of 1 visit
    "health#OPD#H1": 120,
    "health#IPD#H1": 40,
    "health#OPD#H2": 30,
    "health#OPD#H3": 1,
    # revenue: fewer visits than its quota
    "revenue#MUT#R1": 4,
    "revenue#CERT#R2": 3,
    # police: equal allocation over 4 stations
    "police#FIR#P1": 200,
    "police#FIR#P2": 15,
    "police#FIR#P3": 9,
    "police#FIR#P4": 60,
    # a department on the default quota, with an empty stratum
    "transport#DL#T1": 50,
    "transport#DL#T2": 0,
}
PLAN = SamplingPlan.from_document(
    {
        "default": {"daily_quota": 12},
        "departments": {
            "health": {"daily_quota": 30, "allocation": "proportional", "min_per_office": 2},
            "revenue": {"daily_quota": 20},
            "police": {"daily_quota": 22, "allocation": "equal", "min_per_office": 1},
        },
    }
)


def test_each_department_gets_its_quota_or_everything_it_has():
    """Given departments whose quota covers their offices' minimums, When allocated, Then each
    gets exactly min(quota, available) and no stratum more than it has."""
    result = allocate(PLAN, AVAILABLE, _order(AVAILABLE))

    assert _department_totals(result) == {
        "health": 30,
        "revenue": 7,
        "police": 22,
        "transport": 12,
    }
    assert all(0 <= result[s] <= AVAILABLE[s] for s in result)


def test_every_office_with_visits_gets_its_minimum():
    """Given min_per_office 2 for health, When allocated, Then every health office gets at
    least 2, or all it has when it has fewer (the 1-visit office is not skipped)."""
    result = allocate(PLAN, AVAILABLE, _order(AVAILABLE))

    offices: dict[str, int] = {}
    for stratum, n in result.items():
        if stratum.startswith("health#"):
            office = stratum.rsplit("#", 1)[1]
            offices[office] = offices.get(office, 0) + n
    assert offices["H1"] >= 2 and offices["H2"] >= 2
    assert offices["H3"] == 1


def test_office_minimums_may_exceed_the_quota():
    """Given 5 offices, min_per_office 2 and a quota of 4, When allocated, Then every office
    still gets 2 (the documented exception: minimums win over the quota)."""
    plan = SamplingPlan.from_document(
        {"default": {"daily_quota": 4, "min_per_office": 2}, "departments": {}}
    )
    available = {f"agri#SOIL#A{i}": 10 for i in range(5)}

    result = allocate(plan, available, _order(available))

    assert result == dict.fromkeys(available, 2)


def test_proportional_allocation_follows_visit_counts():
    """Given one proportional department of 4 offices with 100/200/300/400 visits, When 20 are
    allocated, Then each stratum gets its share of 20 (2/4/6/8) within one."""
    plan = SamplingPlan.from_document({"default": {"daily_quota": 20}})
    available = {"h#S#O1": 100, "h#S#O2": 200, "h#S#O3": 300, "h#S#O4": 400}

    for seed in range(20):  # whichever way ties are broken
        rng = random.Random(seed)
        order = {s: rng.random() for s in available}
        result = allocate(plan, available, order)
        assert sum(result.values()) == 20
        for stratum, n in result.items():
            assert abs(n - 20 * available[stratum] / 1000) <= 1, (stratum, result)


def test_equal_allocation_over_single_service_offices_is_equal():
    """Given an equal-allocation department of 4 large stations, When 22 are allocated, Then
    the counts are 6/6/5/5 in some order (equal within one)."""
    result = allocate(
        SamplingPlan.from_document({"default": {"daily_quota": 22, "allocation": "equal"}}),
        {"p#FIR#P1": 200, "p#FIR#P2": 90, "p#FIR#P3": 100, "p#FIR#P4": 60},
        _order(["p#FIR#P1", "p#FIR#P2", "p#FIR#P3", "p#FIR#P4"]),
    )

    assert sorted(result.values()) == [5, 5, 6, 6]


def test_equal_allocation_fills_small_strata_then_shares_the_rest_equally():
    """Given equal allocation where one station has only 3 visits, When 22 are allocated,
    Then that station gives all 3 and the other three share 19 equally (7/6/6)."""
    available = {"p#FIR#P1": 200, "p#FIR#P2": 3, "p#FIR#P3": 100, "p#FIR#P4": 60}
    plan = SamplingPlan.from_document({"default": {"daily_quota": 22, "allocation": "equal"}})

    result = allocate(plan, available, _order(available))

    assert result["p#FIR#P2"] == 3
    assert sorted(n for s, n in result.items() if s != "p#FIR#P2") == [6, 6, 7]


def test_equal_allocation_is_equal_when_an_office_has_several_services():
    """Given equal allocation over 3 large strata, two of them services of one office, When
    10 are allocated, Then the strata get 4/3/3 in some order: the office minimum is a floor
    within the equal share, not an extra visit on top of it."""
    available = {"d#A#O1": 100, "d#B#O2": 100, "d#C#O2": 100}
    plan = SamplingPlan.from_document({"default": {"daily_quota": 10, "allocation": "equal"}})

    for seed in range(10):  # whichever way ties are broken
        rng = random.Random(seed)
        result = allocate(plan, available, {s: rng.random() for s in available})
        assert sorted(result.values()) == [3, 3, 4], result


def test_proportional_and_equal_differ_on_skewed_strata():
    """Given the same skewed strata, When allocated proportionally and equally, Then the
    large stratum gets most under proportional and the same as the others under equal."""
    available = {"d#S#O1": 900, "d#S#O2": 50, "d#S#O3": 50}
    order = _order(available)

    proportional = allocate(
        SamplingPlan.from_document({"default": {"daily_quota": 30}}), available, order
    )
    equal = allocate(
        SamplingPlan.from_document({"default": {"daily_quota": 30, "allocation": "equal"}}),
        available,
        order,
    )

    assert proportional["d#S#O1"] >= 26
    assert equal == dict.fromkeys(available, 10)


def test_explicit_stratum_quotas_override_and_are_capped():
    """Given explicit quotas for two strata, When allocated, Then those strata get their quota
    or all they have, whatever their department's quota says."""
    plan = SamplingPlan.from_document(
        {"default": {"daily_quota": 1}, "strata": {"h#S#O1": 7, "h#S#O2": 7}}
    )
    available = {"h#S#O1": 50, "h#S#O2": 4, "h#S#O3": 30}

    result = allocate(plan, available, _order(available))

    assert result == {"h#S#O1": 7, "h#S#O2": 4, "h#S#O3": 1}


def test_strata_without_visits_get_nothing():
    """Given strata with zero or negative availability, When allocated, Then none is drawn."""
    available = {"h#S#O1": 0, "h#S#O2": -2, "h#S#O3": 5}

    result = allocate(SamplingPlan(), available, _order(available))

    assert result.get("h#S#O1", 0) == 0 and result.get("h#S#O2", 0) == 0
    assert result["h#S#O3"] == 5


def test_allocation_does_not_depend_on_the_order_strata_are_listed():
    """Given the same availability listed in two orders, When allocated with the same secret
    order, Then the result is the same."""
    order = _order(AVAILABLE)
    backwards = dict(reversed(list(AVAILABLE.items())))

    assert allocate(PLAN, AVAILABLE, order) == allocate(PLAN, backwards, order)


def test_ties_are_broken_by_the_secret_order_not_by_name():
    """Given two strata tied for the last visit, When the secret order flips, Then the other
    stratum gets it: names do not decide."""
    plan = SamplingPlan.from_document({"default": {"daily_quota": 3, "min_per_office": 0}})
    available = {"d#S#A": 10, "d#S#B": 10}

    first = allocate(plan, available, {"d#S#A": 0.1, "d#S#B": 0.9})
    second = allocate(plan, available, {"d#S#A": 0.9, "d#S#B": 0.1})

    assert first == {"d#S#A": 2, "d#S#B": 1}
    assert second == {"d#S#A": 1, "d#S#B": 2}


# -- apportion --------------------------------------------------------------------------------


def test_apportion_hands_out_exactly_the_total_and_respects_caps():
    """Given 3,000 random cases (positive weights), When apportioned, Then exactly
    min(total, sum of caps) is handed out, no share exceeds its cap, and uncapped shares are
    within one of the exact proportional share."""
    rng = random.Random(2026)
    for _ in range(3000):
        names = [f"s{i}" for i in range(rng.randint(1, 8))]
        weights = {s: rng.choice([rng.randint(1, 500), rng.random() * 10 + 0.01]) for s in names}
        caps = {s: rng.randint(0, 40) for s in names}
        order = {s: rng.random() for s in names}
        total = rng.randint(0, 200)

        result = apportion(total, weights, caps, order)

        assert sum(result.values()) == min(total, sum(caps.values())), (total, weights, caps)
        assert all(0 <= result[s] <= caps[s] for s in names)
        if all(c >= total for c in caps.values()):
            weight = sum(weights.values())
            for s in names:
                assert abs(result[s] - total * weights[s] / weight) < 1


def test_apportion_gives_what_a_capped_stratum_cannot_take_to_the_others():
    """Given one stratum capped at 1 of a proportional 10, When apportioned, Then the others
    take the 4 it could not."""
    result = apportion(10, {"a": 1, "b": 1}, {"a": 1, "b": 100}, {})

    assert result == {"a": 1, "b": 9}
