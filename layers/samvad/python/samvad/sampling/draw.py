"""Bottom-k selection, eligibility and caller assignment: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from samvad.sampling.plan import Caller, SamplingPlan
from samvad.sampling.scores import uniform

OPTED_OUT = "opted_out"
CONTACTED_RECENTLY = "contacted_recently"
SAME_CITIZEN_TODAY = "same_citizen_today"
SMS_CALLER = "sms"


@dataclass(frozen=True)
class Candidate:
    visit_key: str
    score: str
    stratum: str
    visit_date: str
    phone_hash: str
    district: str = ""
    language: str = ""

    @property
    def department(self) -> str:
        return self.stratum.split("#", 1)[0]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Assignment:
    candidate: Candidate
    caller: str
    channel: str

    def as_dict(self) -> dict:
        return {**self.candidate.as_dict(), "caller": self.caller, "channel": self.channel}


def ineligible(
    candidate: Candidate,
    contact: dict | None,
    run_date: dt.date,
    cooldown_days: int,
    chosen_today: set[str],
) -> str | None:
    """Why this candidate may not be contacted today, or ``None``."""
    if contact and contact.get("opted_out"):
        return OPTED_OUT
    last = contact.get("last_sampled") if contact else None
    if last and (run_date - dt.date.fromisoformat(last)).days < cooldown_days:
        return CONTACTED_RECENTLY
    if candidate.phone_hash in chosen_today:
        return SAME_CITIZEN_TODAY
    return None


def assign(
    selected: list[Candidate], plan: SamplingPlan, secret: bytes
) -> tuple[list[Assignment], dict[str, int]]:
    """Give each sampled visit a caller and a channel; return them and each caller's shortfall.

    Callers with fixed quotas choose first, narrowest scope first (a district's officials,
    then ministers, then the state-wide Chief Minister's office), each taking visits round-robin
    across the strata in its scope so its list is balanced. The rest is split between the
    contact centre's IVR and SMS in the plan's mix. Every choice is ordered by secret scores,
    so nobody picks which citizens an official calls.
    """
    left = sorted(selected, key=lambda c: c.score)
    assignments: list[Assignment] = []
    shortfall: dict[str, int] = {}
    breadth = {"state": 0, "department": 1, "district": 2}
    fixed = sorted(
        (c for c in plan.callers if c.daily_quota), key=lambda c: (breadth[c.scope], c.id)
    )
    for caller in fixed:
        taken = _round_robin(
            [c for c in left if caller.covers(c.department, c.district)], caller, secret
        )
        chosen = {c.visit_key for c in taken}
        left = [c for c in left if c.visit_key not in chosen]
        assignments += [Assignment(c, caller.id, caller.channel) for c in taken]
        if len(taken) < caller.daily_quota:
            shortfall[caller.id] = caller.daily_quota - len(taken)
    left.sort(key=lambda c: uniform(secret, "channel/" + c.visit_key))
    ivr = round(len(left) * plan.channel_mix.get("ivr_call", 0))
    assignments += [Assignment(c, plan.bulk_caller, "ivr_call") for c in left[:ivr]]
    assignments += [Assignment(c, SMS_CALLER, "sms") for c in left[ivr:]]
    return assignments, shortfall


def _round_robin(pool: list[Candidate], caller: Caller, secret: bytes) -> list[Candidate]:
    by_stratum: dict[str, list[Candidate]] = {}
    for candidate in pool:  # pool is in score order, so each list is too
        by_stratum.setdefault(candidate.stratum, []).append(candidate)
    strata = sorted(by_stratum, key=lambda s: uniform(secret, f"caller/{caller.id}/{s}"))
    taken: list[Candidate] = []
    depth = 0
    while len(taken) < caller.daily_quota and any(len(by_stratum[s]) > depth for s in strata):
        for stratum in strata:
            if len(taken) == caller.daily_quota:
                break
            if len(by_stratum[stratum]) > depth:
                taken.append(by_stratum[stratum][depth])
        depth += 1
    return taken


def bottom_k(candidates: Iterable[Candidate], k: int, skip: dict[str, str]) -> list[Candidate]:
    """The ``k`` smallest-score candidates not in ``skip``: what verification replays."""
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.score):
        if len(chosen) == k:
            break
        if candidate.visit_key not in skip:
            chosen.append(candidate)
    return chosen
