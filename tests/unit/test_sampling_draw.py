"""Bottom-k draws, eligibility and caller assignment; the draw's uniformity over many days."""

import datetime as dt
import hashlib
import random
from collections import Counter

import pytest
from scipy.stats import chisquare

from samvad.sampling.draw import (
    CONTACTED_RECENTLY,
    OPTED_OUT,
    SAME_CITIZEN_TODAY,
    SMS_CALLER,
    Candidate,
    assign,
    bottom_k,
    ineligible,
)
from samvad.sampling.plan import SamplingPlan, default_plan_document
from samvad.sampling.scores import Scorer, day_secret, run_secret, score
from samvad.sampling.service import run_sampler
from tests.fakes import MemorySamplingWorld

MASTER = b"fixed master key for the uniformity test"
RUN = dt.date(2026, 11, 23)
SECRET = run_secret(MASTER, RUN)


def _key(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()[:32]


def _candidate(label: str, stratum: str, district: str = "", phone: str | None = None):
    key = _key(label)
    return Candidate(
        visit_key=key,
        score=score(day_secret(MASTER, RUN), key),
        stratum=stratum,
        visit_date="2026-11-22",
        phone_hash=phone or "ph-" + key[:12],
        district=district,
        language="or",
    )


# -- 1. the draw is uniform over days ---------------------------------------------------------

N, K, DAYS = 40, 4, 1000
STRATUM_VISITS = [
    {
        "visit_key": _key(f"fixed visit {i}"),
        "department": "health",
        "service": "OPD",
        "office_code": "HLT-KHU-001",
        "phone_hash": f"citizen-{i}",
        "district": "Khordha",
        "language": "or",
    }
    for i in range(N)
]
ONE_STRATUM_PLAN = {
    "window_days": 1,
    "cooldown_days": 0,
    "strata": {"health#OPD#HLT-KHU-001": K},
    "callers": [],
}


def _inclusions(scorer_for_day) -> tuple[Counter, Counter]:
    """Run the sampler on ``DAYS`` consecutive days over the same 40 visit keys, each day's
    visits scored by ``scorer_for_day(day)``; count each visit's inclusions and day sizes."""
    included: Counter[str] = Counter()
    sizes: Counter[int] = Counter()
    first = dt.date(2024, 1, 1)
    for d in range(DAYS):
        day = first + dt.timedelta(days=d)
        world = MemorySamplingWorld(key=MASTER, plan=ONE_STRATUM_PLAN)
        world.scorer = scorer_for_day(day)
        world.upload([{**v, "visit_date": day.isoformat()} for v in STRATUM_VISITS])
        run_sampler(day + dt.timedelta(days=1), world.ports())
        drawn = world.sampled()
        sizes[len(drawn)] += 1
        included.update(drawn)
    return included, sizes


def _uniformity_p(included: Counter) -> float:
    observed = [included.get(v["visit_key"], 0) for v in STRATUM_VISITS]
    return chisquare(observed, [DAYS * K / N] * N).pvalue


@pytest.fixture(scope="module")
def daily_draws():
    return _inclusions(lambda day: Scorer(MASTER))


def test_every_visit_is_equally_likely_to_be_drawn_over_a_thousand_days(daily_draws):
    """Given one stratum of 40 fixed visits and k=4, When the sampler runs on 1,000 days
    (each day's scores from that day's secret), Then every visit's inclusion count is
    consistent with 100 each (chi-square p > 0.01) and every day draws exactly 4."""
    included, sizes = daily_draws

    assert sizes == {K: DAYS}
    assert sum(included.values()) == DAYS * K
    assert _uniformity_p(included) > 0.01


def test_the_uniformity_check_catches_a_draw_ordered_by_visit_key():
    """Given a broken score that orders visits by their key, When drawn over 1,000 days,
    Then the chi-square check rejects uniformity: the check can fail."""
    included, sizes = _inclusions(lambda day: lambda visit_date, visit_key: visit_key[:16])

    assert sizes == {K: DAYS}
    assert _uniformity_p(included) < 1e-6


def test_the_uniformity_check_catches_a_secret_reused_for_a_month():
    """Given a subtler bug (one day secret for every day of a month), When drawn over 1,000
    days, Then the same few visits recur and the chi-square check rejects uniformity."""
    monthly = Scorer(MASTER)
    included, _ = _inclusions(
        lambda day: lambda visit_date, visit_key: monthly(visit_date[:8] + "01", visit_key)
    )

    assert _uniformity_p(included) < 1e-6


# -- 5. eligibility ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "chosen", "reason"),
    [
        (None, set(), None),
        ({}, set(), None),
        ({"opted_out": True}, set(), OPTED_OUT),
        ({"opted_out": True, "last_sampled": "2026-01-01"}, set(), OPTED_OUT),
        ({"opted_out": False, "last_sampled": "2026-11-22"}, set(), CONTACTED_RECENTLY),
        ({"last_sampled": "2026-10-25"}, set(), CONTACTED_RECENTLY),  # 29 days ago
        ({"last_sampled": "2026-10-24"}, set(), None),  # 30 days ago: cooldown over
        ({"last_sampled": None}, set(), None),
        (None, {"ph-x"}, SAME_CITIZEN_TODAY),
        ({"last_sampled": "2025-01-01"}, {"ph-x"}, SAME_CITIZEN_TODAY),
    ],
)
def test_why_a_candidate_is_ineligible(contact, chosen, reason):
    """Given a contact record and the phones chosen so far today, When checked with a 30-day
    cooldown, Then the reason is opted-out first, then contacted-recently, then same-citizen."""
    candidate = _candidate("x", "health#OPD#O1", phone="ph-x")

    assert ineligible(candidate, contact, RUN, 30, chosen) == reason


