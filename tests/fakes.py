"""In-memory fakes of the intake and sampler ports, for domain tests without AWS."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import json
from collections import Counter

from samvad.intake.service import IntakePorts
from samvad.resources import SAMPLING_PLAN_CONFIG
from samvad.sampling.draw import Candidate
from samvad.sampling.scores import Scorer, sample_partition, stratum_of
from samvad.sampling.service import SamplerPorts

FIXED_NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 11:30 in Asia/Kolkata
HASH_KEY = b"k" * 32
SAMPLING_KEY = b"s" * 32


class MemoryObjects:
    def __init__(self):
        self.objects: dict[tuple[str, str], bytes] = {}
        self.content_types: dict[tuple[str, str], str] = {}
        self.user_metadata: dict[tuple[str, str], dict[str, str]] = {}

    def add(self, bucket: str, key: str, data: bytes, metadata: dict | None = None) -> None:
        self.objects[(bucket, key)] = data
        self.user_metadata[(bucket, key)] = dict(metadata or {})

    def metadata(self, bucket, key, version_id):
        return self.user_metadata.get((bucket, key), {})

    def open(self, bucket, key, version_id):
        return io.BytesIO(self.objects[(bucket, key)])

    def put(self, bucket, key, body, content_type):
        self.objects[(bucket, key)] = body if isinstance(body, bytes) else body.read()
        self.content_types[(bucket, key)] = content_type

    def move(self, bucket, key, version_id, new_key):
        self.objects[(bucket, new_key)] = self.objects.pop((bucket, key))

    def find(self, bucket, key):
        return self.objects.get((bucket, key))

    def text(self, bucket: str, key: str, encoding: str = "utf-8-sig") -> str:
        return self.objects[(bucket, key)].decode(encoding)


class MemoryVisits:
    def __init__(self):
        self.items: dict[str, dict] = {}
        self.put_calls = 0

    def sources_of(self, keys):
        return {
            k: (self.items[k]["source_upload"]["S"], int(self.items[k]["source_row"]["N"]))
            for k in keys
            if k in self.items
        }

    def put_all(self, items):
        self.put_calls += 1
        for item in items:
            self.items[item["visit_key"]["S"]] = item


class MemoryLedger:
    def __init__(self):
        self.reports: dict[str, dict] = {}
        self.attempts: dict[str, int] = {}
        self.progress: dict[str, tuple[frozenset[int], int]] = {}  # chunks done, of
        self.failures: dict[str, str] = {}

    def finished_report(self, upload_id):
        return self.reports.get(upload_id)

    def started(self, upload_id, meta):
        self.attempts[upload_id] = self.attempts.get(upload_id, 0) + 1

    def finished(self, upload_id, report):
        self.reports[upload_id] = report

    def chunk_done(self, upload_id, chunk, chunks):
        done, _ = self.progress.get(upload_id, (frozenset(), chunks))
        self.progress[upload_id] = (done | {chunk}, chunks)

    def failed(self, upload_id, reason):
        self.failures[upload_id] = reason


class MemoryDirectory:
    def __init__(self):
        self.entries: dict[tuple[str, str], str] = {}

    def record_new(self, department, entries, upload_id):
        new = []
        for entry in entries:
            first = self.entries.setdefault((department, entry), upload_id)
            if first == upload_id:
                new.append(entry)
        return sorted(new)


class MemoryEvents:
    def __init__(self):
        self.published: list[tuple[str, dict]] = []

    def publish(self, detail_type, detail):
        self.published.append((detail_type, detail))


class MemoryStrata:
    def __init__(self):
        self.contributions: dict[tuple[str, str, str], int] = {}

    def record_uploaded(self, upload_id, counts):
        for (day, stratum), n in counts.items():
            self.contributions[day, stratum, upload_id] = n

    def totals(self) -> dict[tuple[str, str], int]:
        result: dict[tuple[str, str], int] = {}
        for (day, stratum, _), n in self.contributions.items():
            result[day, stratum] = result.get((day, stratum), 0) + n
        return result


class MemoryConfig:
    def __init__(self, documents: dict[str, dict] | None = None):
        self.documents = documents or {}

    def latest(self, name):
        return self.documents.get(name)


def memory_ports(config: dict[str, dict] | None = None, now=FIXED_NOW) -> IntakePorts:
    """Intake ports backed by memory; reach the fakes through the returned object's fields."""
    return IntakePorts(
        objects=MemoryObjects(),
        visits=MemoryVisits(),
        ledger=MemoryLedger(),
        directory=MemoryDirectory(),
        events=MemoryEvents(),
        config=MemoryConfig(config),
        strata=MemoryStrata(),
        hash_key=HASH_KEY,
        sampling_key=SAMPLING_KEY,
        retention_days=400,
        clock=lambda: now,
    )


# -- the sampler's ports ----------------------------------------------------------------------


def _json_copy(document):
    """What a JSON store hands back: a detached copy, as S3 and DynamoDB would."""
    return json.loads(json.dumps(document, default=str))


