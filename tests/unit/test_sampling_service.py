"""The daily sampler against in-memory ports: quotas, callers, eligibility, idempotence,
manipulation resistance, the reveal of secrets, and how much it reads."""

import datetime as dt
import json
import random
from collections import Counter

import pytest

from samvad import resources
from samvad.intake.service import Upload, ingest
from samvad.sampling.plan import SamplingPlan, allocate, default_plan_document
from samvad.sampling.scores import day_secret, run_secret, score, uniform
from samvad.sampling.service import run_sampler, selection_key, summarise
from tests.fakes import SAMPLING_KEY, FailOnce, MemorySamplingWorld, memory_ports, visit_record

RUN = dt.date(2026, 11, 23)
DAY = RUN.isoformat()
WINDOW = [(RUN - dt.timedelta(days=d)).isoformat() for d in (3, 2, 1)]
OUTSIDE = [(RUN - dt.timedelta(days=4)).isoformat(), DAY]  # never sampled by this run

# department, service, office, district, visits on each window date (oldest first)
LAYOUT = [
    ("health", "OPD", "HLT-KHU-001", "Khordha", (30, 25, 40)),
    ("health", "IPD", "HLT-KHU-001", "Khordha", (5, 3, 4)),
    ("health", "OPD", "HLT-CTC-002", "Cuttack", (12, 10, 9)),
    ("health", "OPD", "HLT-PUR-003", "Puri", (1, 0, 0)),
    ("revenue", "MUT", "REV-KHU-01", "Khordha", (4, 2, 3)),
    ("revenue", "CERT", "REV-GAN-02", "Ganjam", (2, 1, 0)),
    ("police", "FIR", "POL-CTC-01", "Cuttack", (20, 15, 18)),
    ("police", "FIR", "POL-CTC-02", "Cuttack", (3, 2, 2)),
    ("police", "FIR", "POL-KHU-01", "Khordha", (8, 9, 7)),
    ("transport", "DL", "TRN-CTC-01", "Cuttack", (6, 6, 6)),
]
PLAN = {
    "window_days": 3,
    "cooldown_days": 30,
    "default": {"daily_quota": 10},
    "departments": {
        "health": {"daily_quota": 25, "allocation": "proportional", "min_per_office": 2},
        "revenue": {"daily_quota": 40},
        "police": {"daily_quota": 9, "allocation": "equal", "min_per_office": 1},
    },
    "channel_mix": {"ivr_call": 0.7, "sms": 0.3},
    "callers": default_plan_document()["callers"],
}


def layout_visits(layout=LAYOUT, outside: int = 2) -> list[dict]:
    """The layout's visits, plus ``outside`` visits per stratum on dates outside the window."""
    visits = []
    for department, service, office, district, counts in layout:
        for day, count in zip(WINDOW, counts, strict=True):
            visits += [
                visit_record(department, service, office, day, n, district) for n in range(count)
            ]
        for day in OUTSIDE:
            visits += [
                visit_record(department, service, office, day, n, district) for n in range(outside)
            ]
    return visits


def sampled_by_stratum(world: MemorySamplingWorld) -> dict[str, int]:
    return dict(Counter(world.visits[k]["stratum"] for k in world.sampled(DAY)))


def expected_quotas(world: MemorySamplingWorld, plan: dict) -> dict[str, int]:
    """What the plan allocates, recomputed from the strata counts and the run secret."""
    available = world.strata.available(WINDOW)
    totals = {s: sum(per_date.values()) for s, per_date in available.items()}
    secret = run_secret(world.key, RUN)
    order = {s: uniform(secret, "stratum/" + s) for s in totals}
    return allocate(SamplingPlan.from_document(plan), totals, order)


@pytest.fixture
def world():
    return MemorySamplingWorld.from_visits(layout_visits(), plan=PLAN)


# -- the fake world is the world intake builds ------------------------------------------------