def test_no_cooldown_means_a_citizen_may_be_contacted_again_next_day():
    """Given cooldown_days 0 and a contact sampled yesterday, When checked, Then eligible."""
    candidate = _candidate("x", "health#OPD#O1")

    assert ineligible(candidate, {"last_sampled": "2026-11-22"}, RUN, 0, set()) is None


def test_bottom_k_takes_the_smallest_scores_not_skipped():
    """Given 20 candidates and two of the three smallest skipped, When the bottom 3 are taken,
    Then they are the smallest-score candidates that were not skipped, in score order."""
    candidates = [_candidate(str(i), "h#S#O") for i in range(20)]
    ranked = sorted(candidates, key=lambda c: c.score)
    skip = {ranked[0].visit_key: OPTED_OUT, ranked[2].visit_key: CONTACTED_RECENTLY}

    chosen = bottom_k(reversed(candidates), 3, skip)

    assert chosen == [ranked[1], ranked[3], ranked[4]]
    assert bottom_k(candidates, 50, {}) == ranked


# -- 7. one visit's data moves one visit's score --------------------------------------------


def test_changing_one_visit_changes_only_its_score():
    """Given 500 visits scored for a day, When one visit's key changes (its data was edited),
    Then every other visit keeps its score, and the bottom 10 of the others differ from the
    original bottom 10 by at most that one visit."""
    scorer = Scorer(MASTER)
    keys = [_key(f"v{i}") for i in range(500)]
    before = {k: scorer("2026-11-22", k) for k in keys}
    bottom = sorted(keys, key=before.__getitem__)[:10]

    for changed in bottom[:5] + keys[:5]:  # visits in the sample and (mostly) not
        edited = [k if k != changed else _key("edited " + changed) for k in keys]
        after = {k: Scorer(MASTER)("2026-11-22", k) for k in edited}
        assert all(after[k] == before[k] for k in keys if k != changed)
        new_bottom = sorted(edited, key=after.__getitem__)[:10]
        others_before = set(bottom) - {changed}
        others_after = set(new_bottom) - {changed, _key("edited " + changed)}
        assert len(others_before ^ others_after) <= 1