def visit_record(
    department: str,
    service: str,
    office_code: str,
    visit_date: str,
    n: int,
    district: str = "",
    language: str = "or",
    phone_hash: str | None = None,
) -> dict:
    """A visit as the sampler sees it; the key is deterministic, like intake's."""
    identity = f"{department}|{service}|{office_code}|{visit_date}|{n}"
    return {
        "visit_key": hashlib.sha256(identity.encode()).hexdigest()[:32],
        "department": department,
        "service": service,
        "office_code": office_code,
        "visit_date": visit_date,
        "phone_hash": phone_hash or "ph-" + hashlib.sha256(identity.encode()).hexdigest()[:16],
        "district": district,
        "language": language,
    }


class MemorySamplingStrata(MemoryStrata):
    """Strata counts as contributions: intake adds per upload, each run subtracts per run date."""

    def __init__(self):
        super().__init__()
        self.taken: dict[tuple[str, str, str], int] = {}

    def record_taken(self, run_date, taken):
        for (day, stratum), n in taken.items():
            self.taken[day, stratum, run_date] = n  # keyed by run: a repeat overwrites

    def available(self, dates):
        result: dict[str, dict[str, int]] = {}
        for (day, stratum, _), n in self.contributions.items():
            if day in dates:
                per_date = result.setdefault(stratum, {})
                per_date[day] = per_date.get(day, 0) + n
        for (day, stratum, _), n in self.taken.items():
            if day in dates:
                per_date = result.setdefault(stratum, {})
                per_date[day] = per_date.get(day, 0) - n
        return result


class MemoryCandidateIndex:
    """The sparse ``unsampled`` index: partition ``stratum#date``, ordered by score."""

    def __init__(self, world: MemorySamplingWorld):
        self._world = world
        self.queries = 0
        self.items_read = 0

    def page(self, partition, after, limit, upto=None):
        entries = self._world.partitions.get(partition, [])
        start = bisect.bisect_right(entries, (after, chr(0x10FFFF)))
        stratum, visit_date = partition.rsplit("#", 1)
        page = []
        for score, visit_key in entries[start:]:
            if len(page) == limit or (upto is not None and score > upto):
                break
            visit = self._world.visits[visit_key]
            if visit.get("sample_pk") != partition:
                continue  # sampled or skipped: no longer in the sparse index
            page.append(
                Candidate(
                    visit_key=visit_key,
                    score=visit["sample_score"],
                    stratum=stratum,
                    visit_date=visit_date,
                    phone_hash=visit["phone_hash"],
                    district=visit.get("district", ""),
                    language=visit.get("language", ""),
                )
            )
        self.queries += 1
        self.items_read += len(page)
        return page


class MemoryContactBook:
    def __init__(self, world: MemorySamplingWorld):
        self._world = world
        self.marked: Counter[str] = Counter()

    def lookup(self, phone_hashes):
        contacts = self._world.contacts
        return {h: _json_copy(contacts[h]) for h in phone_hashes if h in contacts}

    def mark_sampled(self, phone_hashes, run_date):
        for phone_hash in phone_hashes:
            self._world.contacts.setdefault(phone_hash, {})["last_sampled"] = run_date
            self.marked[phone_hash] += 1


class MemoryVisitMarks:
    """Sampled and skipped visits leave the index (``sample_pk`` removed)."""

    def __init__(self, world: MemorySamplingWorld):
        self._world = world
        self.sampled_writes: Counter[str] = Counter()
        self.skipped_writes: Counter[str] = Counter()

    def mark_sampled(self, assignments, run_date):
        for a in assignments:
            visit = self._world.visits[a["visit_key"]]
            visit.pop("sample_pk", None)
            visit.update(sampled_on=run_date, sample_caller=a["caller"])
            visit["sample_channel"] = a["channel"]
            self.sampled_writes[a["visit_key"]] += 1

    def mark_skipped(self, skipped, run_date):
        for s in skipped:
            visit = self._world.visits[s["visit_key"]]
            visit.pop("sample_pk", None)
            visit.update(sample_skip=s["reason"], skipped_on=run_date)
            self.skipped_writes[s["visit_key"]] += 1


class MemoryCallLists:
    def __init__(self, world: MemorySamplingWorld):
        self._world = world

    def write(self, run_date, assignments):
        for a in assignments:
            rows = self._world.call_lists.setdefault(f"{run_date}#{a['caller']}", {})
            rows[a["visit_key"]] = _json_copy(a)


class MemoryRunLedger:
    def __init__(self, world: MemorySamplingWorld):
        self._world = world

    def get(self, run_date):
        run = self._world.runs.get(run_date)
        return _json_copy(run) if run else None

    def put(self, run_date, status, details):
        self._world.runs[run_date] = _json_copy({"status": status, **details})


class MemoryDocuments:
    def __init__(self, world: MemorySamplingWorld):
        self._world = world

    def put_json(self, key, document):
        self._world.documents[key] = _json_copy(document)

    def get_json(self, key):
        return _json_copy(self._world.documents[key])

    def find_json(self, key):
        document = self._world.documents.get(key)
        return None if document is None else _json_copy(document)