INTAKE_CSV = (
    "Mobile No,Date of Visit,Office Code,Service,Patient Name,Hospital Name,District\r\n"
    "9876543210,22/11/2026,HLT-KHU-001,OPD,Sasmita Das,CHC Tangi,Khordha\r\n"
    "+91 99370 12345,2026-11-21,HLT-CTC-002,IPD,Prakash Behera,SCB Cuttack,Cuttack\r\n"
    "9437012345,21/11/2026,HLT-CTC-002,IPD,Rina Sahu,SCB Cuttack,Cuttack\r\n"
    "9861122334,20/11/2026,HLT-KHU-001,OPD,Anil Nayak,CHC Tangi,Khordha\r\n"
)


def test_the_memory_world_scores_and_counts_visits_exactly_as_intake_does():
    """Given a file ingested by intake (in-memory ports), When the same visits are loaded
    into a MemorySamplingWorld, Then every visit has intake's sample_pk and sample_score and
    the strata counts agree."""
    ports = memory_ports()
    ports.objects.add("data", "uploads/health/day.csv", INTAKE_CSV.encode())
    ingest(Upload(bucket="data", key="uploads/health/day.csv", etag="e"), ports)
    items = [{n: next(iter(v.values())) for n, v in i.items()} for i in ports.visits.items.values()]
    fields = ("visit_key", "department", "service", "office_code", "visit_date", "phone_hash")

    world = MemorySamplingWorld.from_visits([{f: i[f] for f in fields} for i in items])

    assert len(items) == 4
    for item in items:
        visit = world.visits[item["visit_key"]]
        assert (visit["sample_pk"], visit["sample_score"]) == (
            item["sample_pk"],
            item["sample_score"],
        )
    assert world.strata.totals() == ports.strata.totals()


# -- 2. per-stratum counts follow the plan ---------------------------------------------------


def test_each_stratum_gets_exactly_its_allocation(world):
    """Given a world of 4 departments, 10 strata and visits over the 3-day window, When the
    sampler runs, Then each stratum's sampled count equals allocate()'s, each department gets
    min(quota, available), every office its minimum, and nothing outside the window."""
    expected = {s: n for s, n in expected_quotas(world, PLAN).items() if n}

    summary = run_sampler(RUN, world.ports())

    assert sampled_by_stratum(world) == expected
    assert summary["sampled"] == sum(expected.values()) == summary["quota"]
    assert summary["by_department"] == {"health": 25, "revenue": 12, "police": 9, "transport": 10}
    assert summary["stratum_shortfall"] == 0
    offices = Counter(world.visits[k]["office_code"] for k in world.sampled(DAY))
    assert offices["HLT-PUR-003"] == 1  # its only visit
    assert all(offices[o] >= 2 for o in ("HLT-KHU-001", "HLT-CTC-002"))
    assert all(offices[o] >= 1 for o in ("POL-CTC-01", "POL-CTC-02", "POL-KHU-01"))
    assert {world.visits[k]["visit_date"] for k in world.sampled(DAY)} <= set(WINDOW)


def test_each_stratum_sample_is_its_smallest_scores_across_the_window(world):
    """Given visits of each stratum spread over the window's 3 dates, When the sampler runs,
    Then each stratum's sample is exactly its k smallest scores over the whole window (the
    per-date partitions are merged, not read one date after another)."""
    run_sampler(RUN, world.ports())
    sampled = world.sampled(DAY)

    for stratum, k in sampled_by_stratum(world).items():
        pool = [
            v
            for v in world.visits.values()
            if v["stratum"] == stratum and v["visit_date"] in WINDOW
        ]
        smallest = sorted(pool, key=lambda v: v["sample_score"])[:k]
        assert {v["visit_key"] for v in smallest} == {v["visit_key"] for v in pool} & sampled