def test_a_score_is_fixed_width_hex_so_string_order_is_numeric_order():
    """Given many scores, When sorted as strings and as integers, Then the orders agree."""
    scores = [score(SECRET, str(i)) for i in range(2000)]

    assert all(len(s) == 16 for s in scores)
    assert sorted(scores) == sorted(scores, key=lambda s: int(s, 16))


def test_day_secrets_differ_per_day_and_per_master_key():
    """Given the master key, When secrets are derived, Then each day's and each run's differ,
    and another master key gives other secrets."""
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(60)]

    assert len({day_secret(MASTER, d) for d in days} | {run_secret(MASTER, d) for d in days}) == 120
    assert day_secret(MASTER, RUN) != day_secret(b"another key", RUN)
    assert Scorer(MASTER)(RUN.isoformat(), "k") == score(day_secret(MASTER, RUN), "k")


# -- 4. callers -------------------------------------------------------------------------------

DISTRICTS = ["Khordha", "Cuttack", "Puri", "Ganjam"]


def _selected(n_per_stratum: int, departments=("health", "revenue", "police")):
    """A day's sample: each department × 2 offices × 4 districts, n visits each."""
    selected = []
    for department in departments:
        for office in ("O1", "O2"):
            for district in DISTRICTS:
                stratum = f"{department}#SVC#{office}-{district}"
                for i in range(n_per_stratum):
                    selected.append(_candidate(f"{stratum}/{i}", stratum, district))
    return selected


def _lists(assignments):
    lists: dict[str, list[Candidate]] = {}
    for a in assignments:
        lists.setdefault(a.caller, []).append(a.candidate)
    return lists


def test_callers_get_their_quotas_within_their_scope_and_the_rest_goes_ivr_and_sms():
    """Given the default plan and 72 sampled visits, When assigned, Then the CMO has exactly
    10, each fixed caller its quota, district callers only visits of their district (and the
    SP only police), every visit is in exactly one list, and IVR/SMS split 70/30 (±1)."""
    plan = SamplingPlan.from_document(default_plan_document())
    selected = _selected(3)

    assignments, shortfall = assign(selected, plan, SECRET)
    lists = _lists(assignments)

    assert len(lists["cmo"]) == 10
    assert {c: len(lists[c]) for c in lists if c not in ("contact-centre", SMS_CALLER)} == {
        "cmo": 10,
        "minister-health": 5,
        "minister-revenue": 5,
        "collector-khordha": 3,
        "sp-cuttack": 3,
    }
    assert shortfall == {}
    assert {c.district for c in lists["collector-khordha"]} == {"Khordha"}
    assert {(c.department, c.district) for c in lists["sp-cuttack"]} == {("police", "Cuttack")}
    assert {c.department for c in lists["minister-health"]} == {"health"}
    assert {c.department for c in lists["minister-revenue"]} == {"revenue"}
    keys = [a.candidate.visit_key for a in assignments]
    assert sorted(keys) == sorted(c.visit_key for c in selected)  # each exactly once
    rest = len(selected) - 26
    ivr = sum(1 for a in assignments if a.channel == "ivr_call")
    sms = sum(1 for a in assignments if a.channel == "sms")
    assert ivr + sms == rest
    assert abs(ivr - 0.7 * rest) <= 1
    assert {a.caller for a in assignments if a.channel == "ivr_call"} == {"contact-centre"}
    assert {a.channel for a in assignments if a.caller in ("cmo", "sp-cuttack")} == {
        "official_call"
    }


