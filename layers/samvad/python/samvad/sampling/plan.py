"""The sampling plan (a versioned config document) and how it allocates a day's quotas.

A plan sets, per department, a daily quota split over its strata (department × service ×
office) proportionally to their visits or equally, with a minimum per office so small offices
are never skipped; explicit per-stratum quotas override. Callers (the Chief Minister's office,
ministers, district officials) take fixed quotas within their scope; the rest goes to the
contact centre's IVR and to SMS in the plan's channel mix.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources as package_files

CHANNELS = ("official_call", "ivr_call", "sms")
SCOPES = ("state", "department", "district")
ALLOCATIONS = ("proportional", "equal")


class PlanError(ValueError):
    """The plan document is not valid; the message says where and why."""


@dataclass(frozen=True)
class DepartmentQuota:
    daily_quota: int
    allocation: str = "proportional"
    min_per_office: int = 1


@dataclass(frozen=True)
class Caller:
    id: str
    name: str
    scope: str = "state"
    department: str | None = None
    district: str | None = None
    daily_quota: int = 0
    channel: str = "official_call"

    def covers(self, department: str, district: str) -> bool:
        """Whether a visit is in this caller's scope (an SP: police visits of one district)."""
        if self.department and department != self.department:
            return False
        if self.scope == "district":
            return district.casefold() == (self.district or "").casefold()
        return True


@dataclass(frozen=True)
class SamplingPlan:
    window_days: int = 3
    cooldown_days: int = 30
    default: DepartmentQuota = DepartmentQuota(daily_quota=20)
    departments: dict[str, DepartmentQuota] = field(default_factory=dict)
    strata: dict[str, int] = field(default_factory=dict)
    channel_mix: dict[str, float] = field(default_factory=lambda: {"ivr_call": 0.7, "sms": 0.3})
    callers: tuple[Caller, ...] = ()
    bulk_caller: str = "contact-centre"

    def quota_for(self, department: str) -> DepartmentQuota:
        return self.departments.get(department, self.default)

    @classmethod
    def from_document(cls, doc: dict) -> SamplingPlan:
        """Parse and validate a plan document (see ``default_plan.json``)."""
        try:
            plan = cls(
                window_days=_positive(doc.get("window_days", 3), "window_days"),
                cooldown_days=_positive(doc.get("cooldown_days", 30), "cooldown_days", zero=True),
                default=_quota(doc.get("default", {"daily_quota": 20}), "default"),
                departments={
                    name: _quota(q, f"departments.{name}")
                    for name, q in doc.get("departments", {}).items()
                },
                strata={
                    name: _positive(k, f"strata.{name}", zero=True)
                    for name, k in doc.get("strata", {}).items()
                },
                channel_mix=_mix(doc.get("channel_mix", {"ivr_call": 0.7, "sms": 0.3})),
                callers=tuple(_caller(c, i) for i, c in enumerate(doc.get("callers", []))),
                bulk_caller=str(doc.get("bulk_caller", "contact-centre")),
            )
        except (TypeError, AttributeError, KeyError) as error:
            raise PlanError(f"malformed plan: {error}") from None
        ids = [c.id for c in plan.callers]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise PlanError(f"caller ids must be unique: {', '.join(repeated)} repeated")
        return plan


def default_plan_document() -> dict:
    text = package_files.files("samvad.sampling").joinpath("default_plan.json").read_text()
    return json.loads(text)


def _positive(value: object, where: str, zero: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if zero else 1):
        raise PlanError(f"{where} must be a {'non-negative' if zero else 'positive'} integer")
    return value


def _quota(doc: dict, where: str) -> DepartmentQuota:
    if not isinstance(doc, dict):
        raise PlanError(f'{where} must be an object such as {{"daily_quota": 50}}')
    allocation = doc.get("allocation", "proportional")
    if allocation not in ALLOCATIONS:
        raise PlanError(f"{where}.allocation must be one of {', '.join(ALLOCATIONS)}")
    return DepartmentQuota(
        daily_quota=_positive(doc.get("daily_quota"), f"{where}.daily_quota", zero=True),
        allocation=allocation,
        min_per_office=_positive(doc.get("min_per_office", 1), f"{where}.min_per_office", True),
    )


def _mix(doc: dict) -> dict[str, float]:
    unknown = set(doc) - {"ivr_call", "sms"}
    if unknown:
        raise PlanError(f"channel_mix may hold ivr_call and sms only, not {sorted(unknown)}")
    if not isinstance(doc, dict):
        raise PlanError('channel_mix must be an object such as {"ivr_call": 0.7, "sms": 0.3}')
    bad = [
        v
        for v in doc.values()
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0
    ]
    if bad or not sum(doc.values()):
        raise PlanError("channel_mix shares must be non-negative and not all zero")
    total = sum(doc.values())
    return {k: v / total for k, v in doc.items()}