def test_equal_and_proportional_departments_differ_as_documented(world):
    """Given police on equal allocation (stations of 53, 7 and 24 visits) and health on
    proportional, When the sampler runs, Then each police station gets 3, and the busiest
    health stratum gets the most."""
    run_sampler(RUN, world.ports())
    sampled = sampled_by_stratum(world)

    assert [sampled[f"police#FIR#{s}"] for s in ("POL-CTC-01", "POL-CTC-02", "POL-KHU-01")] == [
        3,
        3,
        3,
    ]
    health = {s: n for s, n in sampled.items() if s.startswith("health#")}
    assert max(health, key=health.__getitem__) == "health#OPD#HLT-KHU-001"
    assert health["health#OPD#HLT-KHU-001"] >= 14  # 95 of 139 visits: ~2/3 of the quota


def test_the_shipped_default_plan_applies_when_no_plan_is_configured():
    """Given no plan in the config port, When the sampler runs, Then the default plan's
    quotas (health 150: here everything it has) and its callers are used."""
    world = MemorySamplingWorld.from_visits(layout_visits())

    summary = run_sampler(RUN, world.ports())

    assert summary["by_department"]["health"] == 139
    assert summary["by_department"]["police"] == 80
    assert summary["by_caller"]["cmo"] == 10
    assert world.documents[selection_key(DAY)]["plan"] == default_plan_document()


# -- 4. callers and their lists ---------------------------------------------------------------


def test_call_lists_respect_scope_quota_and_uniqueness(world):
    """Given the default callers, When the sampler runs, Then the CMO's list has exactly 10,
    district callers only visits of their district (the SP only police), no visit is in two
    lists, and the rest is split IVR/SMS 70/30 (±1)."""
    summary = run_sampler(RUN, world.ports())
    lists = world.lists_of(DAY)

    assert len(lists["cmo"]) == 10
    assert {r["district"] for r in lists["collector-khordha"]} == {"Khordha"}
    assert {(r["stratum"].split("#")[0], r["district"]) for r in lists["sp-cuttack"]} == {
        ("police", "Cuttack")
    }
    assert {r["stratum"].split("#")[0] for r in lists["minister-health"]} == {"health"}
    keys = [r["visit_key"] for rows in lists.values() for r in rows]
    assert len(keys) == len(set(keys)) == summary["sampled"]
    assert set(keys) == world.sampled(DAY)
    rest = summary["sampled"] - 26
    assert summary["by_channel"]["ivr_call"] + summary["by_channel"]["sms"] == rest
    assert abs(summary["by_channel"]["ivr_call"] - 0.7 * rest) <= 1
    assert summary["caller_shortfall"] == {}


def test_human_callers_lists_are_for_the_call_desk_not_the_dispatcher(world):
    """Given the default callers (the CMO, ministers, district officials: ``official_call``),
    When the sampler runs, Then their contacts are on their call lists only: the dispatcher
    is given exactly the IVR and SMS contacts (no citizen on a human caller's list is also
    called by the IVR), and the summary counts every contact by channel and the queued ones
    as ``dispatched``."""
    summary = run_sampler(RUN, world.ports())
    lists = world.lists_of(DAY)

    bulk_lists = ("contact-centre", "sms")  # the IVR's and the SMS's
    desk = {r["visit_key"] for caller, rows in lists.items() if caller not in bulk_lists
            for r in rows}  # fmt: skip
    bulk = {r["visit_key"] for caller in bulk_lists for r in lists[caller]}
    assert len(desk) == summary["by_channel"]["official_call"] == 26
    assert {r["channel"] for rows in lists.values() for r in rows if r["visit_key"] in desk} == {
        "official_call"
    }
    dispatched = [m["visit_key"] for m in world.dispatched]
    assert sorted(dispatched) == sorted(bulk)
    assert not desk & set(dispatched)
    assert {m["channel"] for m in world.dispatched} == {"ivr_call", "sms"}
    assert summary["dispatched"] == len(dispatched) == summary["sampled"] - 26


