"""The daily sampler use case, written against ports (no boto3 here).

A run for ``run_date`` considers visits dated in the window before it (default 3 days) that
are still in the sparse ``unsampled`` index. It works in two phases so that running it twice
draws one sample:

1. **select** (reads only): allocate quotas over strata, take each stratum's smallest-score
   eligible visits (Query with Limit, merged across the window's dates; contacts looked up in
   batches), assign callers and channels, and persist the whole selection (S3) before
   anything is changed;
2. **apply** (idempotent writes): mark the visits (they leave the index), remember the
   contacts, write the call lists, queue one dispatch message per contact the dispatcher
   makes (IVR and SMS; a human caller's ``official_call`` contacts are on that official's
   call list only, for the call desk), reveal the secrets whose use is over, publish
   ``SampleDrawn``.

A rerun after a crash in phase 2 reloads the persisted selection and applies it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from samvad import resources
from samvad.ports import (
    CallLists,
    CandidateIndex,
    ConfigReader,
    ContactBook,
    Dispatcher,
    Documents,
    EventPublisher,
    RunLedger,
    StrataCounts,
    VisitMarks,
)
from samvad.sampling.draw import Candidate, assign, ineligible
from samvad.sampling.plan import SamplingPlan, allocate, default_plan_document
from samvad.sampling.scores import (
    SCORE_HEX,
    day_secret,
    run_secret,
    sample_partition,
    uniform,
)

log = logging.getLogger(__name__)
PAGE_LIMIT = 500
DESK_CHANNEL = "official_call"
"""A human caller's contacts: worked at the call desk from the call list, never dispatched."""
REVEAL_CATCH_UP_DAYS = 30  # a run reveals every unrevealed date this far behind its window


@dataclass(frozen=True)
class SamplerPorts:
    strata: StrataCounts
    index: CandidateIndex
    contacts: ContactBook
    visits: VisitMarks
    call_lists: CallLists
    runs: RunLedger
    documents: Documents
    dispatch: Dispatcher
    events: EventPublisher
    config: ConfigReader
    sampling_key: bytes
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


def run_sampler(run_date: dt.date, ports: SamplerPorts) -> dict:
    """Draw (or finish drawing) the sample of ``run_date``; returns the run's summary."""
    day = run_date.isoformat()
    run = ports.runs.get(day)
    if run and run["status"] == "COMPLETED":
        return run["summary"]
    if run and run["status"] == "SELECTED":
        selection = ports.documents.get_json(run["selection_key"])
    else:
        selection = select(run_date, ports)
        key = f"{resources.SAMPLES_PREFIX}{day}/selection.json"
        ports.documents.put_json(key, selection)
        ports.runs.put(day, "SELECTED", {"selection_key": key})
    summary = apply(selection, ports)
    ports.runs.put(day, "COMPLETED", {"summary": summary, "selection_key": selection_key(day)})
    return summary


def selection_key(day: str) -> str:
    return f"{resources.SAMPLES_PREFIX}{day}/selection.json"


