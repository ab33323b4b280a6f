"""``samvad bench sampling``: DynamoDB items read per sampled visit, measured on the emulator.

For each N, one fresh in-process moto (``mock_aws``, no HTTP) holds a Visits table of N visits
over a few hundred strata (8 departments × their services × 8 district-headquarters offices)
and the 3 visit dates of the window before the run date. Every item is what intake writes:
rows go through the real ``RowValidator`` and ``Visit.to_item`` (keyed score, sparse-index
partition), and each department-day upload records its Strata contributions through the real
``DynamoStrata.record_uploaded``. A few percent of the citizens already have a Contacts item
(sampled recently, or opted out), so some candidates are skipped, as in production.

Then the real use case, ``run_sampler``, runs with ports built from the real adapters, and a
botocore hook counts the items every DynamoDB response carries (ConsumedCapacity is fake on
moto): ``ScannedCount`` of each Query/Scan, the size of each BatchGetItem response, GetItem
hits. ``reads_per_sampled`` = items read from the ``unsampled`` index + Contacts items read,
per sampled visit; Strata items and contacts looked up are reported beside it.

The naive baseline on the same data: Scan the whole table and ``random.sample``. A Scan reads
N items by definition; above ``NAIVE_SCAN_MAX`` it is computed, not run (``measured: false``).

Two concessions to moto's speed, both checked in the same run and reported:

* **loading**: the first ``API_LOAD`` items go through BatchWriteItem; the rest are put into
  moto's backend directly (the same ``Item`` moto would build, without its O(attributes²)
  size check): checked item-for-item against the API-loaded ones;
* **GSI queries**: moto answers a GSI Query by sorting the *whole table* (O(N log N) per Query:
  ~30 s at 10⁶, for each of ~1,500 queries). The bench hands moto's own Query code just the
  live items of the requested partition that can matter (``_Partitions``). Same items, same
  order, same counts: compared against moto's unaided Query in every run, which is timed.

Reads per sampled visit depend on the quota per stratum (about k + 0.4 reads for a quota of
k, plus skips), not on N: the default plan gives ~2.4 per stratum over these ~280 strata.

Each N runs in its own interpreter, so memory and time are that N's alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict

RUN_DATE = dt.date(2026, 11, 23)
SAMPLING_KEY = b"bench-sampling-master-key-" * 2
HASH_KEY = b"bench-phone-hash-key-" * 2
DISTRICTS = (
    "Khordha", "Cuttack", "Ganjam", "Mayurbhanj", "Balasore", "Sundargarh", "Jajpur", "Kendujhar",
)  # fmt: skip
"""The 8 most populous districts, those with callers in the default plan first."""
CITIZENS_PER_VISIT = 0.8  # some citizens visit more than once in 3 days
RECENTLY_SAMPLED_SHARE = 0.02  # of citizens: a Contacts item with last_sampled 1–60 days ago
OPTED_OUT_SHARE = 0.005  # of citizens: opted out
API_LOAD = 1_000  # items loaded through BatchWriteItem; the rest directly into moto
NAIVE_SCAN_MAX = 100_000  # larger tables: the naive Scan's N reads are computed, not run
TARGET_READS_PER_SAMPLED = 1.5
FLAT_SPREAD = 1.2  # "flat in N": largest / smallest reads_per_sampled at most this
FIELDS = (
    "phone", "visit_date", "visit_time", "office_code", "service", "visit_id", "language",
    "office_name", "district", "official_id", "citizen_name", "gender", "age",
)  # fmt: skip


def run(visits: list[int], k: int | None = None, offices: int = len(DISTRICTS)) -> dict:
    """Measure each N in ``visits``; ``k`` is the day's total quota (default: the default
    plan's quotas, 650 over the 8 departments); ``offices`` per department (one per district,
    at most 8) sets how many strata there are (~35 per office)."""
    results: dict[str, dict] = {}
    infeasible: dict[str, str] = {}
    for n in visits:
        _progress(f"N={n:,}: starting a fresh interpreter")
        try:
            results[str(n)] = _child(n, k, offices)
        except RuntimeError as error:
            infeasible[str(n)] = str(error)
            _progress(f"N={n:,}: failed: {error}")
    reads = [r["sampler"]["reads_per_sampled"] for r in results.values()]
    spread = max(reads) / min(reads) if reads and min(reads) > 0 else None
    first = next(iter(results.values()), {})
    return {
        "benchmark": "sampling",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.machine(),
        },
        "setup": first.get("setup", {}),
        "results": results,
        "largest_n_achieved": max((int(n) for n in results), default=0),
        "infeasible": infeasible,
        "targets": {
            f"reads_per_sampled<={TARGET_READS_PER_SAMPLED}": bool(reads)
            and max(reads) <= TARGET_READS_PER_SAMPLED,
            f"flat_in_n (max/min<={FLAT_SPREAD})": spread is not None and spread <= FLAT_SPREAD,
            "reads_per_sampled_spread": round(spread, 3) if spread else None,
        },
    }


def _child(n: int, k: int | None, offices: int) -> dict:
    """One N in a fresh interpreter; its progress goes straight to our stderr."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    env.pop("AWS_ENDPOINT_URL", None)  # in-process moto, never a server
    command = [sys.executable, "-m", "samvad_dev.bench.sampling", str(n), str(k or 0), str(offices)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if done.returncode != 0:
        reason = "killed (out of memory?)" if done.returncode < 0 else "failed"
        raise RuntimeError(f"N={n}: child {reason}, exit status {done.returncode}")
    return json.loads(done.stdout)


# -- the measurement, in the child ------------------------------------------------------------


def measure(n: int, k: int | None, offices: int = len(DISTRICTS)) -> dict:
    import boto3
    from moto import mock_aws

    from samvad_dev.local.cloud import REGION, Names, provision

    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = REGION
    started = time.perf_counter()
    with mock_aws():
        names = Names("bench")
        env = provision(lambda service: boto3.client(service, region_name=REGION), names)
        tables = _Tables(env)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        counter = _ReadCounter(dynamodb, tables)
        layout = _Layout(DISTRICTS[:offices])
        plan = _plan_document(k, layout)
        _publish_plan(dynamodb, env, plan)

        gc.disable()  # ~25 objects per visit: the collector would rescan them all, again and again
        load = _load(n, layout, dynamodb, env, tables)
        gc.freeze()  # the loaded table is permanent: later collections skip it
        gc.enable()
        naive_scan = _naive(n, dynamodb, counter, tables, sum(_quotas(plan).values()))
        check = _check_partitions(dynamodb, tables, load.partitions, n)
        with load.partitions.installed():
            sampler = _sample(dynamodb, env, names, counter, tables)
        naive = naive_scan | {
            "reads_per_sampled": round(n / sampler["sampled"], 1) if sampler["sampled"] else None
        }
    ratio = (
        naive["items_read"] / sampler["items_read"]
        if sampler["sampled"] and sampler["items_read"]
        else None
    )
    return {
        "visits": n,
        "setup": layout.describe() | _plan_summary(plan, k),
        "load": load.report,
        "sampler": sampler,
        "naive": naive,
        "naive_reads_over_sampler_reads": round(ratio, 1) if ratio else None,
        "emulator_query_check": check,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


class _Tables:
    """Physical table names ↔ short names for the report."""

    def __init__(self, env: dict):
        from samvad import resources

        self.visits = env[resources.VISITS.env_var]
        self.strata = env[resources.STRATA.env_var]
        self.contacts = env[resources.CONTACTS.env_var]
        self.short = {env[spec.env_var]: spec.logical_id for spec in resources.TABLES}


class _ReadCounter:
    """Items read, counted from what DynamoDB's responses carry, per table (and index)."""

    def __init__(self, client, tables: _Tables):
        self.items: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._short = tables.short
        events = client.meta.events
        events.register("before-parameter-build.dynamodb", self._remember)
        events.register("after-call.dynamodb", self._count)

    def reset(self) -> None:
        self.items.clear()
        self.requests.clear()

    def _remember(self, params, context, **_):
        context["bench_target"] = (params.get("TableName"), params.get("IndexName"))

    def _count(self, parsed, model, context, **_):
        operation = model.name
        self.requests[operation] += 1
        table, index = context.get("bench_target", (None, None))
        name = self._short.get(table, table)
        if operation in ("Query", "Scan"):
            self.items[f"{name}.{index}" if index else str(name)] += parsed.get("ScannedCount", 0)
        elif operation == "GetItem" and parsed.get("Item"):
            self.items[str(name)] += 1
        elif operation == "BatchGetItem":
            for physical, found in parsed.get("Responses", {}).items():
                self.items[self._short.get(physical, physical)] += len(found)


# -- the state's strata -----------------------------------------------------------------------


class _Layout:
    """8 departments × their services × the headquarters office of (up to) 8 districts."""

    def __init__(self, districts: tuple[str, ...]):
        from samvad_dev.demo import catalog
        from samvad_dev.demo.synthetic import build_offices

        self.departments = [d.code for d in catalog.DEPARTMENTS]
        self.offices = {
            d.code: [
                o
                for o in build_offices(0)
                if o.department == d.code
                and o.district in districts
                and o.office_code.endswith("-001")
            ]
            for d in catalog.DEPARTMENTS
        }
        self.services = {d.code: [code for code, _ in d.services] for d in catalog.DEPARTMENTS}
        self.dates = [(RUN_DATE - dt.timedelta(days=d)).isoformat() for d in (3, 2, 1)]
        weight = {d.code: d.weight for d in catalog.DEPARTMENTS}
        self.strata = []  # (department, service, office, weight): footfall is uneven
        for department in self.departments:
            total = sum(o.weight for o in self.offices[department])
            for office in self.offices[department]:
                for rank, service in enumerate(self.services[department]):
                    share = weight[department] * office.weight / total / (rank + 1)
                    self.strata.append((department, service, office, share))

    def describe(self) -> dict:
        return {
            "run_date": RUN_DATE.isoformat(),
            "window_dates": self.dates,
            "departments": len(self.departments),
            "services": sum(len(s) for s in self.services.values()),
            "offices": sum(len(o) for o in self.offices.values()),
            "strata": len(self.strata),
            "strata_days": len(self.strata) * len(self.dates),
            "citizens_per_visit": CITIZENS_PER_VISIT,
            "contacts": {
                "recently_sampled_share": RECENTLY_SAMPLED_SHARE,
                "opted_out_share": OPTED_OUT_SHARE,
            },
        }


def _plan_document(k: int | None, layout: _Layout) -> dict:
    """The default plan; with ``k``, its department quotas scaled to add up to ``k`` (an office
    minimum of 1 only where the department's quota covers all its offices)."""
    from samvad.sampling.plan import default_plan_document

    document = default_plan_document()
    if not k:
        return document
    default = document["default"]
    base = {d: document["departments"].get(d, default)["daily_quota"] for d in layout.departments}
    exact = {d: k * q / sum(base.values()) for d, q in base.items()}
    quotas = {d: int(x) for d, x in exact.items()}
    for d in sorted(exact, key=lambda d: quotas[d] - exact[d])[: k - sum(quotas.values())]:
        quotas[d] += 1
    document["departments"] = {
        d: {
            "daily_quota": q,
            "allocation": document["departments"].get(d, default).get("allocation", "proportional"),
            "min_per_office": 1 if q >= len(layout.offices[d]) else 0,
        }
        for d, q in quotas.items()
    }
    return document


def _quotas(document: dict) -> dict[str, int]:
    from samvad_dev.demo import catalog

    default = document["default"]["daily_quota"]
    return {
        d.code: document["departments"].get(d.code, {"daily_quota": default})["daily_quota"]
        for d in catalog.DEPARTMENTS
    }


def _plan_summary(document: dict, k: int | None) -> dict:
    quotas = _quotas(document)
    return {
        "plan": "default plan" if not k else f"default plan scaled to k={k}",
        "department_quotas": quotas,
        "k_planned": sum(quotas.values()),
    }


def _publish_plan(client, env: dict, document: dict) -> None:
    from samvad import resources
    from samvad.adapters.config import DynamoConfig

    DynamoConfig(env[resources.CONFIG.env_var], client).publish(
        resources.SAMPLING_PLAN_CONFIG, document, author="bench"
    )


# -- loading ----------------------------------------------------------------------------------


class _Partitions:
    """``sample_pk`` → the hash keys of its visits, so moto's Query code sees one partition.

    moto evaluates a GSI Query by sorting the whole table and then computing every item's
    size and comparing its sort key in Python. Installed, the map hands moto's own ``query``
    only the live items of the requested partition (looked up fresh: a visit that left the
    index is not live) that pass moto's own sort-key comparison, plus the first one past them,
    which is all moto's loop could use: same items, same order, same counts and the same
    ``LastEvaluatedKey``. Checked against moto's unaided Query in every run.
    """

    def __init__(self, table):
        self.table = table
        self.members: dict[str, list] = defaultdict(list)
        self._ordered: dict[str, list] = {}

    def add(self, partition: str, hash_key) -> None:
        self.members[partition].append(hash_key)

    def _in_order(self, partition: str) -> list:
        """Keys by (score, visit key), moto's order within a partition (fixed-width strings)."""
        if partition not in self._ordered:
            items = self.table.items
            keys = [k for k in self.members.get(partition, ()) if k in items]
            keys.sort(key=lambda k: (items[k].attrs["sample_score"].value, k.value))
            self._ordered[partition] = keys
        return self._ordered[partition]

    def candidates(self, partition: str, comparison, bounds, forward: bool) -> list:
        items = self.table.items
        live = []
        for key in self._in_order(partition):
            item = items.get(key)
            pk = item.attrs.get("sample_pk") if item is not None else None
            if pk is not None and pk.type == "S" and pk.value == partition:
                live.append(item)
        if not comparison:
            return live
        if not forward:
            live.reverse()
        chosen = []
        for item in live:
            if item.attrs["sample_score"].compare(comparison, bounds):
                chosen.append(item)
            elif chosen:
                chosen.append(item)  # the first one past: moto's loop may stop on it
                break
        return chosen

    @contextlib.contextmanager
    def installed(self):
        from unittest import mock

        from moto.dynamodb.models.table import Table

        original = Table.query
        partitions = self

        def query(table, hash_key, comparison, bounds, *args, **kwargs):
            conditions = kwargs.get("hash_key_conditions") or []
            ranges = kwargs.get("range_key_conditions") or []
            index = args[4] if len(args) > 4 else kwargs.get("index_name")
            if (
                table is not partitions.table
                or index != "unsampled"
                or [name for name, _ in conditions] != ["sample_pk"]
                or any(name != "sample_score" for name, *_ in ranges)
            ):
                return original(table, hash_key, comparison, bounds, *args, **kwargs)
            forward = args[2] if len(args) > 2 else kwargs.get("scan_index_forward", True)
            items = partitions.candidates(
                conditions[0][1].value, comparison, bounds, forward is not False
            )
            items.sort(key=lambda item: item.hash_key)  # moto's all_items() order
            table.all_items = lambda: items
            try:
                return original(table, hash_key, comparison, bounds, *args, **kwargs)
            finally:
                del table.all_items

        with mock.patch.object(Table, "query", query):
            yield


class _Load:
    def __init__(self, report: dict, partitions: _Partitions):
        self.report = report
        self.partitions = partitions


def _load(n: int, layout: _Layout, client, env: dict, tables: _Tables) -> _Load:
    from moto.dynamodb.models import dynamodb_backends

    from samvad.adapters.items import Batches
    from samvad.adapters.strata import DynamoStrata
    from samvad_dev.local.cloud import ACCOUNT, REGION

    backend = dynamodb_backends[ACCOUNT][REGION]
    visits_table = backend.tables[tables.visits]
    partitions = _Partitions(visits_table)
    batches = Batches(client)
    api_items: list[dict] = []
    strata: dict[str, Counter] = defaultdict(Counter)
    started = time.perf_counter()
    api_seconds = direct_seconds = 0.0
    citizens = max(1, int(n * CITIZENS_PER_VISIT))
    made = 0
    for upload_id, item in _visit_items(n, layout, citizens):
        made += 1
        strata[upload_id][item["visit_date"]["S"], item["sample_pk"]["S"].rsplit("#", 1)[0]] += 1
        if len(api_items) < API_LOAD:
            api_items.append(item)
            if len(api_items) == API_LOAD or made == n:
                mark = time.perf_counter()
                batches.write(tables.visits, api_items)
                api_seconds += time.perf_counter() - mark
                for loaded in api_items:
                    key = _key(loaded["visit_key"])
                    partitions.add(loaded["sample_pk"]["S"], key)
            continue
        mark = time.perf_counter()
        key = _key(item["visit_key"])
        visits_table.items[key] = _item(key, item)
        partitions.add(item["sample_pk"]["S"], key)
        direct_seconds += time.perf_counter() - mark
        if made % 100_000 == 0:
            _progress(f"N={n:,}: {made:,} visits loaded ({time.perf_counter() - started:.0f} s)")
    generate_seconds = time.perf_counter() - started - api_seconds - direct_seconds
    same = _same_as_api(visits_table, api_items[:200])

    mark = time.perf_counter()
    recorder = DynamoStrata(tables.strata, client)
    for upload_id, counts in sorted(strata.items()):
        recorder.record_uploaded(upload_id, dict(counts))
    strata_seconds = time.perf_counter() - mark
    contacts = _seed_contacts(backend.tables[tables.contacts], citizens)
    seconds = time.perf_counter() - started
    direct = n - len(api_items)
    _progress(f"N={n:,}: loaded in {seconds:.1f} s ({n / seconds:,.0f} visits/s overall)")
    report = {
        "seconds": round(seconds, 1),
        "generate_and_validate_seconds": round(generate_seconds, 1),
        "batch_write_item": {
            "items": len(api_items),
            "seconds": round(api_seconds, 2),
            "items_per_s": round(len(api_items) / api_seconds) if api_seconds else None,
        },
        "direct_into_moto": {
            "items": direct,
            "seconds": round(direct_seconds, 2),
            "items_per_s": round(direct / direct_seconds) if direct_seconds else None,
            "identical_to_api_loaded": same,
        },
        "strata_contributions": {
            "uploads": len(strata),
            "items": sum(len(c) for c in strata.values()),
            "seconds": round(strata_seconds, 2),
        },
        "contacts_seeded": contacts,
    }
    return _Load(report, partitions)


def _visit_items(n: int, layout: _Layout, citizens: int):
    """``(upload id, item)`` for ``n`` visits, each exactly as intake writes it: one upload
    per department and visit date, rows through intake's own validator."""
    from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source
    from samvad_dev.demo.synthetic import _new_citizen

    rng = random.Random(f"samvad-bench-sampling:{n}")
    people = [_new_citizen(rng, "", None) for _ in range(4096)]
    columns = {name: i for i, name in enumerate(FIELDS)}
    validators = {
        d: RowValidator(columns, len(FIELDS), IntakePolicy(d, RUN_DATE), HASH_KEY, SAMPLING_KEY)
        for d in layout.departments
    }
    sources = {
        (d, day): Source(
            f"bench/{d}/{day}",
            f"{dt.date.fromisoformat(day) + dt.timedelta(days=1)}T06:00:00+00:00",
        )
        for d in layout.departments
        for day in layout.dates
    }
    cum: list[float] = []
    for *_, share in layout.strata:
        cum.append((cum[-1] if cum else 0.0) + share)
    serial_day = RUN_DATE.strftime("%Y%m%d")
    random_ = rng.random
    done = 0
    while done < n:
        size = min(4096, n - done)
        strata = rng.choices(layout.strata, cum_weights=cum, k=size)
        days = rng.choices(layout.dates, k=size)
        for j in range(size):
            department, service, office, _ = strata[j]
            citizen = int(random_() * citizens)
            person = people[citizen % len(people)]
            minute = 480 + int(random_() * 720)
            cells = [
                _phone(citizen), days[j], f"{minute // 60:02d}:{minute % 60:02d}",
                office.office_code, service, f"V{serial_day}{done + j:09d}", person.language,
                office.office_name, office.district,
                office.official_ids[int(random_() * len(office.official_ids))],
                person.name, person.gender, str(person.age),
            ]  # fmt: skip
            visit = validators[department](done + j + 2, cells)
            if isinstance(visit, Rejection):
                raise RuntimeError(f"synthetic row rejected: {visit.problem}")
            source = sources[department, days[j]]
            yield source.upload_id, visit.to_item(source)
        done += size


def _key(value: dict):
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def _item(key, attrs: dict):
    """moto's ``Item(key, None, attrs)``, built without its quadratic per-attribute size
    check (an intake item is ~1 KB; DynamoDB's limit is 400 KB); scalars set directly."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    new_type = DynamoType.__new__
    item = Item.__new__(Item)
    item.hash_key = key
    item.range_key = None
    stored = LimitedSizeDict.__new__(LimitedSizeDict)
    for name, value in attrs.items():
        ((kind, raw),) = value.items()
        if kind in ("L", "M"):
            typed = DynamoType(value)
        else:  # what DynamoType.__init__ does for a scalar or a set
            typed = new_type(DynamoType)
            typed.type, typed.value = kind, raw
        dict.__setitem__(stored, name, typed)
    item.attrs = stored
    return item


def _same_as_api(table, api_items: list[dict]) -> bool:
    """Items moto stored from BatchWriteItem equal the directly built ones."""
    for attrs in api_items:
        key = _key(attrs["visit_key"])
        if table.items[key].to_json() != _item(key, attrs).to_json():
            return False
    return bool(api_items)


def _seed_contacts(table, citizens: int) -> dict:
    from samvad import phones
    from samvad.pii import PhoneHasher

    rng = random.Random("samvad-bench-contacts")
    hasher = PhoneHasher(HASH_KEY)
    recent = int(citizens * RECENTLY_SAMPLED_SHARE)
    opted = int(citizens * OPTED_OUT_SHARE)
    chosen = rng.sample(range(citizens), min(citizens, recent + opted))
    expires = str(int(time.time()) + 400 * 86400)
    within_cooldown = 0
    for number, citizen in enumerate(chosen):
        phone_hash = hasher(phones.normalise_indian_mobile(_phone(citizen)))
        attrs = {"phone_hash": {"S": phone_hash}}
        if number < recent:
            days = rng.randint(1, 60)
            within_cooldown += days < 30
            attrs |= {
                "last_sampled": {"S": (RUN_DATE - dt.timedelta(days=days)).isoformat()},
                "expires_at": {"N": expires},
            }
        else:
            attrs |= {"opted_out": {"BOOL": True}, "opted_out_at": {"S": "2026-10-01T10:00:00Z"}}
        key = _key(attrs["phone_hash"])
        table.items[key] = _item(key, attrs)
    return {
        "recently_sampled": recent,
        "of_which_within_cooldown": within_cooldown,
        "opted_out": opted,
    }


def _phone(citizen: int) -> str:
    """A 10-digit mobile number per citizen (a valid Indian mobile series)."""
    from samvad_dev.demo import catalog

    series = catalog.MOBILE_SERIES
    return f"{series[citizen % len(series)]}{(citizen * 2_654_435_761) % 100_000_000:08d}"


# -- the naive baseline -----------------------------------------------------------------------


def _naive(n: int, client, counter: _ReadCounter, tables: _Tables, k: int) -> dict:
    if n > NAIVE_SCAN_MAX:
        return {
            "measured": False,
            "why": f"moto's Scan re-sorts the whole table for every 1 MB page (~4 min at "
            f"{NAIVE_SCAN_MAX:,} visits, quadratic beyond); a Scan reads every item: N reads",
            "items_read": n,
        }
    _progress(f"N={n:,}: naive Scan of the whole table")
    counter.reset()
    started = time.perf_counter()
    items = [
        item
        for page in client.get_paginator("scan").paginate(
            TableName=tables.visits,
            # what a naive sampler needs; DynamoDB reads (and bills) whole items all the same,
            # and moto serialises 3 attributes much faster than 22
            ProjectionExpression="visit_key, sample_pk, phone_hash",
        )
        for item in page["Items"]
    ]
    chosen = random.Random(1).sample(items, min(k, len(items)))
    seconds = time.perf_counter() - started
    return {
        "measured": True,
        "items_read": counter.items["Visits"],
        "scan_requests": counter.requests["Scan"],
        "sampled": len(chosen),
        "seconds": round(seconds, 1),
    }


# -- moto's Query, with and without the partition map -----------------------------------------


def _check_partitions(client, tables: _Tables, partitions: _Partitions, n: int) -> dict:
    """moto's own Query, unaided and with the partition map: the same answers, for every kind
    of key condition the sampler sends (and a Limit that cuts a range short)."""
    rng = random.Random("samvad-bench-check")
    busy = sorted(p for p, keys in partitions.members.items() if len(keys) >= 6)
    large = n > NAIVE_SCAN_MAX  # moto's unaided Query takes ~30 s at 10⁶: one at that size
    chosen = rng.sample(busy, min(len(busy), 1 if large else 2))
    _progress(f"N={n:,}: moto's unaided GSI Query against the partition map")
    requests = []
    for partition in chosen:
        scores = sorted(partitions.table.items[k].attrs["sample_score"].value
                        for k in partitions.members[partition])  # fmt: skip
        low, high = scores[1], scores[-2]
        kinds = [
            ("sample_pk = :p", {}, 5),
            ("sample_pk = :p AND sample_score > :a", {":a": low}, 3),
            ("sample_pk = :p AND sample_score <= :u", {":u": high}, 500),
            ("sample_pk = :p AND sample_score BETWEEN :a AND :u", {":a": low, ":u": high}, 2),
        ]
        for condition, values, limit in kinds[-1:] if large else kinds:
            requests.append(
                {
                    "KeyConditionExpression": condition,
                    "ExpressionAttributeValues": {
                        ":p": {"S": partition},
                        **{name: {"S": v} for name, v in values.items()},
                    },
                    "Limit": limit,
                }
            )
    mark = time.perf_counter()
    unaided = [_query(client, tables, r) for r in requests]
    unaided_seconds = (time.perf_counter() - mark) / len(requests)
    with partitions.installed():
        mark = time.perf_counter()
        aided = [_query(client, tables, r) for r in requests]
        aided_seconds = (time.perf_counter() - mark) / len(requests)
    return {
        "partitions_compared": len(chosen),
        "queries_compared": len(requests),
        "identical": unaided == aided,
        "moto_unaided_query_seconds": round(unaided_seconds, 3),
        "with_partition_map_query_seconds": round(aided_seconds, 4),
    }


def _query(client, tables: _Tables, request: dict) -> dict:
    response = client.query(TableName=tables.visits, IndexName="unsampled", **request)
    return {k: response.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")}


# -- the sampler ------------------------------------------------------------------------------


def _sample(client, env: dict, names, counter: _ReadCounter, tables: _Tables) -> dict:
    import dataclasses

    import boto3

    from samvad import resources
    from samvad.sampling.service import run_sampler, selection_key
    from samvad.sampling.wiring import build_sampler_ports
    from samvad.settings import SamplingSettings
    from samvad_dev.local.cloud import REGION

    def clients(service: str):  # DynamoDB through the counting client
        return client if service == "dynamodb" else boto3.client(service, region_name=REGION)

    # The real wiring builds the ports, with the key the loaded visits were scored with.
    clients("secretsmanager").put_secret_value(
        SecretId=env[resources.SAMPLING_SECRET_ENV], SecretString=SAMPLING_KEY.decode()
    )
    ports = dataclasses.replace(
        build_sampler_ports(SamplingSettings.from_env(env), clients),
        clock=lambda: dt.datetime.combine(RUN_DATE, dt.time(3, 30), dt.UTC),
    )
    documents = ports.documents
    _progress("running the sampler")
    counter.reset()
    started, cpu = time.perf_counter(), time.process_time()
    summary = run_sampler(RUN_DATE, ports)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    selection = documents.get_json(selection_key(RUN_DATE.isoformat()))
    own = selection.get("reads", {})
    sampled = summary["sampled"]
    index_items = counter.items["Visits.unsampled"]
    contact_items = counter.items["Contacts"]
    strata_items = counter.items["Strata"]
    _progress(
        f"sampled {sampled} in {seconds:.1f} s: {index_items} index items, "
        f"{contact_items} contact items read"
    )
    per = (lambda x: round(x / sampled, 3)) if sampled else (lambda x: None)
    drawn_from = sum(1 for q in selection["quotas"].values() if q)
    requests = sum(counter.requests.values())
    ms_per_request = round(1000 * seconds / requests, 1) if requests else None
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "k_planned": summary["quota"],
        "sampled": sampled,
        "strata_drawn_from": drawn_from,
        "quota_per_stratum": round(summary["quota"] / drawn_from, 2) if drawn_from else None,
        "skipped_by_reason": summary["skipped_by_reason"],
        "stratum_shortfall": summary["stratum_shortfall"],
        "items_read": index_items + contact_items,
        "reads_per_sampled": per(index_items + contact_items),
        "index_items_read": index_items,
        "index_items_read_per_sampled": per(index_items),
        "index_queries": own.get("queries"),
        "contact_items_read": contact_items,
        "contacts_looked_up": own.get("contacts_looked_up"),
        "reads_per_sampled_counting_lookups": per(index_items + own.get("contacts_looked_up", 0)),
        "strata_items_read": strata_items,
        "reads_per_sampled_with_strata": per(index_items + contact_items + strata_items),
        "all_items_read": dict(counter.items),
        "requests": dict(sorted(counter.requests.items())),
        "wall_ms_per_dynamodb_request": ms_per_request,  # S3, SQS, EventBridge calls included
        "sampler_own_count": own,
        "hook_agrees_with_sampler": own.get("visits_read") == index_items
        and own.get("contact_items_read") == contact_items,
    }


def _progress(message: str) -> None:
    print(f"[bench sampling {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    size, quota, offices_ = (int(a) for a in sys.argv[1:4])
    print(json.dumps(measure(size, quota or None, offices_)))
