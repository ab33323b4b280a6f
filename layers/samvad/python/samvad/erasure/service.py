"""``erase``: find one citizen's records through their phone hash and remove their personal
data from each, then record a receipt that holds the hash and the counts, never the number.

Order matters for at-least-once: the records found *through* the visits (feedback, dispatches,
links, cases, files, samples, reports) are erased first and the visits last, so a run that
fails half-way is finished by running it again. A second complete run finds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from samvad import resources
from samvad.erasure.citizen import Citizen, scrub_value
from samvad.erasure.rows import without_citizen

VISIT_DROP = ("phone", "phone_hash", "citizen_name", "visit_id", "sample_pk")
"""Removed from a visit; what stays (department, service, office, district, official, date,
language, gender, age band, the keyed score and sampling outcome) is the pseudonymous record
the reports count and ``samvad sample verify`` rescores. Without ``sample_pk`` the visit leaves
the unsampled index; one not yet sampled is marked skipped (``erased``) so later runs still
verify."""
FEEDBACK_DROP = ("free_text", "phone_hash", "voice_note", "recording", "transcript")
DISPATCH_DROP = ("reference", "reply", "reply_text", "free_text", "phone", "phone_hash")
"""``reference`` (SNS message id, Connect contact id) points at the channel's own delivery
records, which hold the number."""
CASE_DROP = (
    "free_text", "citizen_text", "phone", "phone_hash", "citizen_phone", "text", "voice_key",
)  # fmt: skip
GRIEVANCE_DROP = ("text", "voice_key", "phone_hash")
"""From an inbound grievance's record (``ref#<reference>``); its case loses its text too."""
CONTACT_TOMBSTONE = ("phone_hash", "opted_out", "opted_out_at", "erased_at")
"""What is left of a Contacts item: the hashed opt-out that keeps the citizen from being
contacted again (an erasure request withdraws consent)."""
STORES = (
    "visits", "feedback", "dispatches", "links", "cases", "contacts", "upload_rows",
    "reject_rows", "samples", "reports", "object_versions_deleted",
)  # fmt: skip


REDACT_ATTEMPTS = 5
"""Reads and writes of one item before the erasure gives up on it (it keeps changing)."""


class ErasureConflict(RuntimeError):
    """An item kept changing while it was being redacted: running the erasure again (it is
    idempotent) completes it."""


class Records(Protocol):
    """One DynamoDB table as plain dicts."""

    def items(self, partition: str) -> list[dict]: ...
    def put(self, item: dict) -> None: ...
    def get(self, item: dict) -> dict | None:
        """The stored item with ``item``'s key, read consistently."""
        ...

    def replace(self, old: dict, new: dict) -> bool:
        """Write ``new`` over ``old`` only if the attributes that differ are still as in
        ``old`` (False: the item changed since it was read)."""
        ...

    def delete(self, item: dict) -> None: ...


class KeysIndex(Protocol):
    """A keys-only index: the table keys whose index key is ``value``."""

    def keys(self, value: str) -> list[str]: ...


class Objects(Protocol):
    """The data bucket."""

    def read(self, key: str) -> bytes | None: ...
    def replace(self, key: str, body: bytes) -> int:
        """Write a new version, delete every older version of ``key``; return how many."""
        ...

    def keys(self, prefix: str) -> list[str]: ...


class Receipts(Protocol):
    def record(self, receipt: dict) -> None: ...


@dataclass(frozen=True)
class ErasurePorts:
    hash_key: bytes
    visits: Records
    visits_by_phone: KeysIndex
    feedback: Records
    dispatches: Records
    links: Records
    links_by_visit: KeysIndex
    cases: Records
    contacts: Records
    objects: Objects
    receipts: Receipts
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    grievances: Records | None = None  # inbound grievances' records (Grievances table)


@dataclass(frozen=True)
class Receipt:
    phone_hash: str
    at: str
    by: str
    counts: dict[str, int]

    @property
    def found(self) -> bool:
        return any(self.counts.values())

    def to_dict(self) -> dict:
        return {
            "phone_hash": self.phone_hash,
            "at": self.at,
            "by": self.by,
            "counts": self.counts,
            "found": self.found,
        }


def erase(phone: str, by: str, ports: ErasurePorts, sweep_rejects: bool = False) -> Receipt:
    """Erase the citizen with this number everywhere; raises ``InvalidPhone`` for a bad one.

    ``sweep_rejects`` also reads every rejects file, for rows refused in files the citizen has
    no accepted visit in (its cost grows with all the rejects kept, not with the citizen)."""
    citizen = Citizen.of(phone, ports.hash_key)
    at = ports.clock().isoformat(timespec="seconds")
    visits = [
        item for key in ports.visits_by_phone.keys(citizen.phone_hash)
        for item in ports.visits.items(key)
    ]  # fmt: skip
    citizen = citizen.with_names({str(v.get("citizen_name", "")) for v in visits})
    counts: Counter[str] = Counter({store: 0 for store in STORES})
    case_ids = [f"case-{v['visit_key']}" for v in visits]
    for visit in visits:
        key = visit["visit_key"]
        counts["feedback"] += _redact_all(ports.feedback, key, FEEDBACK_DROP, citizen, at)
        counts["dispatches"] += _redact_all(ports.dispatches, key, DISPATCH_DROP, citizen, at)
        counts["cases"] += _redact_all(ports.cases, f"case-{key}", CASE_DROP, citizen, at)
        if key.startswith("grv-") and ports.grievances is not None:  # an inbound grievance
            reference = key.removeprefix("grv-")
            counts["cases"] += _redact_all(
                ports.grievances, f"ref#{reference}", GRIEVANCE_DROP, citizen, at
            )
        for token in ports.links_by_visit.keys(key):
            for link in ports.links.items(token):
                ports.links.delete(link)
                counts["links"] += 1
    _erase_files(visits, citizen, ports.objects, counts, sweep_rejects)
    _erase_samples(visits, citizen, ports.objects, counts)
    if any(ports.cases.items(case_id) for case_id in case_ids):
        _erase_reports(case_ids, citizen, ports.objects, counts)
    counts["contacts"] += _tombstone(citizen, ports.contacts, at)
    for visit in visits:
        if not (visit.get("sampled_on") or visit.get("skipped_on")):
            visit = visit | {"sample_skip": "erased", "skipped_on": at[:10]}
        counts["visits"] += _redact(ports.visits, visit, VISIT_DROP, citizen, at)
    receipt = Receipt(citizen.phone_hash, at, by, dict(counts))
    ports.receipts.record(receipt.to_dict())
    return receipt