def _caller(doc: dict, index: int) -> Caller:
    where = f"callers[{index}]"
    if not isinstance(doc, dict) or not doc.get("id"):
        raise PlanError(f"{where} needs an id")
    caller = Caller(
        id=str(doc["id"]),
        name=str(doc.get("name", doc["id"])),
        scope=doc.get("scope", "state"),
        department=doc.get("department"),
        district=doc.get("district"),
        daily_quota=_positive(doc.get("daily_quota", 0), f"{where}.daily_quota", zero=True),
        channel=doc.get("channel", "official_call"),
    )
    if caller.scope not in SCOPES:
        raise PlanError(f"{where}.scope must be one of {', '.join(SCOPES)}")
    if caller.scope == "department" and not caller.department:
        raise PlanError(f"{where} has scope department but no department")
    if caller.scope == "district" and not caller.district:
        raise PlanError(f"{where} has scope district but no district")
    if caller.channel not in CHANNELS:
        raise PlanError(f"{where}.channel must be one of {', '.join(CHANNELS)}")
    return caller


# -- allocation -------------------------------------------------------------------------------


def allocate(
    plan: SamplingPlan, available: dict[str, int], order: dict[str, float]
) -> dict[str, int]:
    """How many visits to draw from each stratum (``department#service#office``) today.

    ``available`` counts the stratum's unsampled visits in the window; ``order`` is a secret
    random number per stratum that breaks ties, so no stratum is favoured by its name. Every
    stratum gets at most what it has; a department gets exactly
    ``min(quota, visits available)``, unless its offices' minimums need more.
    """
    result: dict[str, int] = {}
    by_department: dict[str, list[str]] = {}
    for stratum, count in available.items():
        if stratum in plan.strata:
            result[stratum] = min(plan.strata[stratum], count)
        elif count > 0:
            by_department.setdefault(stratum.split("#", 1)[0], []).append(stratum)
    for department, strata in sorted(by_department.items()):
        quota = plan.quota_for(department)
        result.update(_allocate_department(quota, strata, available, order))
    return result


def _allocate_department(
    quota: DepartmentQuota, strata: list[str], available: dict[str, int], order: dict[str, float]
) -> dict[str, int]:
    given = dict.fromkeys(strata, 0)
    offices: dict[str, list[str]] = {}
    for stratum in strata:
        offices.setdefault(stratum.rsplit("#", 1)[1], []).append(stratum)
    for members in offices.values():  # the office minimum, spread over its services
        reserve = min(quota.min_per_office, sum(available[s] for s in members))
        share = apportion(reserve, {s: available[s] for s in members}, available, order)
        for stratum, n in share.items():
            given[stratum] += n
    target = min(quota.daily_quota, sum(available[s] for s in strata))
    remaining = max(0, target - sum(given.values()))
    room = {s: available[s] - given[s] for s in strata}
    if quota.allocation == "equal":
        return _level_up(given, remaining, room, order)
    for stratum, n in apportion(remaining, room, room, order).items():
        given[stratum] += n
    return given


def _level_up(
    given: dict[str, int], remaining: int, room: dict[str, int], order: dict[str, float]
) -> dict[str, int]:
    """Equal allocation: each unit to the stratum that has the fewest so far (the office
    minimum counts towards a stratum's equal share); ties by the secret order."""
    heap = [(given[s], order.get(s, 0), s) for s in given if room[s] > 0]
    heapq.heapify(heap)
    while remaining > 0 and heap:
        count, rank, stratum = heapq.heappop(heap)
        given[stratum] += 1
        room[stratum] -= 1
        remaining -= 1
        if room[stratum] > 0:
            heapq.heappush(heap, (count + 1, rank, stratum))
    return given


def apportion(
    total: int, weights: Mapping[str, float], caps: dict[str, int], order: dict[str, float]
) -> dict[str, int]:
    """Split ``total`` proportionally to ``weights`` (largest remainder), none above its cap.

    What a capped stratum cannot take is shared among the others; ties go by ``order``.
    """
    result = dict.fromkeys(weights, 0)
    left = min(total, sum(caps[s] for s in weights))
    open_ = [s for s in weights if caps[s] > 0 and weights[s] > 0]
    while left > 0 and open_:
        weight = sum(weights[s] for s in open_)
        exact = {s: left * weights[s] / weight for s in open_}
        floors = {s: min(int(exact[s]), caps[s] - result[s]) for s in open_}
        handed = sum(floors.values())
        ranked = sorted(open_, key=lambda s: (-(exact[s] - int(exact[s])), order.get(s, 0), s))
        for stratum in ranked:
            if handed >= left:
                break
            if floors[stratum] < caps[stratum] - result[stratum]:
                floors[stratum] += 1
                handed += 1
        for stratum, n in floors.items():
            result[stratum] += n
        left -= handed
        open_ = [s for s in open_ if result[s] < caps[s]]
        if handed == 0:
            break
    return result