class MemoryDispatcher:
    def __init__(self, world: MemorySamplingWorld):
        self._world = world
        self.batches = 0

    def send(self, messages):
        self.batches += 1
        self._world.dispatched += _json_copy(messages)


class FailOnce:
    """Wraps a port; the first call of ``method`` raises, like a Lambda dying mid-way."""

    def __init__(self, inner, method: str, error: Exception | None = None):
        self._inner, self._method = inner, method
        self._error = error or RuntimeError(f"injected failure in {method}")
        self.failed = False

    def __getattr__(self, name):
        attribute = getattr(self._inner, name)
        if name != self._method or self.failed:
            return attribute

        def fail(*args, **kwargs):
            self.failed = True
            raise self._error

        return fail


class MemorySamplingWorld:
    """Everything the sampler reads and writes, in memory.

    ``visits`` are dicts as stored by intake (``sample_pk`` = ``stratum#visit_date`` while the
    visit is unsampled, ``sample_score`` from ``Scorer(key)``); the port objects below are
    views on this one world, so a test can look at any of it after a run.
    """

    def __init__(self, key: bytes = SAMPLING_KEY, plan: dict | None = None, now=FIXED_NOW):
        self.key = key
        self.now = now
        self.visits: dict[str, dict] = {}
        self.partitions: dict[str, list[tuple[str, str]]] = {}  # sample_pk → (score, key)
        self.contacts: dict[str, dict] = {}
        self.call_lists: dict[str, dict[str, dict]] = {}
        self.runs: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}
        self.dispatched: list[dict] = []
        self.strata = MemorySamplingStrata()
        self.index = MemoryCandidateIndex(self)
        self.contact_book = MemoryContactBook(self)
        self.marks = MemoryVisitMarks(self)
        self.lists = MemoryCallLists(self)
        self.ledger = MemoryRunLedger(self)
        self.store = MemoryDocuments(self)
        self.dispatcher = MemoryDispatcher(self)
        self.events = MemoryEvents()
        self.config = MemoryConfig({SAMPLING_PLAN_CONFIG: plan} if plan is not None else {})
        self.scorer = Scorer(key)  # (visit_date, visit_key) → score, as intake computes it
        self._uploads = 0

    @classmethod
    def from_visits(cls, visits, key: bytes = SAMPLING_KEY, plan: dict | None = None, **kw):
        world = cls(key=key, plan=plan, **kw)
        world.upload(visits)
        return world

    def upload(self, visits, upload_id: str | None = None) -> None:
        """Store visits the way intake does: score, sparse-index key, per-stratum counts."""
        self._uploads += 1
        counts: Counter[tuple[str, str]] = Counter()
        for record in visits:
            visit = dict(record)
            stratum = stratum_of(visit["department"], visit["service"], visit["office_code"])
            if visit["visit_key"] in self.visits:
                continue  # the same row uploaded again is the same visit
            visit["stratum"] = stratum
            visit["sample_pk"] = sample_partition(stratum, visit["visit_date"])
            visit["sample_score"] = self.scorer(visit["visit_date"], visit["visit_key"])
            self.visits[visit["visit_key"]] = visit
            bisect.insort(
                self.partitions.setdefault(visit["sample_pk"], []),
                (visit["sample_score"], visit["visit_key"]),
            )
            counts[visit["visit_date"], stratum] += 1
        if counts:
            self.strata.record_uploaded(upload_id or f"upload-{self._uploads}", dict(counts))

    def set_plan(self, plan: dict) -> None:
        self.config.documents[SAMPLING_PLAN_CONFIG] = plan

    def ports(self, **overrides) -> SamplerPorts:
        """The sampler's ports over this world; ``overrides`` replaces any of them."""
        fields = {
            "strata": self.strata,
            "index": self.index,
            "contacts": self.contact_book,
            "visits": self.marks,
            "call_lists": self.lists,
            "runs": self.ledger,
            "documents": self.store,
            "dispatch": self.dispatcher,
            "events": self.events,
            "config": self.config,
            "sampling_key": self.key,
            "clock": lambda: self.now,
        }
        return SamplerPorts(**{**fields, **overrides})

    # -- what a test looks at ------------------------------------------------------------------

    def unsampled(self) -> set[str]:
        return {k for k, v in self.visits.items() if "sample_pk" in v}

    def sampled(self, run_date: str | None = None) -> set[str]:
        return {
            k
            for k, v in self.visits.items()
            if "sampled_on" in v and (run_date is None or v["sampled_on"] == run_date)
        }

    def lists_of(self, run_date: str) -> dict[str, list[dict]]:
        """``caller → rows`` of one run date's call lists."""
        prefix = f"{run_date}#"
        return {
            list_id.removeprefix(prefix): list(rows.values())
            for list_id, rows in self.call_lists.items()
            if list_id.startswith(prefix)
        }