def test_no_citizen_is_called_twice_when_they_visited_several_offices():
    """Given 15 citizens who each visited many offices over the window, When the sampler
    runs, Then no phone hash appears twice in any list or across lists, and the repeats are
    skipped as same_citizen_today."""
    visits = layout_visits(outside=0)
    for n, visit in enumerate(visits):
        visit["phone_hash"] = f"citizen-{n % 15}"
    world = MemorySamplingWorld.from_visits(visits, plan=PLAN)

    summary = run_sampler(RUN, world.ports())
    lists = world.lists_of(DAY)

    phones = [r["phone_hash"] for rows in lists.values() for r in rows]
    assert len(phones) == len(set(phones)) == summary["sampled"] <= 15
    for rows in lists.values():
        assert len({r["phone_hash"] for r in rows}) == len(rows)
    assert summary["skipped_by_reason"]["same_citizen_today"] > 0


def test_a_ten_visit_caller_gets_one_visit_from_each_of_ten_strata():
    """Given 10 strata with 3 sampled each and only the CMO (quota 10), When the sampler
    runs, Then the CMO's list holds exactly one visit of each stratum."""
    layout = [("health", f"S{i}", f"O{i}", "Puri", (2, 2, 2)) for i in range(10)]
    plan = {
        "default": {"daily_quota": 30},
        "callers": [{"id": "cmo", "scope": "state", "daily_quota": 10}],
    }
    world = MemorySamplingWorld.from_visits(layout_visits(layout), plan=plan)

    summary = run_sampler(RUN, world.ports())

    assert summary["sampled"] == 30 and summary["strata"] == 10
    assert Counter(r["stratum"] for r in world.lists_of(DAY)["cmo"]) == {
        f"health#S{i}#O{i}": 1 for i in range(10)
    }


# -- 5. eligibility ---------------------------------------------------------------------------


def test_ineligible_citizens_are_skipped_and_the_next_smallest_scores_taken():
    """Given one stratum of 30 visits (k=5) whose smallest scores belong to an opted-out
    citizen, one contacted 10 days ago and one citizen who visited twice, When the sampler
    runs, Then those are skipped with reasons, counted in the summary, and the next-smallest
    eligible scores are taken instead; contacts are remembered for the cooldown."""
    plan = {"strata": {"health#OPD#O1": 5}, "cooldown_days": 30, "callers": []}
    visits = [visit_record("health", "OPD", "O1", WINDOW[2], n) for n in range(30)]
    world = MemorySamplingWorld.from_visits(visits, plan=plan)
    r = sorted(world.visits, key=lambda k: world.visits[k]["sample_score"])
    phone = {k: world.visits[k]["phone_hash"] for k in r}
    world.contacts[phone[r[0]]] = {"opted_out": True}
    world.contacts[phone[r[1]]] = {"last_sampled": "2026-11-13"}  # 10 days ago
    world.contacts[phone[r[2]]] = {"last_sampled": "2026-10-24"}  # 30 days ago: may be called
    world.contacts[phone[r[3]]] = {"opted_out": False, "last_sampled": "2025-01-01"}
    world.visits[r[5]]["phone_hash"] = phone[r[3]]  # the same citizen, a second visit

    summary = run_sampler(RUN, world.ports())

    assert world.sampled(DAY) == {r[2], r[3], r[4], r[6], r[7]}
    assert summary["skipped_by_reason"] == {
        "opted_out": 1,
        "contacted_recently": 1,
        "same_citizen_today": 1,
    }
    assert world.visits[r[0]]["sample_skip"] == "opted_out"
    assert world.visits[r[1]]["sample_skip"] == "contacted_recently"
    assert r[0] not in world.unsampled() and r[1] not in world.unsampled()
    assert r[5] in world.unsampled()  # not the visit's fault: it stays a candidate
    assert all(world.contacts[phone[k]]["last_sampled"] == DAY for k in (r[2], r[3], r[4]))
    assert world.contacts[phone[r[0]]] == {"opted_out": True}
    left = sum(world.strata.available(WINDOW)["health#OPD#O1"].values())
    assert left == len(world.unsampled()) == 30 - 5 - 2


