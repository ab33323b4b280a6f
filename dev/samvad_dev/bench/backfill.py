"""The rollup backfill measured on moto (``samvad bench backfill [--feedback N]``).

A fresh in-process moto Tallies table holds N ``FeedbackRecorded`` events over 30 days (64
offices of 8 departments, 8 services each) as a table tallied before the rollups existed:
each event's marker, its grain ``day#`` and ``month#`` items, and no rollups. Then
``backfill_rollups`` with the real ``DynamoTallies`` runs dry, for real, and again; a
botocore hook counts the calls and the items DynamoDB returned. The rollups it wrote are
compared with the ones the live path would have written (the same events summed with
``rollups.targets``). The baseline is one Scan of the table: what a backfill that cannot
find a day by its key would read, every time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict

START = dt.date(2026, 10, 1)
DAYS = 30


def run(feedback: int = 3000) -> dict:
    import boto3
    from moto import mock_aws

    from samvad import resources
    from samvad.adapters.tallies import DynamoTallies
    from samvad.reports.backfill import backfill_rollups
    from samvad.reports.rollups import REVISION, ROLLUP_PREFIX, targets
    from samvad.reports.tally import updates_for
    from samvad_dev.demo import report_events as ev
    from samvad_dev.local.cloud import REGION, Names, provision

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.setdefault(name, "bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = REGION
    rng = random.Random(feedback)
    offices = ev.offices(8, 8)
    with mock_aws():
        env = provision(lambda s: boto3.client(s, region_name=REGION), Names("bench"))
        table = env[resources.TALLIES.env_var]
        client = boto3.client("dynamodb", region_name=REGION)
        items: dict[tuple[str, str], dict] = defaultdict(dict)
        live: dict[tuple[str, str], dict] = defaultdict(dict)
        for i in range(feedback):
            office = dataclasses.replace(rng.choice(offices), service=f"S{rng.randrange(8)}")
            day = START + dt.timedelta(days=rng.randrange(DAYS))
            good = rng.random() < 0.7
            rating = rng.choice((4, 5) if good else (1, 2, 3))
            detail = ev.feedback(office, f"v{i:07d}", day, rating, good)
            [update] = updates_for(resources.FEEDBACK_RECORDED, detail, lambda key: {})
            items[(update.identity, "applied")] = {}
            for target in targets(update):
                into = live if target.rollup else items
                item = into[(target.partition, target.key)]
                item.update(target.attributes)
                for counter, amount in update.add.items():
                    item[counter] = item.get(counter, 0) + amount
        with boto3.resource("dynamodb", region_name=REGION).Table(table).batch_writer() as out:
            for (pk, sk), item in items.items():
                out.put_item(Item={"pk": pk, "sk": sk, **item})
        calls: Counter = Counter()
        returned: Counter = Counter()

        def count(model, parsed=None, **_):
            calls[model.name] += 1
            if parsed:
                returned[model.name] += parsed.get("Count", 0)

        client.meta.events.register("after-call.dynamodb", count)
        store = DynamoTallies(table, client)
        days = [START + dt.timedelta(days=n) for n in range(DAYS)]
        runs = {}
        for name, dry in (("dry_run", True), ("backfill", False), ("rerun", False)):
            calls.clear()
            returned.clear()
            started = time.perf_counter()
            done = backfill_rollups(store, days, dry_run=dry)
            runs[name] = done.as_dict() | {
                "seconds": round(time.perf_counter() - started, 2),
                "calls": dict(calls),
                "items_returned_by_query": returned["Query"],
            }
        written = {
            (p, k): {a: v for a, v in row.items() if a != REVISION}
            for p, k in live
            for row in [_item(client, table, p, k)]
        }
        calls.clear()
        returned.clear()
        started = time.perf_counter()
        scanned = sum(
            len(page["Items"]) for page in client.get_paginator("scan").paginate(TableName=table)
        )
        scan = {"items_read": scanned, "seconds": round(time.perf_counter() - started, 2)}
    return {
        "feedback_events": feedback,
        "days": DAYS,
        "table_items_before": len(items),
        "grain_items": sum(1 for p, _ in items if p.startswith(("day#", "month#"))),
        "rollups_expected": len(live),
        **runs,
        "naive_scan": scan,
        "rollups_equal_live_path": all(
            written[key] == {k: v for k, v in live[key].items()} for key in live
        ),
        "rollup_partitions": len({p for p, _ in live if p.startswith(ROLLUP_PREFIX)}),
    }


def _item(client, table: str, partition: str, key: str) -> dict:
    from samvad.adapters.items import plain

    found = client.get_item(TableName=table, Key={"pk": {"S": partition}, "sk": {"S": key}})
    return {k: v for k, v in plain(found.get("Item", {})).items() if k not in ("pk", "sk")}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3000), indent=2))
