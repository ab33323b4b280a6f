"""``samvad bench reports``: items read and time per report, tallies vs a naive Scan.

For each N, a fresh in-process moto holds N ``FeedbackRecorded`` records (64 offices of 8
departments, each record for one of 8 services, spread over the 30 days of a month) twice
over: as Feedback items (what a naive report would Scan) and as tallies (grain rows and the
per-day rollups of ``reports.rollups``). Then the real ``run_report`` (real adapters, real S3/SNS
writes) builds the month's and the last day's report, and a botocore hook counts the items
DynamoDB returns (``ScannedCount`` of each Query/Scan; ConsumedCapacity is fake on moto).
Two baselines, in the same run: Scan the whole Feedback table and aggregate per office (the
naive report); and Query the 90 grain day partitions a report read before the rollups (the
per-response tallies: at the design scale a day's grain rows approach its responses).

One concession to moto's speed (UpdateItem costs ~15 ms of expression parsing there): the
first ``API_EVENTS`` events go through the real ``DynamoTallies.apply`` (transactions); all N
are also summed in memory with the same ``updates_for`` and written as the final tally items.
The two are compared on the first ``API_EVENTS`` events in every run (``adapter_agrees``).
Event markers (one small item per event, in their own partitions) are not loaded: no report
reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import time
from collections import Counter, defaultdict

MONTH_START = dt.date(2026, 11, 1)
API_EVENTS = 300
OFFICES = 64  # 8 departments × 8 offices, one official each
DEPARTMENTS = 8
SERVICES = 8  # each response is for one of 8 services, so a day has up to 512 grain rows
GRAINS = OFFICES * SERVICES
SERIES_DAYS = 90


def run(feedback: list[int]) -> dict:
    results = {str(n): _measure(n) for n in feedback}
    reads = [r["tallies"]["month"]["items_read"] for r in results.values()]
    rollups_fewer = all(
        r["tallies"]["day"]["rollup_rows"] < r["per_response_days"]["items_read"]
        for r in results.values()
    )
    reports = [t for r in results.values() for t in r["tallies"].values()]
    return {
        "benchmark": "reports",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
        "tally_reads_flat_in_n": len(set(reads)) == 1,
        "tally_reads_within_grain_bound": all(
            t["items_read"] <= t["grain_rows_bound"] for t in reports
        ),
        "rollup_reads_within_office_bound": all(
            t["rollup_rows"] <= t["rollup_rows_bound"] for t in reports
        ),
        "day_report_rollups_fewer_than_per_response_days": rollups_fewer,
    }


def _measure(n: int) -> dict:
    import dataclasses

    import boto3
    from moto import mock_aws

    from samvad import resources
    from samvad.adapters.tallies import DynamoTallies
    from samvad.reports.tally import updates_for
    from samvad_dev.demo import report_events as ev
    from samvad_dev.local import moto_speedups
    from samvad_dev.local.cloud import REGION, Names, provision

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.setdefault(name, "bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = REGION
    moto_speedups.install()
    rng = random.Random(n)
    offices = ev.offices(8, 8)
    assert len(offices) == OFFICES
    with mock_aws():
        env = provision(lambda s: boto3.client(s, region_name=REGION), Names("bench"))
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        counter = _ReadCounter(dynamodb)
        tallies_table = env[resources.TALLIES.env_var]
        feedback_table = env[resources.FEEDBACK.env_var]
        _progress(f"N={n:,}: generating and loading")
        started = time.perf_counter()
        adapter = DynamoTallies(tallies_table, dynamodb)
        sums: dict[tuple[str, str], dict] = defaultdict(dict)
        check: dict[tuple[str, str], dict] = {}
        with (
            boto3.resource("dynamodb", region_name=REGION)
            .Table(feedback_table)
            .batch_writer() as fb
        ):
            for i in range(n):
                office = dataclasses.replace(
                    offices[rng.randrange(len(offices))], service=f"S{rng.randrange(SERVICES)}"
                )
                day = MONTH_START + dt.timedelta(days=rng.randrange(30))
                good = rng.random() < 0.7
                detail = ev.feedback(
                    office, f"v{i:07d}", day, rng.choice((4, 5) if good else (1, 2, 3)), good
                )
                fb.put_item(Item={k: v for k, v in detail.items() if v is not None and v != []})
                [update] = updates_for(resources.FEEDBACK_RECORDED, detail, None)
                if i < API_EVENTS:
                    adapter.apply(update)
                _accumulate(sums, update)
                if i == API_EVENTS - 1:
                    check = {k: dict(v) for k, v in sums.items()}
        agrees = _compare(dynamodb, tallies_table, check)
        _write_tallies(tallies_table, sums)
        load_seconds = time.perf_counter() - started
        tallies = {
            "month": _report(env, counter, {"period": "month", "month": "2026-11"}),
            "day": _report(env, counter, {"period": "day", "date": "2026-11-30"}),
        }
        _progress(f"N={n:,}: the 90 grain day partitions (before the rollups)")
        per_response = _per_response_days(counter, tallies_table)
        _progress(f"N={n:,}: naive Scan of Feedback")
        counter.reset()
        started = time.perf_counter()
        per_office: Counter = Counter()
        for page in dynamodb.get_paginator("scan").paginate(TableName=feedback_table):
            for item in page["Items"]:
                if item["run_date"]["S"].startswith("2026-11"):
                    per_office[item["office_code"]["S"]] += 1
        naive = {
            "items_read": counter.items["Feedback"],
            "seconds": round(time.perf_counter() - started, 2),
        }
    month = tallies["month"]
    return {
        "feedback_records": n,
        "offices": len(offices),
        "services_per_office": SERVICES,
        "load_seconds": round(load_seconds, 1),
        "adapter_agrees": agrees,
        "tallies": tallies,
        "per_response_days": per_response
        | {"grain_day_rows": sum(1 for p, _ in sums if p.startswith("day#"))},
        "naive_scan": naive,
        "naive_over_tallies_items_read": round(naive["items_read"] / month["items_read"], 1),
    }


def _accumulate(sums, update) -> None:
    from samvad.reports.rollups import REVISION, targets

    for target in targets(update):
        item = sums[(target.partition, target.key)]
        item.update(target.attributes)
        for name, amount in update.add.items():
            item[name] = item.get(name, 0) + amount
        if target.rollup:
            item[REVISION] = item.get(REVISION, 0) + 1


def _compare(client, table: str, expected: dict) -> bool:
    """The adapter's items equal the in-memory sums, partition by partition."""
    from samvad.adapters.tallies import DynamoTallies

    store = DynamoTallies(table, client)
    partitions = {p for p, _ in expected}

    def ordered(rows) -> list[str]:
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)

    return all(
        ordered(store.rows(p)) == ordered(v for (q, _), v in expected.items() if q == p)
        for p in partitions
    )