def test_tomorrow_the_cooldown_skips_todays_citizens():
    """Given a citizen with two visits on different days, one sampled today, When tomorrow's
    run reaches the other visit, Then it is skipped as contacted_recently."""
    plan = {"strata": {"health#OPD#O1": 1}, "cooldown_days": 30, "callers": []}
    visits = [
        visit_record("health", "OPD", "O1", WINDOW[2], 0, phone_hash="ph-1"),
        visit_record("health", "OPD", "O1", DAY, 1, phone_hash="ph-1"),
    ]
    world = MemorySamplingWorld.from_visits(visits, plan=plan)

    run_sampler(RUN, world.ports())
    tomorrow = run_sampler(RUN + dt.timedelta(days=1), world.ports())

    assert tomorrow["sampled"] == 0
    assert tomorrow["skipped_by_reason"] == {"contacted_recently": 1}


# -- 6. idempotence ---------------------------------------------------------------------------


def test_running_twice_for_a_date_draws_one_sample(world):
    """Given a completed run, When the sampler runs again for the same date, Then the summary
    is identical, nothing is marked, listed or dispatched again, and one event was published."""
    first = run_sampler(RUN, world.ports())
    dispatched = list(world.dispatched)
    lists = json.dumps(world.call_lists, sort_keys=True)

    second = run_sampler(RUN, world.ports())

    assert second == first
    assert world.dispatched == dispatched
    assert len(dispatched) == first["dispatched"]
    assert len({m["visit_key"] for m in dispatched}) == first["dispatched"]
    assert set(world.marks.sampled_writes.values()) == {1}
    assert json.dumps(world.call_lists, sort_keys=True) == lists
    assert [t for t, _ in world.events.published] == [resources.SAMPLE_DRAWN]


def test_a_rerun_after_a_crash_applies_the_persisted_selection(world):
    """Given a run that crashed while dispatching (after its selection was persisted), and
    new visits uploaded since, When the sampler runs again, Then it completes the same
    selection (same selection_sha256, same visits), not a new draw, and every message is
    dispatched exactly once."""
    control = MemorySamplingWorld.from_visits(layout_visits(), plan=PLAN)
    expected = run_sampler(RUN, control.ports())

    with pytest.raises(RuntimeError, match="injected"):
        run_sampler(RUN, world.ports(dispatch=FailOnce(world.dispatcher, "send")))
    assert world.runs[DAY]["status"] == "SELECTED"
    persisted = summarise(world.documents[selection_key(DAY)])["selection_sha256"]
    late = [
        visit_record("health", "OPD", "HLT-KHU-001", d, 1000 + n) for d in WINDOW for n in range(40)
    ]
    world.upload(late)  # would change a fresh draw: some have smaller scores

    summary = run_sampler(RUN, world.ports())

    assert summary["selection_sha256"] == persisted == expected["selection_sha256"]
    assert world.sampled(DAY) == control.sampled(DAY)
    assert world.runs[DAY]["status"] == "COMPLETED"
    assert sorted(m["visit_key"] for m in world.dispatched) == sorted(
        r["visit_key"] for c in ("contact-centre", "sms") for r in control.lists_of(DAY)[c]
    )
    assert {m["run_date"] for m in world.dispatched} == {DAY}  # what a consumer dedupes on
    assert world.lists_of(DAY) == control.lists_of(DAY)


def test_a_fresh_draw_would_have_differed_so_the_crash_test_can_fail():
    """Given the same world with the late visits uploaded before any run, When drawn, Then the
    sample differs: the rerun test above shows the persisted selection, not a coincidence."""
    world = MemorySamplingWorld.from_visits(layout_visits(), plan=PLAN)
    control = MemorySamplingWorld.from_visits(layout_visits(), plan=PLAN)
    world.upload(
        [
            visit_record("health", "OPD", "HLT-KHU-001", d, 1000 + n)
            for d in WINDOW
            for n in range(40)
        ]
    )

    assert (
        run_sampler(RUN, world.ports())["selection_sha256"]
        != run_sampler(RUN, control.ports())["selection_sha256"]
    )


# -- 7. manipulation resistance ---------------------------------------------------------------