@pytest.mark.parametrize("mix", [{"ivr_call": 1}, {"sms": 1}, {"ivr_call": 1, "sms": 1}])
def test_the_remainder_follows_the_channel_mix(mix):
    """Given a plan without fixed callers and a channel mix, When 37 visits are assigned,
    Then the IVR share is the mix's within one and the rest are SMS."""
    plan = SamplingPlan.from_document({"channel_mix": mix})
    selected = _selected(2)[:37]

    assignments, _ = assign(selected, plan, SECRET)

    ivr = sum(1 for a in assignments if a.channel == "ivr_call")
    share = plan.channel_mix.get("ivr_call", 0)
    assert abs(ivr - share * 37) <= 1
    assert sum(1 for a in assignments if a.channel == "sms") == 37 - ivr


def test_the_cmo_list_is_balanced_round_robin_across_strata():
    """Given 10 strata of 5 sampled visits and only the CMO with a quota of 10, When assigned,
    Then the CMO gets exactly one visit from each stratum, the smallest score of each."""
    plan = SamplingPlan.from_document({"callers": [{"id": "cmo", "daily_quota": 10}]})
    selected = [_candidate(f"{s}/{i}", f"health#S{s}#O{s}") for s in range(10) for i in range(5)]

    assignments, _ = assign(selected, plan, SECRET)
    cmo = _lists(assignments)["cmo"]

    assert Counter(c.stratum for c in cmo) == {f"health#S{s}#O{s}": 1 for s in range(10)}
    for chosen in cmo:
        stratum = [c for c in selected if c.stratum == chosen.stratum]
        assert chosen == min(stratum, key=lambda c: c.score)


def test_a_larger_quota_goes_round_the_strata_again():
    """Given 4 strata and a 10-visit quota, When assigned, Then the list holds 3/3/2/2."""
    plan = SamplingPlan.from_document({"callers": [{"id": "cmo", "daily_quota": 10}]})
    selected = [_candidate(f"{s}/{i}", f"revenue#S#O{s}") for s in range(4) for i in range(6)]

    cmo = _lists(assign(selected, plan, SECRET)[0])["cmo"]

    assert sorted(Counter(c.stratum for c in cmo).values()) == [2, 2, 3, 3]


def test_a_caller_short_of_visits_in_scope_is_reported():
    """Given a district caller with quota 3 and one visit in its district, When assigned,
    Then it gets that one visit and a shortfall of 2, and takes nothing outside its scope."""
    plan = SamplingPlan.from_document(
        {"callers": [{"id": "dc", "scope": "district", "district": "Puri", "daily_quota": 3}]}
    )
    selected = [_candidate("a", "h#S#O1", "Puri")] + [
        _candidate(f"b{i}", "h#S#O1", "Khordha") for i in range(9)
    ]

    assignments, shortfall = assign(selected, plan, SECRET)

    assert [c.district for c in _lists(assignments)["dc"]] == ["Puri"]
    assert shortfall == {"dc": 2}


def test_the_cmo_gets_its_ten_whenever_ten_are_sampled():
    """Given the default plan and a quiet day with 12 sampled health visits in Khordha, When
    assigned, Then the Chief Minister's office still has exactly 10 (its list is the one the
    plan promises whenever at least 10 visits are sampled)."""
    plan = SamplingPlan.from_document(default_plan_document())
    selected = [_candidate(f"q{i}", f"health#OPD#O{i % 3}", "Khordha") for i in range(12)]

    lists = _lists(assign(selected, plan, SECRET)[0])

    assert len(lists["cmo"]) == 10


def test_assignment_does_not_depend_on_the_order_of_the_selection():
    """Given the same sample in two orders, When assigned with the same secret, Then every
    visit gets the same caller and channel; with another run's secret the choice changes."""
    plan = SamplingPlan.from_document(default_plan_document())
    selected = _selected(3)
    shuffled = selected[:]
    random.Random(5).shuffle(shuffled)

    def by_visit(secret, sample):
        return {
            a.candidate.visit_key: (a.caller, a.channel) for a in assign(sample, plan, secret)[0]
        }

    assert by_visit(SECRET, selected) == by_visit(SECRET, shuffled)
    assert by_visit(SECRET, selected) != by_visit(
        run_secret(MASTER, dt.date(2026, 11, 24)), selected
    )