def redacted(item: dict, drop: Iterable[str], citizen: Citizen, at: str) -> dict:
    """``item`` without the ``drop`` attributes and with the citizen's traces scrubbed."""
    kept = {k: v for k, v in item.items() if k not in drop}
    scrubbed, _ = scrub_value(kept, citizen)
    assert isinstance(scrubbed, dict)  # scrub_value keeps a tree's shape
    return {**scrubbed, "erased_at": item.get("erased_at", at)}


def _redact(records: Records, item: dict, drop: Iterable[str], citizen: Citizen, at: str) -> int:
    """Redact one item, written only over what was read: when it changed meanwhile (a case's
    transition, a feedback's late answer), it is read and redacted again, so neither the
    erasure nor the concurrent write is lost."""
    for _ in range(REDACT_ATTEMPTS):
        new = redacted(item, drop, citizen, at)
        if new == item or {k: v for k, v in new.items() if k != "erased_at"} == item:
            return 0
        if records.replace(item, new):
            return 1
        current = records.get(item)
        if current is None:
            return 0  # deleted meanwhile: nothing of it is left to redact
        item = current
    raise ErasureConflict(
        f"an item kept changing while it was being erased ({REDACT_ATTEMPTS} tries); "
        "run the erasure again"
    )


def _redact_all(
    records: Records, partition: str, drop: Iterable[str], citizen: Citizen, at: str
) -> int:
    return sum(_redact(records, item, drop, citizen, at) for item in records.items(partition))


def _tombstone(citizen: Citizen, contacts: Records, at: str) -> int:
    found = contacts.items(citizen.phone_hash)
    current = found[0] if found else {}
    tombstone = {k: v for k, v in current.items() if k in CONTACT_TOMBSTONE} | {
        "phone_hash": citizen.phone_hash,
        "opted_out": True,
    }
    tombstone.setdefault("erased_at", at)
    if current.get("opted_out") and set(current) <= set(CONTACT_TOMBSTONE):
        return 0  # erased before: only the hashed opt-out is left
    contacts.put(tombstone)
    return 1 if current else 0


def _source_keys(visit: dict) -> Iterable[tuple[str, str]]:
    """The upload a visit came from (``<bucket>/<key>#<version>``) and its rejects file."""
    source = str(visit.get("source_upload", ""))
    if "/" not in source:
        return ()
    key = source.split("/", 1)[1].rsplit("#", 1)[0]
    relative = key.removeprefix(resources.UPLOADS_PREFIX)
    return (("upload_rows", key), ("reject_rows", f"{resources.REJECTS_PREFIX}{relative}.csv"))


def _erase_files(
    visits: list[dict], citizen: Citizen, objects: Objects, counts: Counter, sweep: bool
) -> None:
    seen: set[str] = set()
    files = [pair for visit in visits for pair in _source_keys(visit)]
    if sweep:
        files += [("reject_rows", key) for key in objects.keys(resources.REJECTS_PREFIX)]
    for store, key in files:
        if key in seen:
            continue
        seen.add(key)
        body = objects.read(key)
        if body is None:
            continue
        new, removed = without_citizen(body, citizen)
        if new is not None:
            counts["object_versions_deleted"] += objects.replace(key, new)
            counts[store] += removed


def _erase_samples(visits: list[dict], citizen: Citizen, objects: Objects, counts: Counter) -> None:
    days = {str(v[f]) for v in visits for f in ("sampled_on", "skipped_on") if v.get(f)}
    for day in sorted(days):
        _scrub_object(f"{resources.SAMPLES_PREFIX}{day}/selection.json", citizen, objects,
                      counts, "samples")  # fmt: skip


def _erase_reports(
    case_ids: list[str], citizen: Citizen, objects: Objects, counts: Counter
) -> None:
    """Report files that list one of the citizen's cases (the overdue list shows the masked
    number): the citizen's traces go; every figure stays."""
    for prefix in resources.REPORT_PREFIXES:
        for key in objects.keys(prefix):
            _scrub_object(key, citizen, objects, counts, "reports", must_hold=case_ids)


def _scrub_object(
    key: str,
    citizen: Citizen,
    objects: Objects,
    counts: Counter,
    store: str,
    must_hold: list[str] | None = None,
) -> None:
    body = objects.read(key)
    if body is None:
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return  # binary (a chart): holds no text of ours
    if must_hold is not None and not any(case_id in text for case_id in must_hold):
        return
    if not citizen.holds_number(text):
        return
    if key.endswith(".json"):
        document, changed = scrub_value(json.loads(text), citizen)
        new = json.dumps(document, ensure_ascii=False, indent=None).encode()
    else:
        changed, new = 1, citizen.scrub(text).encode()
    counts["object_versions_deleted"] += objects.replace(key, new)
    counts[store] += changed