def _per_response_days(counter, table: str) -> dict:
    """Items and time of Querying the 90 grain day partitions ending on the month's last day
    (what the window and the series read before the rollups)."""
    from samvad.adapters.tallies import DynamoTallies
    from samvad.reports.periods import day_partition

    store = DynamoTallies(table, counter.client)
    last = MONTH_START + dt.timedelta(days=29)
    counter.reset()
    started = time.perf_counter()
    for back in range(SERIES_DAYS):
        store.rows(day_partition(last - dt.timedelta(days=back)))
    return {
        "items_read": counter.items["Tallies"],
        "queries": SERIES_DAYS,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _write_tallies(table: str, sums) -> None:
    import boto3

    from samvad_dev.local.cloud import REGION

    with boto3.resource("dynamodb", region_name=REGION).Table(table).batch_writer() as writer:
        for (partition, key), item in sums.items():
            writer.put_item(Item={"pk": partition, "sk": key, **item})


def _report(env: dict, counter, request: dict) -> dict:
    import boto3

    from samvad import resources
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.objects import S3Documents, S3ReportFiles
    from samvad.adapters.tallies import DynamoTallies
    from samvad.adapters.topics import SnsNotifier
    from samvad.adapters.visits import DynamoVisits
    from samvad.reports.service import ReportPorts, run_report
    from samvad_dev.local.cloud import REGION

    client = counter.client
    ports = ReportPorts(
        tallies=DynamoTallies(env[resources.TALLIES.env_var], client),
        selections=S3Documents(
            env[resources.DATA_BUCKET_ENV], boto3.client("s3", region_name=REGION)
        ),
        visits=DynamoVisits(env[resources.VISITS.env_var], client),
        files=S3ReportFiles(env[resources.DATA_BUCKET_ENV], boto3.client("s3", region_name=REGION)),
        notifier=SnsNotifier(
            env[resources.REPORTS_TOPIC_ENV], boto3.client("sns", region_name=REGION)
        ),
        config=DynamoConfig(env[resources.CONFIG.env_var], client),
    )
    counter.reset()
    started = time.perf_counter()
    result = run_report(request, ports)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "items_read": counter.items["Tallies"],
        "tally_queries": result["reads"]["tally_queries"],
        # at most one row per grain (here one per office) in each partition read
        "grain_rows_bound": result["reads"]["tally_queries"] * GRAINS,
        # the window's and the series' reads: at most a row per office and per department
        "rollup_queries": result["reads"]["rollup_queries"],
        "rollup_rows": result["reads"]["rollup_rows"],
        "rollup_rows_bound": result["reads"]["rollup_queries"] * (OFFICES + DEPARTMENTS),
        "responses": result["totals"]["responses"],
    }


class _ReadCounter:
    """Items DynamoDB returned, per table, from each response (ConsumedCapacity is fake)."""

    def __init__(self, client):
        self.client = client
        self.items: Counter[str] = Counter()
        client.meta.events.register("before-parameter-build.dynamodb", self._remember)
        client.meta.events.register("after-call.dynamodb", self._count)

    def reset(self) -> None:
        self.items.clear()

    def _remember(self, params, context, **_):
        context["bench_table"] = params.get("TableName", "")

    def _count(self, parsed, model, context, **_):
        name = context.get("bench_table", "").rsplit("-", 1)[-1].capitalize()
        if model.name in ("Query", "Scan"):
            self.items[name] += parsed.get("ScannedCount", 0)


def _progress(message: str) -> None:
    import sys

    print(f"[bench reports {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    print(json.dumps(run([1000]), indent=2))