def select(run_date: dt.date, ports: SamplerPorts) -> dict:
    """Phase 1: decide the sample without changing anything."""
    document = ports.config.latest(resources.SAMPLING_PLAN_CONFIG)
    plan = SamplingPlan.from_document(document or default_plan_document())
    window = [run_date - dt.timedelta(days=d) for d in range(plan.window_days, 0, -1)]
    # a date whose secret is public can be gamed (a backfill, a longer window): never sample it
    dates = [d.isoformat() for d in window if not _revealed(ports, d)]
    secret = run_secret(ports.sampling_key, run_date)
    available = ports.strata.available(dates)
    totals = {stratum: sum(per_date.values()) for stratum, per_date in available.items()}
    order = {stratum: uniform(secret, "stratum/" + stratum) for stratum in totals}
    quotas = allocate(plan, totals, order)

    reads: Counter[str] = Counter()
    chosen_phones: set[str] = set()
    selected: list[Candidate] = []
    skipped: list[dict] = []
    shortfall: dict[str, int] = {}
    for stratum in sorted(quotas, key=order.__getitem__):
        k = quotas[stratum]
        if not k:
            continue
        taken = _draw_stratum(
            stratum, available[stratum], k, plan, run_date, ports, chosen_phones, skipped, reads
        )
        selected += taken
        if len(taken) < k:
            shortfall[stratum] = k - len(taken)
    assignments, caller_shortfall = assign(selected, plan, secret)
    return {
        "run_date": run_date.isoformat(),
        "started_at": ports.clock().isoformat(),
        "plan": document or default_plan_document(),
        "window": dates,
        "window_start": window[0].isoformat(),
        "available": {s: available[s] for s in sorted(available)},
        "quotas": {s: quotas[s] for s in sorted(quotas)},
        "selected": [a.as_dict() for a in assignments],
        "skipped": skipped,
        "stratum_shortfall": shortfall,
        "caller_shortfall": caller_shortfall,
        "reads": dict(reads),
    }


def _draw_stratum(
    stratum: str,
    per_date: dict[str, int],
    k: int,
    plan: SamplingPlan,
    run_date: dt.date,
    ports: SamplerPorts,
    chosen_phones: set[str],
    skipped: list[dict],
    reads: Counter,
) -> list[Candidate]:
    """The k smallest-score eligible visits of one stratum across the window's dates.

    Scores are uniform, so the visits with ``score <= t`` number about ``t × n``: each step
    asks every date for the next slice of scores, sized to hold about the visits still
    needed, and takes them in score order. Reads stay about k (plus what is skipped, plus
    half a step), however many dates the window has and however large the table.
    """
    dates = sorted(d for d, n in per_date.items() if n > 0)
    visits = max(1, sum(per_date[d] for d in dates))
    taken: list[Candidate] = []
    low, high = 0.0, 0.0
    step = max(k, 1) / visits
    while len(taken) < k and low < 1.0 and dates:
        low, high = high, min(1.0, high + step)
        batch = sorted(
            (
                c
                for d in dates
                for c in _score_range(sample_partition(stratum, d), low, high, ports, reads)
            ),
            key=lambda c: c.score,
        )
        step = max(k - len(taken), 1) / 2 / visits  # later slices: half what is still needed
        if not batch:
            continue
        contacts = ports.contacts.lookup(sorted({c.phone_hash for c in batch}))
        reads["contacts_looked_up"] += len({c.phone_hash for c in batch})
        reads["contact_items_read"] += len(contacts)
        for candidate in batch:
            if len(taken) == k:
                break  # the rest of the slice stays in the index for another day
            reason = ineligible(
                candidate,
                contacts.get(candidate.phone_hash),
                run_date,
                plan.cooldown_days,
                chosen_phones,
            )
            if reason:
                skipped.append({**candidate.as_dict(), "reason": reason})
            else:
                taken.append(candidate)
                chosen_phones.add(candidate.phone_hash)
    return taken


def _score_range(
    partition: str, low: float, high: float, ports: SamplerPorts, reads: Counter
) -> Iterator[Candidate]:
    """Visits of one index partition with ``low < score <= high`` (fractions of the range)."""
    after = _threshold(low) if low > 0 else ""
    upto = _threshold(high)
    while True:
        page = ports.index.page(partition, after, PAGE_LIMIT, upto)
        reads["visits_read"] += len(page)
        reads["queries"] += 1
        yield from page
        if len(page) < PAGE_LIMIT:
            return
        after = page[-1].score


def _threshold(fraction: float) -> str:
    top = 16**SCORE_HEX - 1
    return format(min(top, int(fraction * 16**SCORE_HEX)), f"0{SCORE_HEX}x")


def _revealed(ports: SamplerPorts, day: dt.date) -> bool:
    return ports.documents.find_json(f"{resources.AUDIT_PREFIX}visit-date/{day}.json") is not None