def test_editing_one_visit_displaces_at_most_one_other(world):
    """Given a drawn sample, When one visit's data is changed (so its key and score change)
    and the day is drawn again, Then every other visit keeps its score and the sample among
    the other visits differs by at most one visit; tried for sampled and unsampled visits."""
    visits = layout_visits()
    run_sampler(RUN, world.ports())
    original = world.sampled(DAY)
    in_window = [v for v in visits if v["visit_date"] in WINDOW]
    rng = random.Random(11)
    victims = rng.sample([v for v in in_window if v["visit_key"] in original], 4)
    victims += rng.sample([v for v in in_window if v["visit_key"] not in original], 4)

    for victim in victims:
        edited = dict(victim, visit_key="edited-" + victim["visit_key"])
        changed = [edited if v is victim else v for v in visits]
        other = MemorySamplingWorld.from_visits(changed, plan=PLAN)
        run_sampler(RUN, other.ports())

        untouched = set(world.visits) - {victim["visit_key"]}
        assert all(
            other.visits[k]["sample_score"] == world.visits[k]["sample_score"] for k in untouched
        )
        before = original & untouched
        after = other.sampled(DAY) & untouched
        assert len(before ^ after) <= 1, victim


def test_the_upload_order_does_not_change_the_sample():
    """Given the same visits (some citizens visiting several offices) uploaded in three orders
    and split over several uploads, When drawn, Then the persisted selections and the call
    lists are identical."""
    visits = layout_visits()
    for n, visit in enumerate(visits):
        if n % 3 == 0:
            visit["phone_hash"] = f"citizen-{n % 40}"
    shuffled = visits[:]
    random.Random(3).shuffle(shuffled)
    worlds = [
        MemorySamplingWorld.from_visits(visits, plan=PLAN),
        MemorySamplingWorld.from_visits(list(reversed(visits)), plan=PLAN),
        MemorySamplingWorld(plan=PLAN),
    ]
    for start in range(0, len(shuffled), 97):
        worlds[2].upload(shuffled[start : start + 97])

    summaries = [run_sampler(RUN, w.ports()) for w in worlds]

    assert summaries[0] == summaries[1] == summaries[2]
    selections = [w.documents[selection_key(DAY)] for w in worlds]
    assert selections[0] == selections[1] == selections[2]
    assert worlds[0].lists_of(DAY) == worlds[1].lists_of(DAY) == worlds[2].lists_of(DAY)


# -- 8. the reveal ----------------------------------------------------------------------------


def _revealed(world, kind: str) -> dict[str, dict]:
    prefix = f"{resources.AUDIT_PREFIX}{kind}/"
    return {
        key.removeprefix(prefix).removesuffix(".json"): doc
        for key, doc in world.documents.items()
        if key.startswith(prefix)
    }


def test_a_run_reveals_its_secret_and_the_oldest_window_date_only(world):
    """Given a run for D, When it completes, Then audit/sampling/run/D.json holds run_secret(D)
    and audit/sampling/visit-date/<D-3>.json day_secret(D-3), which recomputes the scores of
    that date's visits; the secrets of D-2 and D-1 (still to be sampled) appear nowhere. The
    world also holds visits of D-4, which no run can sample any more (no run covered them):
    their secret is owed too (missed-run catch-up), and nothing older."""
    summary = run_sampler(RUN, world.ports())

    before = (dt.date.fromisoformat(WINDOW[0]) - dt.timedelta(days=1)).isoformat()
    runs, dates = _revealed(world, "run"), _revealed(world, "visit-date")
    assert set(runs) == {DAY} and set(dates) == {WINDOW[0], before}
    assert runs[DAY]["secret"] == run_secret(SAMPLING_KEY, RUN).hex()
    oldest = dt.date.fromisoformat(WINDOW[0])
    assert dates[WINDOW[0]]["secret"] == day_secret(SAMPLING_KEY, oldest).hex()
    assert dates[WINDOW[0]]["selection_sha256"] == summary["selection_sha256"]
    secret = bytes.fromhex(dates[WINDOW[0]]["secret"])
    for visit in world.visits.values():
        if visit["visit_date"] == WINDOW[0]:
            assert score(secret, visit["visit_key"]) == visit["sample_score"]
    everything = json.dumps([world.documents, world.runs, world.events.published])
    for later in [*WINDOW[1:], DAY]:
        assert day_secret(SAMPLING_KEY, dt.date.fromisoformat(later)).hex() not in everything
    assert sorted(summary["revealed_secrets"]) == [
        f"run/{DAY}",
        f"visit-date/{before}",
        f"visit-date/{WINDOW[0]}",
    ]


