"""``samvad sample verify``: anyone holding the revealed secrets can recompute a day's sample.

Checks, for the run of ``run_date``:

1. every visit of the window's dates carries ``score = HMAC(revealed day secret, visit key)``
   (a visit whose score was tampered with is named);
2. the quotas follow from the published plan, the strata's availability and the revealed run
   secret;
3. per stratum, the published sample is exactly the quota's smallest scores among the visits
   that were candidates at run time, less the published skips;
4. callers and channels follow from the plan and the run secret.
"""

from __future__ import annotations

import datetime as dt

from samvad import resources
from samvad.ports import Documents, VisitsByDate
from samvad.sampling.draw import Candidate, assign, bottom_k
from samvad.sampling.plan import SamplingPlan, allocate
from samvad.sampling.scores import score, uniform


def verify(run_date: dt.date, visits: VisitsByDate, documents: Documents) -> dict:
    day = run_date.isoformat()
    selection = documents.find_json(f"{resources.SAMPLES_PREFIX}{day}/selection.json")
    if selection is None:
        return {
            "run_date": day,
            "ok": False,
            "verifiable": False,
            "reason": f"no published sample for {day}",
        }
    secrets = {}
    missing = []
    for name in [f"run/{day}", *(f"visit-date/{d}" for d in selection["window"])]:
        record = documents.find_json(f"{resources.AUDIT_PREFIX}{name}.json")
        if record is None:
            missing.append(name)
        else:
            secrets[name] = bytes.fromhex(record["secret"])
    if missing:
        return {
            "run_date": day,
            "ok": False,
            "verifiable": False,
            "missing_secrets": missing,
            "reason": "a visit date's secret is revealed by the run after its window "
            "closes; verify again later",
        }

    run_secret = secrets[f"run/{day}"]
    plan = SamplingPlan.from_document(selection["plan"])
    mismatched: list[str] = []
    candidates: dict[str, list[Candidate]] = {}
    checked = 0
    for visit_date in selection["window"]:
        secret = secrets[f"visit-date/{visit_date}"]
        for visit in visits.visits_of(visit_date):
            checked += 1
            if visit.get("sample_score") != score(secret, visit["visit_key"]):
                mismatched.append(visit["visit_key"])
            if _candidate_at_run(visit, day, selection["started_at"]):
                stratum = f"{visit['department']}#{visit['service']}#{visit['office_code']}"
                candidates.setdefault(stratum, []).append(
                    Candidate(
                        visit_key=visit["visit_key"],
                        score=visit["sample_score"],
                        stratum=stratum,
                        visit_date=visit_date,
                        phone_hash=visit.get("phone_hash") or f"erased#{visit['visit_key']}",
                        district=visit.get("district", ""),
                        language=visit.get("language", ""),
                    )
                )

    totals = {s: sum(per.values()) for s, per in selection["available"].items()}
    order = {s: uniform(run_secret, "stratum/" + s) for s in totals}
    allocation_ok = allocate(plan, totals, order) == selection["quotas"]

    skips = {s["visit_key"]: s["reason"] for s in selection["skipped"]}
    published: dict[str, list[str]] = {}
    for a in selection["selected"]:
        published.setdefault(a["stratum"], []).append(a["visit_key"])
    differences = {}
    recomputed: list[Candidate] = []
    for stratum, k in selection["quotas"].items():
        expected = bottom_k(candidates.get(stratum, []), k, skips)
        recomputed += expected
        want, got = sorted(c.visit_key for c in expected), sorted(published.get(stratum, []))
        if want != got:
            differences[stratum] = {"recomputed": want, "published": got}

    by_key = {c.visit_key: c for c in recomputed}
    reassigned, _ = assign(
        [by_key[a["visit_key"]] for a in selection["selected"] if a["visit_key"] in by_key],
        plan,
        run_secret,
    )
    expected_roles = {(a.candidate.visit_key, a.caller, a.channel) for a in reassigned}
    published_roles = {(a["visit_key"], a["caller"], a["channel"]) for a in selection["selected"]}
    return {
        "run_date": day,
        "verifiable": True,
        "visits_checked": checked,
        "score_mismatches": mismatched,
        "allocation_matches": allocation_ok,
        "selection_differences": differences,
        "assignment_differences": len(expected_roles ^ published_roles),
        "sampled": len(selection["selected"]),
        "ok": not mismatched
        and allocation_ok
        and not differences
        and expected_roles == published_roles,
    }


def _candidate_at_run(visit: dict, day: str, started_at: str) -> bool:
    """In the unsampled index when the run started: uploaded before it, not taken earlier."""
    if visit.get("ingested_at", "") >= started_at:
        return False
    for taken_on in (visit.get("sampled_on"), visit.get("skipped_on")):
        if taken_on and taken_on < day:
            return False
    return True