def apply(selection: dict, ports: SamplerPorts) -> dict:
    """Phase 2: make the selection happen. Every write is safe to repeat."""
    day = selection["run_date"]
    assignments = selection["selected"]
    ports.visits.mark_sampled(assignments, day)
    permanent = [s for s in selection["skipped"] if s["reason"] != "same_citizen_today"]
    ports.visits.mark_skipped(permanent, day)
    ports.contacts.mark_sampled(sorted({a["phone_hash"] for a in assignments}), day)
    ports.call_lists.write(day, assignments)
    taken = Counter((a["visit_date"], a["stratum"]) for a in assignments + permanent)
    ports.strata.record_taken(day, dict(taken))
    ports.dispatch.send([_dispatch_message(a, day) for a in assignments if _dispatched(a)])
    summary = summarise(selection)
    revealed = _reveal(selection, ports)
    summary["revealed_secrets"] = revealed
    ports.events.publish(resources.SAMPLE_DRAWN, summary)
    log.info("sample drawn", extra={"run_date": day, "sampled": summary["sampled"]})
    return summary


def _dispatched(assignment: dict) -> bool:
    return assignment["channel"] != DESK_CHANNEL


def _dispatch_message(assignment: dict, day: str) -> dict:
    return {
        "visit_key": assignment["visit_key"],
        "run_date": day,
        "caller": assignment["caller"],
        "channel": assignment["channel"],
        "language": assignment.get("language", ""),
    }


def summarise(selection: dict) -> dict:
    selected = selection["selected"]
    digest = hashlib.sha256(
        json.dumps(sorted(a["visit_key"] for a in selected)).encode()
    ).hexdigest()
    sampled = len(selected)
    reads = selection.get("reads", {})
    return {
        "run_date": selection["run_date"],
        "window": selection["window"],
        "strata": len(selection["quotas"]),
        "quota": sum(selection["quotas"].values()),
        "sampled": sampled,
        "by_channel": dict(Counter(a["channel"] for a in selected)),
        "dispatched": sum(1 for a in selected if _dispatched(a)),
        "by_caller": dict(Counter(a["caller"] for a in selected)),
        "by_department": dict(Counter(a["stratum"].split("#", 1)[0] for a in selected)),
        "skipped_by_reason": dict(Counter(s["reason"] for s in selection["skipped"])),
        "stratum_shortfall": sum(selection["stratum_shortfall"].values()),
        "caller_shortfall": selection["caller_shortfall"],
        "visits_read_per_sampled": round(reads.get("visits_read", 0) / sampled, 3)
        if sampled
        else 0,
        "selection_sha256": digest,
        "selection_key": selection_key(selection["run_date"]),
    }


def _reveal(selection: dict, ports: SamplerPorts) -> list[str]:
    """Publish the secrets nobody can use any more: this run's tie-break secret, and the
    visit-date secret of every day before its window's last day that is not public yet (the
    oldest window day: no later daily run samples it; older ones: days whose run was missed)."""
    run_date = dt.date.fromisoformat(selection["run_date"])
    oldest = dt.date.fromisoformat(selection.get("window_start") or selection["window"][0])
    records = {f"run/{run_date.isoformat()}": run_secret(ports.sampling_key, run_date)}
    for back in range(REVEAL_CATCH_UP_DAYS + 1):
        day = oldest - dt.timedelta(days=back)
        if back and (_revealed(ports, day) or not ports.strata.available([day.isoformat()])):
            break  # revealed already, or a day without visits: nothing further back is owed
        records[f"visit-date/{day.isoformat()}"] = day_secret(ports.sampling_key, day)
    digest = summarise(selection)["selection_sha256"]
    for name, secret in records.items():
        ports.documents.put_json(
            f"{resources.AUDIT_PREFIX}{name}.json",
            {
                "secret": secret.hex(),
                "kind": name.split("/")[0],
                "date": name.split("/")[1],
                "revealed_by_run": run_date.isoformat(),
                "selection_sha256": digest,
            },
        )
    return sorted(records)