def test_a_missed_day_leaves_no_secret_unrevealed(world):
    """Given runs on D-1 and D+1 but none on D (an outage), When D+1 completes, Then the
    secret of D-3, which no later run will sample, has been revealed too (every visit date's
    secret is published once it can no longer be sampled)."""
    run_sampler(RUN - dt.timedelta(days=1), world.ports())
    run_sampler(RUN + dt.timedelta(days=1), world.ports())

    revealed = set(_revealed(world, "visit-date"))
    assert WINDOW[0] in revealed, sorted(revealed)  # D-3: in D's window only


def test_a_backfilled_run_never_samples_a_date_whose_secret_is_public(world):
    """Given the run of D+1 has completed (revealing D-2's secret), When the missed run of D
    is backfilled, Then none of the visits it samples is dated D-2 or any other date whose
    secret was already published (anyone could have predicted or steered those)."""
    run_sampler(RUN + dt.timedelta(days=1), world.ports())
    public = set(_revealed(world, "visit-date"))
    assert WINDOW[1] in public

    run_sampler(RUN, world.ports())

    dates = {world.visits[k]["visit_date"] for k in world.sampled(DAY)}
    assert not dates & public, sorted(dates & public)


# -- 9. reads are O(k) ------------------------------------------------------------------------

READS_PLAN = {
    "window_days": 3,
    "default": {"daily_quota": 60},
    "callers": [],
}


def _reads_world(total: int) -> MemorySamplingWorld:
    """``total`` visits over 2 departments × 2 offices, spread evenly over the window's days."""
    strata = [("health", "OPD", "H1"), ("health", "OPD", "H2"), ("revenue", "MUT", "R1")]
    strata.append(("revenue", "MUT", "R2"))
    visits = [
        visit_record(*strata[n % 4], WINDOW[(n // 4) % 3], n, "Khordha") for n in range(total)
    ]
    return MemorySamplingWorld.from_visits(visits, plan=READS_PLAN)


@pytest.fixture(scope="module")
def read_counts():
    result = {}
    for total in (2_000, 20_000):
        world = _reads_world(total)
        summary = run_sampler(RUN, world.ports())
        result[total] = (summary, world.index.items_read)
    return result


def test_reads_do_not_grow_with_the_number_of_visits(read_counts):
    """Given worlds of 2,000 and 20,000 visits with the same quotas, When drawn, Then both
    sample 120 and read about the same number of index items (O(k), independent of N: the
    score slices overshoot by a few items at random, so the counts agree within 10%)."""
    (small, small_reads), (large, large_reads) = read_counts[2_000], read_counts[20_000]

    assert small["sampled"] == large["sampled"] == 120
    assert abs(small_reads - large_reads) <= 0.1 * min(small_reads, large_reads)
    assert max(small_reads, large_reads) <= 1.5 * 120


@pytest.mark.parametrize("total", [2_000, 20_000])
def test_reads_per_sampled_visit_stay_below_one_and_a_half(read_counts, total):
    """Given 120 to sample (30 per stratum) from visits spread over the 3-day window, When
    drawn, Then at most 1.5 index items are read per sampled visit (reading "a little past
    k", not k per date of the window)."""
    summary, reads = read_counts[total]

    assert summary["visits_read_per_sampled"] == round(reads / summary["sampled"], 3)
    assert summary["visits_read_per_sampled"] <= 1.5
